import { defaultPayloadConverter } from '@temporalio/common';
import { optionalTsToDate, optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { DedupVerdict } from '../activities/dedup';
import type { PreparedSend } from '../activities/prepare-send';
import type { VendorSendResult } from '../activities/vendor-send';
import type { ReceiptNotice } from '../shared/contract';
import { finalStateOfReceipt } from '../shared/receipt-outcome';
import { formatWait, RECORDED_WHERE, STEP, type RecordedWith } from '../workflows/step-summaries';
import { compact, type TraceEvent, type TraceStep } from './trace-event';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The name core gives the marker of a local activity (our quick steps run as local activities). */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** Which step of the send path an activity (or local activity) belongs to. */
const ACTIVITY_STEPS: Record<string, TraceStep> = {
  routeAfterNightShield: 'vendor',
  sendViaAccount: 'vendor',
  awaitStoreReachable: 'vendor',
  verifyAttempt: 'vendor',
  pollReceipt: 'receipt',
  startFallback: 'status',
  recordState: 'status',
  recordFinalState: 'status',
};

/** A timer means a different wait depending on where the send is: its scheduled time, quiet hours, a rate-limit hold, the receipt wait. */
const TIMER_STEPS: Record<string, TraceStep> = { SCHEDULED: 'schedule', DEFERRED: 'night shield', SENDING: 'vendor', SENT: 'receipt' };

/** Which step an update belongs to. */
const UPDATE_STEPS: Record<string, TraceStep> = { cancel: 'status', sendNow: 'night shield' };

/** The summary a workflow step was given (step-summaries.ts), as the Temporal UI shows it; null when it has none. */
export function summaryOf(event: HistoryEvent): string | null {
  const summary = decode(event.userMetadata?.summary);
  return typeof summary === 'string' ? summary : null;
}

/** One run's history as the trace shows it. */
export interface RunHistory {
  /** The run's number among the send's runs (1: the first). */
  runNo: number;
  events: HistoryEvent[];
}

/**
 * The workflow history of a send's run as readable trace lines, each step named by its summary:
 * activities (with retries and failures), local activities, timers, signals, updates, search
 * attribute changes, a reset, and how the run ended. Workflow-task bookkeeping is left out. The
 * workflow input (which holds the receiver) is never shown. A run a reset started begins with a
 * copy of the events of the run before up to the reset point: those are left to that run's own
 * lines.
 */
export function eventsFromHistory({ runNo, events }: RunHistory): TraceEvent[] {
  const activities = new Map<string, { name: string; summary: string }>();
  let status = 'QUEUED';
  let ownEvents = runNo === 1;
  const lines: TraceEvent[] = [];
  const add = (event: HistoryEvent, step: TraceStep, what: string) => {
    if (!ownEvents) return;
    lines.push({ at: optionalTsToDate(event.eventTime) ?? new Date(0), source: 'workflow', step, what, run: runNo, evidence: `run ${runNo} history event ${String(event.eventId)}` });
  };

  /** A final state a receipt decided, written by the vendor step or where the push was stored (no local activity of its own). */
  const addFinalRecorded = (event: HistoryEvent, found: Pick<VendorSendResult, 'receipt' | 'finalRecordedBy'> | null, where: RecordedWith) => {
    if (!found?.receipt || !found.finalRecordedBy) return;
    const { status, reason } = finalStateOfReceipt(found.receipt);
    add(event, 'status', `${STEP.record(status, reason)} done: written ${RECORDED_WHERE[where]} (run ${found.finalRecordedBy})`);
  };

  for (const event of events) {
    const summary = summaryOf(event);
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) add(event, 'workflow', `workflow ${started.workflowType?.name ?? '?'} started on task queue ${started.taskQueue?.name ?? '?'}${summary ? `: ${summary}` : ''}`);

    const taskFailed = event.workflowTaskFailedEventAttributes;
    if (taskFailed?.cause === temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW) {
      ownEvents = true;
      add(event, 'workflow', `run ${runNo} began: a reset of run ${taskFailed.baseRunId ?? '?'} (${taskFailed.failure?.message || 'no reason given'})`);
    } else if (taskFailed) {
      add(event, 'workflow', `workflow task failed (${String(taskFailed.cause ?? '?')}): ${taskFailed.failure?.message ?? '?'}`);
    }

    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName === LOCAL_ACTIVITY_MARKER) {
      const data = decode<{ activity_type?: string; attempt?: number }>(marker.details?.data?.payloads?.[0]);
      const name = data?.activity_type ?? 'local activity';
      const title = summary ?? name;
      const attempt = data?.attempt && data.attempt > 1 ? ` on attempt ${data.attempt}` : '';
      const result = decode(marker.details?.result?.payloads?.[0]);
      if (name === 'screeningDedupNightShield' && !marker.failure) {
        for (const [step, what] of preparationSteps(result as PreparedSend)) add(event, step, `${title}${attempt}: ${what}`);
      } else {
        const outcome = marker.failure ? `failed${attempt}: ${marker.failure.message ?? ''}` : `done${attempt}${result === null || result === undefined ? '' : `: ${compact(result)}`}`;
        add(event, ACTIVITY_STEPS[name] ?? 'workflow', `${title} ${outcome}`);
      }
    }

    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const name = scheduled.activityType?.name ?? 'activity';
      const title = summary ?? name;
      activities.set(String(event.eventId), { name, summary: title });
      add(event, ACTIVITY_STEPS[name] ?? 'workflow', `${title}: scheduled ${compact(decode(scheduled.input?.payloads?.[0]))}`);
    }
    const activityStarted = event.activityTaskStartedEventAttributes;
    if (activityStarted && (activityStarted.attempt ?? 1) > 1) {
      const activity = activities.get(String(activityStarted.scheduledEventId));
      add(event, stepOf(activity), `${activity?.summary ?? 'activity'}: retry, attempt ${activityStarted.attempt}; the attempt before failed: ${activityStarted.lastFailure?.message ?? '?'}`);
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed) {
      const activity = activities.get(String(completed.scheduledEventId));
      const result = decode(completed.result?.payloads?.[0]);
      add(event, stepOf(activity), `${activity?.summary ?? 'activity'}: completed ${compact(result)}`);
      if (activity?.name === 'sendViaAccount') addFinalRecorded(event, result as VendorSendResult | null, 'ACCEPTANCE');
    }
    const failed = event.activityTaskFailedEventAttributes;
    if (failed) {
      const activity = activities.get(String(failed.scheduledEventId));
      const type = failed.failure?.applicationFailureInfo?.type;
      add(event, stepOf(activity), `${activity?.summary ?? 'activity'}: failed: ${failed.failure?.message ?? '?'}${type ? ` (${type})` : ''}`);
    }
    const timedOut = event.activityTaskTimedOutEventAttributes;
    if (timedOut) {
      const activity = activities.get(String(timedOut.scheduledEventId));
      add(event, stepOf(activity), `${activity?.summary ?? 'activity'}: timed out: ${timedOut.failure?.message ?? '?'}`);
    }

    const timer = event.timerStartedEventAttributes;
    if (timer) {
      const wait = formatWait(optionalTsToMs(timer.startToFireTimeout) ?? 0);
      add(event, TIMER_STEPS[status] ?? 'workflow', `${summary ?? `timer ${timer.timerId ?? '?'}`}: waits ${wait} (while ${status})`);
    }
    if (event.timerFiredEventAttributes) add(event, TIMER_STEPS[status] ?? 'workflow', `timer ${event.timerFiredEventAttributes.timerId ?? '?'} fired: the wait is over`);
    if (event.timerCanceledEventAttributes) add(event, TIMER_STEPS[status] ?? 'workflow', `timer ${event.timerCanceledEventAttributes.timerId ?? '?'} canceled: the wait ended early`);

    const signal = event.workflowExecutionSignaledEventAttributes;
    if (signal) {
      const input = decode(signal.input?.payloads?.[0]);
      add(event, signal.signalName === 'receipt' ? 'receipt' : 'workflow', `signal ${signal.signalName ?? '?'}: ${compact(input)}`);
      if (signal.signalName === 'receipt') addFinalRecorded(event, { receipt: input as ReceiptNotice | null, finalRecordedBy: (input as ReceiptNotice | null)?.recordedBy }, 'PUSH');
    }

    const update = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    if (update) add(event, UPDATE_STEPS[update.name ?? ''] ?? 'workflow', `update ${update.name ?? '?'} accepted: ${compact(decode(update.args?.payloads?.[0]))}`);
    const updated = event.workflowExecutionUpdateCompletedEventAttributes;
    if (updated) add(event, 'workflow', `update answered: ${compact(decode(updated.outcome?.success?.payloads?.[0]) ?? updated.outcome?.failure?.message)}`);

    const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
    if (upsert) {
      const fields = Object.entries(upsert.searchAttributes?.indexedFields ?? {}).map(([key, payload]) => [key, decode(payload)] as const);
      const newStatus = fields.find(([key]) => key === 'HeraldStatus')?.[1];
      if (typeof newStatus === 'string') status = newStatus;
      add(event, 'status', `search attributes: ${fields.map(([key, value]) => `${key}=${value instanceof Object ? compact(value) : String(value)}`).join(', ')}`);
    }

    const done = event.workflowExecutionCompletedEventAttributes;
    if (done) add(event, 'workflow', `workflow completed: ${compact(decode(done.result?.payloads?.[0]))}`);
    const runFailed = event.workflowExecutionFailedEventAttributes?.failure;
    if (runFailed) add(event, 'workflow', `workflow failed (${runFailed.applicationFailureInfo?.type ?? '?'}): ${runFailed.message ?? '?'}`);
    if (event.workflowExecutionTerminatedEventAttributes) add(event, 'workflow', `workflow terminated: ${event.workflowExecutionTerminatedEventAttributes.reason ?? ''}`);
    if (event.workflowExecutionTimedOutEventAttributes) add(event, 'workflow', 'workflow timed out');
    if (event.workflowExecutionCanceledEventAttributes) add(event, 'workflow', 'workflow canceled');
  }
  return lines;
}

function stepOf(activity: { name: string } | undefined): TraceStep {
  return (activity && ACTIVITY_STEPS[activity.name]) ?? 'workflow';
}

/** The steps one `screeningDedupNightShield` local activity ran, one trace line each, as far as the send got. */
function preparationSteps(prepared: PreparedSend): Array<[TraceStep, string]> {
  if (prepared.outcome === 'CANCELED') return [['status', 'the send was canceled through the API before its workflow started']];
  const lines: Array<[TraceStep, string]> = [['status', 'QUEUED recorded']];
  if (prepared.outcome === 'SCREENED_OUT') return [...lines, ['screening', `${prepared.screen.outcome} ${prepared.screen.reason}: ${prepared.screen.detail}`]];
  lines.push(['screening', 'PASS'], ['dedup', `dedup ${dedupWords(prepared.dedup)}`]);
  if (prepared.outcome === 'SHIELDED') lines.push(['night shield', 'DROP: quiet hours']);
  if (prepared.outcome === 'DEFERRED') lines.push(['night shield', 'DEFER: DEFERRED recorded']);
  if (prepared.outcome === 'SENDING') lines.push(['night shield', 'SEND'], ['vendor', `SENDING recorded, route planned: ${compact(prepared.route)}`]);
  return lines;
}

function dedupWords(dedup: DedupVerdict): string {
  switch (dedup.outcome) {
    case 'PASS':
      return 'PASS: counted in the content window and the daily cap';
    case 'SKIPPED':
      return `SKIPPED: ${dedup.detail}`;
    case 'FILTERED':
      return `FILTERED ${dedup.reason}${dedup.collidedWithSendId ? `: collided with send ${dedup.collidedWithSendId}` : ''}`;
  }
}

/** A payload as the value it carries; null when there is none or it cannot be read. */
function decode<T = unknown>(payload: temporal.api.common.v1.IPayload | null | undefined): T | null {
  if (!payload) return null;
  try {
    return defaultPayloadConverter.fromPayload<T>(payload);
  } catch {
    return null;
  }
}
