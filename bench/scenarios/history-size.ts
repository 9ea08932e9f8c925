import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface HistoryShape {
  /** Mean events per workflow: what each one costs Temporal to store and replay. */
  events: number;
  /** Mean completed workflow tasks per workflow: each one a round trip worker ↔ server and a history write. */
  workflowTasks: number;
  /** Mean search-attribute upserts per workflow: each one also a visibility write. */
  searchAttributeUpserts: number;
}

const { EventType } = temporal.api.enums.v1;

/** The shape of the histories of a sample of workflows. */
export async function historyShape(client: Client, workflowIds: string[]): Promise<HistoryShape> {
  const histories = await Promise.all(workflowIds.map(async (id) => (await client.workflow.getHandle(id).fetchHistory()).events ?? []));
  const mean = (count: (events: (typeof histories)[number]) => number): number =>
    histories.reduce((sum, events) => sum + count(events), 0) / Math.max(1, histories.length);
  return {
    events: mean((events) => events.length),
    workflowTasks: mean((events) => events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length),
    searchAttributeUpserts: mean((events) => events.filter((e) => e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES).length),
  };
}
