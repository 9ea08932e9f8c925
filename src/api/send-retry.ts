import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Prisma } from '../generated/prisma/client';
import { replaceRun } from '../sending/send-runs';
import { sendWorkflowId } from '../shared/contract';
import { isFinal, RETRYABLE_STATUSES, type SendStatus } from '../shared/states';
import type { ApiDeps } from './deps';
import { HttpError } from './http-error';

/** Longest a retry waits for another retry of the same send, and takes itself (a reset is one Temporal call). */
const RETRY_WAIT_MS = 20_000;

export interface RetryAnswer {
  sendId: string;
  outcome: 'RETRIED' | 'ALREADY_RETRIED';
  how: 'RESET';
  runNo: number;
  runId: string;
  previousRunId: string;
  previousStatus: string;
  previousReason: string | null;
  status: string;
  message: string;
}

/**
 * Retries a send that ended FAILED, EXPIRED or UNDELIVERED by resetting its workflow to its first
 * workflow task, the same call the Temporal UI's Reset makes: the same send id and workflow id, a
 * new run that goes through screening, dedup, the night shield, the vendors and the receipt again.
 * The earlier run's signals and updates are not replayed into the new run (its receipts and
 * cancels belong to it). The earlier run's outcome is kept (send_run, with who asked); the send row
 * follows the new run at once.
 *
 * Idempotent: retries of one send take a lock in Postgres one after the other, and a repeat while the
 * retried run goes (or after it ended) answers ALREADY_RETRIED with that run.
 */
export function retrySend(deps: ApiDeps, sendId: string, by: string): Promise<RetryAnswer> {
  return deps.prisma.$transaction((tx) => retryLocked(deps, tx, sendId, by), { maxWait: RETRY_WAIT_MS, timeout: RETRY_WAIT_MS });
}

/** The retry under a per-send lock: a second request for the same send waits, then finds the first one's run. */
async function retryLocked(deps: ApiDeps, tx: Prisma.TransactionClient, sendId: string, by: string): Promise<RetryAnswer> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${sendId}, 0))`;
  const send = await tx.send.findUniqueOrThrow({ where: { id: sendId }, select: { status: true, reason: true, runId: true, runNo: true } });
  const status = send.status as SendStatus;
  if (!RETRYABLE_STATUSES.has(status)) return alreadyRetried(tx, sendId, send);

  const handle = deps.temporal.workflow.getHandle(sendWorkflowId(sendId));
  let currentRunId: string;
  try {
    currentRunId = (await handle.describe()).runId;
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    throw new HttpError(409, 'WORKFLOW_GONE', `the workflow of send ${sendId} is no longer in Temporal (past its retention): it cannot be re-run; send the message again`, { status, reason: send.reason });
  }
  const previousRunId = send.runId ?? currentRunId;
  if (currentRunId !== previousRunId) {
    // A reset started a newer run that has not written yet: that run is the retry.
    return retried('ALREADY_RETRIED', sendId, send, previousRunId, currentRunId);
  }
  const runId = await resetToFirstWorkflowTask(deps.temporal, sendWorkflowId(sendId), previousRunId, {
    reason: `retry by ${by} (POST /v1/sends/${sendId}/retry): run ${send.runNo} ended ${status}${send.reason ? ` ${send.reason}` : ''}`,
    requestId: `retry-${previousRunId}`,
    identity: `herald api (${by})`,
  });
  await replaceRun(tx, { sendId, fromRunId: previousRunId, toRunId: runId, how: 'RETRY', requestedBy: by });
  return retried('RETRIED', sendId, send, previousRunId, runId);
}

/**
 * Resets a send's workflow run to its first workflow task: a new run of the same workflow that
 * starts from the beginning. Signals and updates of the old run are not reapplied.
 * Returns the new run's id.
 */
export async function resetToFirstWorkflowTask(
  client: Client,
  workflowId: string,
  runId: string,
  request: { reason: string; requestId: string; identity: string },
): Promise<string> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const firstTask = history.events?.find((event) => event.workflowTaskCompletedEventAttributes);
  if (!firstTask?.eventId) throw new HttpError(409, 'NOT_RESETTABLE', `run ${runId} of ${workflowId} has not completed a workflow task yet`);
  const { ResetReapplyExcludeType } = temporal.api.enums.v1;
  const answer = await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId, runId },
    workflowTaskFinishEventId: firstTask.eventId,
    resetReapplyExcludeTypes: [ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL, ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE],
    ...request,
  });
  return answer.runId;
}

type SendState = { status: string; reason: string | null; runId: string | null; runNo: number };

/** A send that is not FAILED, EXPIRED or UNDELIVERED: the retry that already re-ran it, or a 409 that says why not. */
async function alreadyRetried(tx: Prisma.TransactionClient, sendId: string, send: SendState): Promise<RetryAnswer> {
  const replaced = send.runId ? await tx.sendRun.findFirst({ where: { sendId, replacedByRunId: send.runId, replacedHow: 'RETRY' } }) : null;
  if (replaced && send.runId) {
    return retried('ALREADY_RETRIED', sendId, { ...send, status: replaced.status, reason: replaced.reason, runNo: replaced.runNo }, replaced.runId, send.runId, send.status);
  }
  const why = isFinal(send.status as SendStatus)
    ? `it ended ${send.status}${send.reason ? ` (${send.reason})` : ''}, which a retry does not change`
    : `it is still going (${send.status}): nothing to retry yet`;
  throw new HttpError(409, 'NOT_RETRYABLE', `only FAILED, EXPIRED or UNDELIVERED sends can be retried; send ${sendId}: ${why}`, { status: send.status, reason: send.reason });
}

function retried(outcome: RetryAnswer['outcome'], sendId: string, previous: SendState, previousRunId: string, runId: string, status = 'QUEUED'): RetryAnswer {
  return {
    sendId,
    outcome,
    how: 'RESET',
    runNo: previous.runNo + 1,
    runId,
    previousRunId,
    previousStatus: previous.status,
    previousReason: previous.reason,
    status,
    message: `${outcome === 'RETRIED' ? 'reset' : 'already reset'} to its first workflow task: run ${previous.runNo + 1} of send-${sendId} re-runs the send after run ${previous.runNo} ended ${previous.status}${previous.reason ? ` ${previous.reason}` : ''}`,
  };
}
