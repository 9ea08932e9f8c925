import { FINAL_STATUSES, type SendStatus } from '../../src/shared/states';
import { eventually, type RunningHerald } from './herald';

let receiverCounter = 0;

/** A distinct mainland number the sandbox delivers (it never ends in the magic 0000 / 0001). */
export function deliverableReceiver(): string {
  receiverCounter += 1;
  return `+86139${String(Date.now() % 10_000).padStart(4, '0')}${String(receiverCounter).padStart(3, '0')}7`;
}

/** What happened to each send, counted where each count lives. */
export interface SendLedger {
  status: SendStatus;
  /** Workflow executions with id send-<sendId> in Temporal. */
  workflowRuns: number;
  /** Messages the sandbox vendor accepted for this send (its idempotency key is the sendId). */
  vendorMessages: number;
  /** Send calls the vendor answered as accepted for this send (a repeated clientRef included). */
  vendorCalls: number;
  /** Attempt rows Herald recorded as ACCEPTED. */
  acceptedAttempts: number;
}

/**
 * Waits until every send is final, then counts workflow runs, vendor messages
 * and accepted attempts per send: the evidence that nothing was lost (every
 * send final) and nothing doubled (one of each).
 */
export async function ledgerOf(herald: RunningHerald, sendIds: string[], timeoutMs = 90_000): Promise<Map<string, SendLedger>> {
  const { prisma } = herald.deps;
  const sends = await eventually(async () => {
    const rows = await prisma.send.findMany({ where: { id: { in: sendIds } }, select: { id: true, status: true } });
    return rows.length === sendIds.length && rows.every((row) => FINAL_STATUSES.has(row.status as SendStatus)) ? rows : undefined;
  }, timeoutMs, 250);
  const attempts = await prisma.sendAttempt.groupBy({ by: ['sendId'], where: { sendId: { in: sendIds }, outcome: 'ACCEPTED' }, _count: true });
  const runs = new Map<string, number>();
  for await (const run of herald.temporal.client.workflow.list({ query: `TaskQueue = "${herald.deps.config.TEMPORAL_TASK_QUEUE}"` })) {
    runs.set(run.workflowId, (runs.get(run.workflowId) ?? 0) + 1);
  }
  const atVendor = herald.vendor.sent();
  return new Map(sends.map((send) => {
    const vendorRecords = atVendor.filter((record) => record.clientRef === send.id);
    return [send.id, {
      status: send.status as SendStatus,
      workflowRuns: runs.get(`send-${send.id}`) ?? 0,
      vendorMessages: vendorRecords.length,
      vendorCalls: vendorRecords.reduce((sum, record) => sum + record.calls, 0),
      acceptedAttempts: attempts.find((row) => row.sendId === send.id)?._count ?? 0,
    }];
  }));
}

/** Asserts each send was delivered once: one workflow run, one vendor message, one accepted attempt. */
export async function expectDeliveredOnce(herald: RunningHerald, sendIds: string[], timeoutMs?: number): Promise<Map<string, SendLedger>> {
  const ledger = await ledgerOf(herald, sendIds, timeoutMs);
  for (const [sendId, counts] of ledger) {
    expect({ sendId, status: counts.status, workflowRuns: counts.workflowRuns, vendorMessages: counts.vendorMessages, acceptedAttempts: counts.acceptedAttempts })
      .toEqual({ sendId, status: 'DELIVERED', workflowRuns: 1, vendorMessages: 1, acceptedAttempts: 1 });
  }
  return ledger;
}
