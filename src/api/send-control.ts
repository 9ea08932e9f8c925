import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { cancelUpdate, sendNowUpdate, sendWorkflowId, type SendControlAnswer } from '../shared/contract';
import { SEND_CONTROL_REFUSED_TYPE } from '../shared/failures';
import { isFinal, NOT_STARTED_STATUSES, type SendStatus } from '../shared/states';
import type { ApiDeps } from './deps';

export type CancelOutcome = 'CANCELED' | 'ALREADY_FINAL' | 'AT_VENDOR';

export interface CancelAnswer {
  sendId: string;
  outcome: CancelOutcome;
  status: SendStatus;
  message: string;
}

/** The states a cancel may stop, as the send row says; the workflow's update validator decides. */
const WAITING: ReadonlySet<SendStatus> = new Set<SendStatus>(['ACCEPTED', 'SCHEDULED', 'QUEUED', 'DEFERRED']);
/** Longest the API waits for a send's workflow to act on an update (a worker must pick it up). */
const UPDATE_WAIT_MS = 15_000;

function answer(sendId: string, status: SendStatus, canceledBy: string): CancelAnswer {
  if (status === 'CANCELED') return { sendId, outcome: 'CANCELED', status, message: `canceled by ${canceledBy}` };
  if (isFinal(status)) return { sendId, outcome: 'ALREADY_FINAL', status, message: `the send had already ended ${status}` };
  return { sendId, outcome: 'AT_VENDOR', status, message: 'the send is already at a vendor and cannot be recalled' };
}

/**
 * Runs a send-control update on the send's workflow: its answer, or the state its validator
 * refused in (nothing was written to the history then). Throws WorkflowNotFoundError when no
 * run is open (not started yet, or finished).
 */
async function controlSend(
  temporal: Client,
  sendId: string,
  update: UpdateDefinition<SendControlAnswer, [{ by: string }]>,
  by: string,
): Promise<{ applied: boolean; state: SendControlAnswer }> {
  const handle = temporal.workflow.getHandle(sendWorkflowId(sendId));
  try {
    return { applied: true, state: await temporal.withDeadline(Date.now() + UPDATE_WAIT_MS, () => handle.executeUpdate(update, { args: [{ by }] })) };
  } catch (error) {
    const cause = error instanceof WorkflowUpdateFailedError ? error.cause : null;
    if (!(cause instanceof ApplicationFailure && cause.type === SEND_CONTROL_REFUSED_TYPE)) throw error;
    return { applied: false, state: cause.details?.[0] as SendControlAnswer };
  }
}

/**
 * Cancels a send that is still waiting (scheduled, queued, deferred, or not yet started by the
 * outbox relay), through the workflow's cancel update: it checks and cancels in one step, and
 * answers once the send is final. A send already handed to a vendor cannot be recalled; the
 * answer says so.
 */
export async function cancelSend(deps: ApiDeps, sendId: string, by: string): Promise<CancelAnswer> {
  const send = await deps.prisma.send.findUniqueOrThrow({ where: { id: sendId }, select: { status: true } });
  const stored = send.status as SendStatus;
  if (!WAITING.has(stored)) return answer(sendId, stored, by);
  try {
    const { state } = await controlSend(deps.temporal, sendId, cancelUpdate, by);
    return answer(sendId, state.status, by);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    // No run open: not started yet, so end it in the database (no run wrote it); the outbox relay skips sends that are final.
    const { count } = await deps.prisma.send.updateMany({
      where: { id: sendId, runId: null, status: { in: [...NOT_STARTED_STATUSES] } },
      data: { status: 'CANCELED', reason: 'CANCELED', reasonDetail: `canceled by ${by} before start`, finishedAt: new Date() },
    });
    if (count === 1) return answer(sendId, 'CANCELED', by);
    // The workflow started (or ended) meanwhile: ask it once more, no further.
    if (NOT_STARTED_STATUSES.some((status) => status === stored)) return cancelSend(deps, sendId, by);
    const now = await deps.prisma.send.findUniqueOrThrow({ where: { id: sendId }, select: { status: true } });
    return answer(sendId, now.status as SendStatus, by);
  }
}

export type SendNowOutcome = 'RELEASED' | 'NOT_DEFERRED';

/** Releases a deferred send before its release time, through the workflow's send-now update (refused unless DEFERRED). */
export async function releaseDeferredSend(deps: ApiDeps, sendId: string, by: string): Promise<{ sendId: string; outcome: SendNowOutcome; status: SendStatus }> {
  try {
    const { applied, state } = await controlSend(deps.temporal, sendId, sendNowUpdate, by);
    return { sendId, outcome: applied ? 'RELEASED' : 'NOT_DEFERRED', status: state.status };
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    const send = await deps.prisma.send.findUniqueOrThrow({ where: { id: sendId }, select: { status: true } });
    return { sendId, outcome: 'NOT_DEFERRED', status: send.status as SendStatus };
  }
}
