import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

export interface HistoryShape {
  /** Mean events per workflow: what each one costs Temporal to store and replay. */
  events: number;
  /** Mean completed workflow tasks per workflow: each one a round trip worker ↔ server and a history write. */
  workflowTasks: number;
  /** Mean search-attribute upserts per workflow: each one also a visibility write. */
  searchAttributeUpserts: number;
  /**
   * Where a workflow's time goes: mean milliseconds between consecutive events, by the pair
   * of event types (e.g. `WORKFLOW_TASK_SCHEDULED → WORKFLOW_TASK_STARTED` is the wait for a
   * worker to pick the task up), the largest first.
   */
  gaps: Array<{ between: string; ms: number }>;
  /**
   * Mean billable Temporal actions per workflow, counted as Temporal Cloud counts them: the start,
   * each activity scheduled, timer, signal received, search-attribute upsert, child or external
   * signal, and each workflow task that recorded local activities (one action per batch).
   */
  actions: number;
}

const ACTION_EVENTS = new Set<temporal.api.enums.v1.EventType>([
  temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
  temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
  temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_STARTED,
  temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  temporal.api.enums.v1.EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  temporal.api.enums.v1.EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
  temporal.api.enums.v1.EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
  temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
]);

/** Billable actions of one history (see HistoryShape.actions). */
function actionsOf(events: temporal.api.history.v1.IHistoryEvent[]): number {
  let actions = 0;
  let localActivityBatch = false;
  for (const event of events) {
    if (event.eventType !== null && event.eventType !== undefined && ACTION_EVENTS.has(event.eventType)) actions += 1;
    if (event.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && event.markerRecordedEventAttributes?.markerName === 'core_local_activity') localActivityBatch = true;
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED || event === events[events.length - 1]) {
      if (localActivityBatch) actions += 1;
      localActivityBatch = false;
    }
  }
  return actions;
}

const { EventType } = temporal.api.enums.v1;

/** The shape of the histories of a sample of workflows. */
export async function historyShape(client: Client, workflowIds: string[]): Promise<HistoryShape> {
  const histories = await Promise.all(workflowIds.map(async (id) => (await client.workflow.getHandle(id).fetchHistory()).events ?? []));
  const mean = (count: (events: (typeof histories)[number]) => number): number =>
    histories.reduce((sum, events) => sum + count(events), 0) / Math.max(1, histories.length);
  const gaps = new Map<string, number>();
  for (const events of histories) {
    for (let i = 1; i < events.length; i += 1) {
      const between = `${shortType(events[i - 1].eventType)} → ${shortType(events[i].eventType)}`;
      const ms = (optionalTsToMs(events[i].eventTime) ?? 0) - (optionalTsToMs(events[i - 1].eventTime) ?? 0);
      gaps.set(between, (gaps.get(between) ?? 0) + ms);
    }
  }
  return {
    gaps: [...gaps].map(([between, ms]) => ({ between, ms: ms / Math.max(1, histories.length) })).sort((a, b) => b.ms - a.ms),
    events: mean((events) => events.length),
    workflowTasks: mean((events) => events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length),
    actions: mean(actionsOf),
    searchAttributeUpserts: mean((events) => events.filter((e) => e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES).length),
  };
}

function shortType(type: temporal.api.enums.v1.EventType | null | undefined): string {
  return (EventType[type ?? 0] ?? '?').replace('EVENT_TYPE_', '');
}
