import { defaultPayloadConverter } from '@temporalio/common';
import { optionalTsToDate, optionalTsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import type { PreparedSend } from '../activities/prepare-send';
import { compact, type TraceEvent, type TraceStep } from './trace-event';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The name core gives the marker of a local activity (our quick steps run as local activities). */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** Which step of the send path an activity belongs to. */
const ACTIVITY_STEPS: Record<string, TraceStep> = {
  screenReceiver: 'screening',
  checkDedup: 'dedup',
  planRoute: 'vendor',
  startSending: 'vendor',
  sendViaAccount: 'vendor',
  pollReceipt: 'receipt',
  recordStatus: 'status',
  finishSend: 'status',
};

/** A timer means a different wait depending on where the send is: its scheduled time, quiet hours, a rate-limit hold, the receipt wait. */
const TIMER_STEPS: Record<string, TraceStep> = { SCHEDULED: 'schedule', DEFERRED: 'night shield', SENDING: 'vendor', SENT: 'receipt' };

/**
 * The workflow history of a send as readable trace lines: activities (with
 * retries and failures), local activities, timers, signals, search attribute
 * changes and how the workflow ended. Workflow-task bookkeeping is left out.
 * The workflow input (which holds the receiver) is never shown.
 */
export function eventsFromHistory(events: HistoryEvent[]): TraceEvent[] {
  const activityNames = new Map<string, string>();
  let status = 'QUEUED';
  const lines: TraceEvent[] = [];
  const add = (event: HistoryEvent, step: TraceStep, what: string) => {
    lines.push({ at: optionalTsToDate(event.eventTime) ?? new Date(0), source: 'workflow', step, what, evidence: `history event ${String(event.eventId)}` });
  };

  for (const event of events) {
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) add(event, 'workflow', `workflow ${started.workflowType?.name ?? '?'} started on task queue ${started.taskQueue?.name ?? '?'}`);

    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName === LOCAL_ACTIVITY_MARKER) {
      const data = decode<{ activity_type?: string; attempt?: number }>(marker.details?.data?.payloads?.[0]);
      const name = data?.activity_type ?? 'local activity';
      const attempt = data?.attempt && data.attempt > 1 ? ` on attempt ${data.attempt}` : '';
      const result = decode(marker.details?.result?.payloads?.[0]);
      if (name === 'prepareSend' && !marker.failure) {
        for (const [step, what] of preparationSteps(result as PreparedSend)) add(event, step, `prepareSend${attempt}: ${what}`);
      } else {
        const outcome = marker.failure ? `failed${attempt}: ${marker.failure.message ?? ''}` : `completed${attempt}: ${compact(result)}`;
        add(event, ACTIVITY_STEPS[name] ?? 'workflow', `${name} ${outcome}`);
      }
    }

    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const name = scheduled.activityType?.name ?? 'activity';
      activityNames.set(String(event.eventId), name);
      add(event, ACTIVITY_STEPS[name] ?? 'workflow', `${name} scheduled: ${compact(decode(scheduled.input?.payloads?.[0]))}`);
    }
    const activityStarted = event.activityTaskStartedEventAttributes;
    if (activityStarted && (activityStarted.attempt ?? 1) > 1) {
      const name = activityNames.get(String(activityStarted.scheduledEventId)) ?? 'activity';
      add(event, ACTIVITY_STEPS[name] ?? 'workflow', `${name} retry, attempt ${activityStarted.attempt}; the attempt before failed: ${activityStarted.lastFailure?.message ?? '?'}`);
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed) {
      const name = activityNames.get(String(completed.scheduledEventId)) ?? 'activity';
      add(event, ACTIVITY_STEPS[name] ?? 'workflow', `${name} completed: ${compact(decode(completed.result?.payloads?.[0]))}`);
    }
    const failed = event.activityTaskFailedEventAttributes;
    if (failed) {
      const name = activityNames.get(String(failed.scheduledEventId)) ?? 'activity';
      const type = failed.failure?.applicationFailureInfo?.type;
      add(event, ACTIVITY_STEPS[name] ?? 'workflow', `${name} failed: ${failed.failure?.message ?? '?'}${type ? ` (${type})` : ''}`);
    }
    const timedOut = event.activityTaskTimedOutEventAttributes;
    if (timedOut) {
      const name = activityNames.get(String(timedOut.scheduledEventId)) ?? 'activity';
      add(event, ACTIVITY_STEPS[name] ?? 'workflow', `${name} timed out: ${timedOut.failure?.message ?? '?'}`);
    }

    const timer = event.timerStartedEventAttributes;
    if (timer) {
      const ms = optionalTsToMs(timer.startToFireTimeout) ?? 0;
      add(event, TIMER_STEPS[status] ?? 'workflow', `timer ${timer.timerId ?? '?'} started: waits ${formatDuration(ms)} (while ${status})`);
    }
    if (event.timerFiredEventAttributes) add(event, TIMER_STEPS[status] ?? 'workflow', `timer ${event.timerFiredEventAttributes.timerId ?? '?'} fired`);
    if (event.timerCanceledEventAttributes) add(event, TIMER_STEPS[status] ?? 'workflow', `timer ${event.timerCanceledEventAttributes.timerId ?? '?'} canceled: the wait ended early`);

    const signal = event.workflowExecutionSignaledEventAttributes;
    if (signal) {
      const step: TraceStep = signal.signalName === 'receipt' ? 'receipt' : 'night shield';
      add(event, step, `signal ${signal.signalName ?? '?'}: ${compact(decode(signal.input?.payloads?.[0]))}`);
    }

    const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
    if (upsert) {
      const fields = Object.entries(upsert.searchAttributes?.indexedFields ?? {}).map(([key, payload]) => [key, decode(payload)] as const);
      const newStatus = fields.find(([key]) => key === 'HeraldStatus')?.[1];
      if (typeof newStatus === 'string') status = newStatus;
      add(event, 'status', `search attributes: ${fields.map(([key, value]) => `${key}=${value instanceof Object ? compact(value) : String(value)}`).join(', ')}`);
    }

    const taskFailed = event.workflowTaskFailedEventAttributes;
    if (taskFailed) add(event, 'workflow', `workflow task failed (${String(taskFailed.cause ?? '?')}): ${taskFailed.failure?.message ?? '?'}`);

    const done = event.workflowExecutionCompletedEventAttributes;
    if (done) add(event, 'workflow', `workflow completed: ${compact(decode(done.result?.payloads?.[0]))}`);
    if (event.workflowExecutionFailedEventAttributes) add(event, 'workflow', `workflow failed: ${event.workflowExecutionFailedEventAttributes.failure?.message ?? '?'}`);
    if (event.workflowExecutionTerminatedEventAttributes) add(event, 'workflow', `workflow terminated: ${event.workflowExecutionTerminatedEventAttributes.reason ?? ''}`);
    if (event.workflowExecutionTimedOutEventAttributes) add(event, 'workflow', 'workflow timed out');
    if (event.workflowExecutionCanceledEventAttributes) add(event, 'workflow', 'workflow canceled');
  }
  return lines;
}

/** The steps one `prepareSend` local activity ran, one trace line each, as far as the send got. */
function preparationSteps(prepared: PreparedSend): Array<[TraceStep, string]> {
  if (prepared.outcome === 'CANCELED') return [['status', 'the send was already final (canceled before its workflow started)']];
  const lines: Array<[TraceStep, string]> = [['status', 'QUEUED recorded']];
  if (prepared.outcome === 'SCREENED_OUT') return [...lines, ['screening', `${prepared.screen.outcome} ${prepared.screen.reason}: ${prepared.screen.detail}`]];
  lines.push(['screening', 'PASS'], ['dedup', `dedup ${compact(prepared.dedup)}`]);
  if (prepared.outcome === 'SHIELDED') lines.push(['night shield', 'DROP: quiet hours']);
  if (prepared.outcome === 'DEFERRED') lines.push(['night shield', 'DEFER: DEFERRED recorded']);
  if (prepared.outcome === 'SENDING') lines.push(['night shield', 'SEND'], ['vendor', `SENDING recorded, route planned: ${compact(prepared.route)}`]);
  return lines;
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

function formatDuration(ms: number): string {
  if (ms < 60_000) return `${ms / 1000} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
