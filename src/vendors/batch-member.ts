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

/** The batch id and receiver of a batch member's id; null for any other id. */
export function batchMemberParts(vendorMessageId: string): { batchId: string; receiver: string } | null {
  const at = vendorMessageId.lastIndexOf(SEPARATOR);
  return at < 0 ? null : { batchId: vendorMessageId.slice(0, at), receiver: vendorMessageId.slice(at + 1) };
}

/** The vendor's own id: the batch id of a batch member, the id itself otherwise. */
export function vendorSideId(vendorMessageId: string): string {
  return batchMemberParts(vendorMessageId)?.batchId ?? vendorMessageId;
}
