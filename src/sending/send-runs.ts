import type { Prisma } from '../generated/prisma/client';

/** How a run came to replace the one before: a reset (the Temporal UI or CLI), or a retry (the API or `herald send retry`). */
export type ReplacedHow = 'RESET' | 'RETRY';

export interface RunReplacement {
  sendId: string;
  /** The run the send row shows now. */
  fromRunId: string;
  /** The run of the same workflow that replaces it (Temporal's current run). */
  toRunId: string;
  how: ReplacedHow;
  /** Who asked for a retry; null for a reset (its reason and identity are in the workflow history). */
  requestedBy: string | null;
}

/**
 * Hands a send's row from one run of its workflow to the next: the outcome the row shows is kept
 * as the earlier run's (`send_run`), and the row starts over for the new run (QUEUED, no reason,
 * no vendor evidence, run number + 1). Only from `fromRunId`, inside the caller's transaction
 * (`tx`): when the new run's first step and the retry API both hand it over, one moves it (the
 * earlier run's row is the lock) and a retry then names itself on that row. Attempts and receipts
 * stay where they are, with their run id.
 */
export async function replaceRun(tx: Prisma.TransactionClient, replacement: RunReplacement): Promise<void> {
  const { sendId, fromRunId, toRunId, how, requestedBy } = replacement;
  await tx.$executeRaw`
    INSERT INTO send_run (send_id, run_id, run_no, status, reason, reason_detail, vendor_code, vendor_text, account_id, provider,
                          vendor_message_id, sent_at, finished_at, replaced_how, replaced_by_run_id, requested_by)
    SELECT id, run_id, run_no, status, reason, reason_detail, vendor_code, vendor_text, account_id, provider,
           vendor_message_id, sent_at, finished_at, ${how}, ${toRunId}, ${requestedBy}
      FROM send WHERE id = ${sendId}::uuid AND run_id = ${fromRunId}
    ON CONFLICT (send_id, run_id) DO NOTHING`;
  await tx.send.updateMany({
    where: { id: sendId, runId: fromRunId },
    data: {
      runId: toRunId, runNo: { increment: 1 }, status: 'QUEUED', reason: null, reasonDetail: null, vendorCode: null, vendorText: null,
      accountId: null, provider: null, vendorMessageId: null, deferredUntil: null, dedupSkipped: false, collidedWithSendId: null,
      sentAt: null, finishedAt: null,
    },
  });
  if (how === 'RETRY') await tx.sendRun.updateMany({ where: { sendId, runId: fromRunId, replacedByRunId: toRunId }, data: { replacedHow: how, requestedBy } });
}
