import { ActivityFailure, condition, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ReceiptPollRequest } from '../activities/receipt-poll';
import type { ReceiptNotice, ReceiptPolicy } from '../shared/contract';
import { RECEIPT_POLL } from './activity-options';

const { pollReceipt } = proxyActivities<Activities>(RECEIPT_POLL);

/**
 * Waits for the delivery receipt: a push arrives as a signal (`pushed()`
 * turns non-null); between pushes we ask the vendor with backoff (first
 * interval doubling to a cap) until the window closes. Null means no receipt.
 */
export async function awaitReceipt(
  pushed: () => ReceiptNotice | null,
  poll: ReceiptPollRequest,
  policy: ReceiptPolicy,
): Promise<ReceiptNotice | null> {
  const deadline = Date.now() + policy.windowSeconds * 1000;
  let interval = policy.pollFirstSeconds * 1000;
  while (Date.now() < deadline) {
    const wait = Math.min(interval, deadline - Date.now());
    if (await condition(() => pushed() !== null, wait)) return pushed();
    const polled = await pollOnce(poll);
    if (polled) return polled;
    interval = Math.min(interval * 2, policy.pollMaxSeconds * 1000);
  }
  return pushed();
}

/** A vendor pull API that keeps failing is a miss, not the end of the send: keep waiting for a push. */
async function pollOnce(poll: ReceiptPollRequest): Promise<ReceiptNotice | null> {
  try {
    return await pollReceipt(poll);
  } catch (error) {
    if (error instanceof ActivityFailure) return null;
    throw error;
  }
}
