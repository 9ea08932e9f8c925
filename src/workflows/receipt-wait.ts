import { ActivityFailure, condition, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ReceiptPollRequest } from '../activities/receipt-poll';
import type { ReceiptNotice, ReceiptPolicy } from '../shared/contract';
import { RECEIPT_POLL } from './activity-options';
import type { StepReport } from './failover';
import { STEP } from './step-summaries';

const { pollReceipt } = proxyActivities<Activities>(RECEIPT_POLL);

/**
 * Waits for the delivery receipt: a push arrives as a signal (`pushed()`
 * turns non-null); between pushes we ask the vendor with backoff (first
 * interval doubling to a cap) until the window closes (`deadline`, epoch ms;
 * a re-routed send shares one window among its legs). Each wait and poll is
 * named in the history (`receipt wait 30 s, then receipt poll 1`, `receipt
 * poll 1`). Null means no receipt.
 */
export async function awaitReceipt(
  pushed: () => ReceiptNotice | null,
  poll: ReceiptPollRequest,
  policy: ReceiptPolicy,
  report: StepReport,
  deadline: number,
): Promise<ReceiptNotice | null> {
  let interval = policy.pollFirstSeconds * 1000;
  for (let n = 1; Date.now() < deadline; n += 1) {
    const wait = Math.min(interval, deadline - Date.now());
    const summary = STEP.receiptWait(n, wait);
    report(summary);
    if (await condition(() => pushed() !== null, wait, { summary })) return pushed();
    const polled = await pollOnce(poll, n, report);
    if (polled) return polled;
    interval = Math.min(interval * 2, policy.pollMaxSeconds * 1000);
  }
  return pushed();
}

/** A vendor pull API that keeps failing is a miss, not the end of the send: keep waiting for a push. */
async function pollOnce(poll: ReceiptPollRequest, n: number, report: StepReport): Promise<ReceiptNotice | null> {
  const summary = STEP.receiptPoll(n);
  report(summary);
  try {
    return await pollReceipt.executeWithOptions({ summary }, [poll]);
  } catch (error) {
    if (error instanceof ActivityFailure) return null;
    throw error;
  }
}
