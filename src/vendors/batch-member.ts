/**
 * Some vendors answer a batch call with one id for the whole batch (Aliyun's
 * SendBatchSms: one BizId), and their receipts name that id and the
 * receiver. A send of such a batch keeps `<batch id>|<receiver>` as its vendor
 * message id, so each send (and each receipt row) has an id of its own.
 */
const SEPARATOR = '|';

export function batchMemberId(batchId: string, receiver: string): string {
  return `${batchId}${SEPARATOR}${receiver}`;
}

/** The vendor's own id: the batch id of a batch member, the id itself otherwise. */
export function vendorSideId(vendorMessageId: string): string {
  const at = vendorMessageId.lastIndexOf(SEPARATOR);
  return at < 0 ? vendorMessageId : vendorMessageId.slice(0, at);
}
