import type { PrismaClient } from '../generated/prisma/client';
import { countFinalState } from '../activities/send-records';
import type { Metrics } from '../observability/metrics';
import type { ReceiptNotice } from '../shared/contract';
import { finalStateOfReceipt, mayBeRerouted } from '../shared/receipt-outcome';
import type { Channel } from '../shared/states';

/** What the push did with a receipt, and whether its send's workflow still needs the signal. */
export interface PushRecord {
  /** The run the final state was written for (the signal says so: `recordedBy`); null: not written here. */
  recordedBy: string | null;
  /**
   * False when the row already holds the final state this receipt says, for the run whose acceptance it
   * reports: written by the vendor step that found the receipt, or by the workflow, so the run has it. A
   * run a reset started after the vendor step finds it by its first receipt poll (our table first).
   */
  signal: boolean;
}

/**
 * A pushed receipt that decides its send, recorded as the send's final state where it is stored, so
 * the workflow, told so by the signal (`recordedBy`), records nothing more. Only for the run that holds
 * the acceptance and owns the row, while the row is SENT with this very acceptance of its first leg:
 * an earlier run's receipt (a reset or retry sent again), a send already final, a re-routed send (its
 * final state names the re-routes) or a failed receipt another vendor may fix (the workflow decides
 * whether it re-routes) is left to the workflow.
 */
export async function recordFinalOnPush(
  prisma: PrismaClient,
  metrics: Metrics,
  account: { id: string; provider: string; channel: Channel },
  pushed: { sendId: string; runId: string | null; notice: ReceiptNotice },
): Promise<PushRecord> {
  const { sendId, runId, notice } = pushed;
  if (!runId || mayBeRerouted(notice)) return { recordedBy: null, signal: true };
  const final = finalStateOfReceipt(notice);
  const { count } = await prisma.send.updateMany({
    where: {
      id: sendId, runId, status: 'SENT', accountId: account.id, vendorMessageId: notice.vendorMessageId,
      // A re-routed send's final state carries its re-routes as the detail: the workflow writes that one.
      attempts: { none: { runId, leg: { gt: 1 } } },
    },
    data: { ...final, finishedAt: new Date() },
  });
  if (count > 0) {
    countFinalState(metrics, { ...final, channel: account.channel, provider: account.provider });
    return { recordedBy: runId, signal: true };
  }
  // The vendor step (it found the receipt) or the workflow wrote this state for this run already: it knows.
  const known = await prisma.send.count({ where: { id: sendId, runId, accountId: account.id, vendorMessageId: notice.vendorMessageId, status: final.status } });
  return { recordedBy: null, signal: known === 0 };
}
