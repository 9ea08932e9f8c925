import { WorkflowNotFoundError } from '@temporalio/client';
import { cancelSignal, progressQuery, sendNowSignal, sendWorkflowId } from '../shared/contract';
import { isFinal, NOT_STARTED_STATUSES, type SendStatus } from '../shared/states';
import type { ApiDeps } from './deps';

export type CancelOutcome = 'CANCELED' | 'ALREADY_FINAL' | 'AT_VENDOR';

export interface CancelAnswer {
  sendId: string;
  outcome: CancelOutcome;
  status: SendStatus;
  message: string;
}

const WAITING: ReadonlySet<SendStatus> = new Set<SendStatus>(['ACCEPTED', 'SCHEDULED', 'QUEUED', 'DEFERRED']);
const SETTLE_POLLS = 40;
const SETTLE_INTERVAL_MS = 50;

/** The workflow's own view of the send, polled until it leaves the waiting states or the wait ends. */
async function settledStatus(deps: ApiDeps, sendId: string): Promise<SendStatus> {
  const handle = deps.temporal.workflow.getHandle(sendWorkflowId(sendId));
  let status: SendStatus = 'QUEUED';
  for (let i = 0; i < SETTLE_POLLS; i += 1) {
    status = (await handle.query(progressQuery)).status;
    if (!WAITING.has(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_INTERVAL_MS));
  }
  return status;
}

function answer(sendId: string, status: SendStatus, canceledBy: string | null): CancelAnswer {
  if (status === 'CANCELED') return { sendId, outcome: 'CANCELED', status, message: `canceled by ${canceledBy ?? 'caller'}` };
  if (isFinal(status)) return { sendId, outcome: 'ALREADY_FINAL', status, message: `the send had already ended ${status}` };
  return { sendId, outcome: 'AT_VENDOR', status, message: 'the send is already at a vendor and cannot be recalled' };
}

/**
 * Cancels a send that is still waiting (scheduled, queued, deferred, or not
 * yet started by the outbox relay). A send already handed to a vendor cannot be recalled;
 * the answer says so.
 */
export async function cancelSend(deps: ApiDeps, sendId: string, by: string): Promise<CancelAnswer> {
  const send = await deps.prisma.send.findUniqueOrThrow({ where: { id: sendId }, select: { status: true } });
  const stored = send.status as SendStatus;
  if (!WAITING.has(stored)) return answer(sendId, stored, by);
  try {
    await deps.temporal.workflow.getHandle(sendWorkflowId(sendId)).signal(cancelSignal, { by });
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    // Not started yet: end it in the database; the outbox relay skips sends that are final.
    const { count } = await deps.prisma.send.updateMany({
      where: { id: sendId, status: { in: [...NOT_STARTED_STATUSES] } },
      data: { status: 'CANCELED', reason: 'CANCELED', reasonDetail: `canceled by ${by} before start`, finishedAt: new Date() },
    });
    if (count === 1) return answer(sendId, 'CANCELED', by);
    // The workflow started (or ended) meanwhile: ask it once more, no further.
    if (NOT_STARTED_STATUSES.some((status) => status === stored)) return cancelSend(deps, sendId, by);
    const now = await deps.prisma.send.findUniqueOrThrow({ where: { id: sendId }, select: { status: true } });
    return answer(sendId, now.status as SendStatus, by);
  }
  return answer(sendId, await settledStatus(deps, sendId), by);
}

export type SendNowOutcome = 'RELEASED' | 'NOT_DEFERRED';

/** Releases a deferred send before its release time. */
export async function releaseDeferredSend(deps: ApiDeps, sendId: string): Promise<{ sendId: string; outcome: SendNowOutcome; status: SendStatus }> {
  const handle = deps.temporal.workflow.getHandle(sendWorkflowId(sendId));
  const progress = await handle.query(progressQuery);
  if (progress.status !== 'DEFERRED') return { sendId, outcome: 'NOT_DEFERRED', status: progress.status };
  await handle.signal(sendNowSignal);
  return { sendId, outcome: 'RELEASED', status: progress.status };
}
