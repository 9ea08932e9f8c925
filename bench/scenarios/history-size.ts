import type { Client } from '@temporalio/client';

/** Mean number of history events over a sample of workflows (what each one costs Temporal to store and replay). */
export async function meanHistoryEvents(client: Client, workflowIds: string[]): Promise<number> {
  const counts = await Promise.all(
    workflowIds.map(async (id) => (await client.workflow.getHandle(id).fetchHistory()).events?.length ?? 0),
  );
  return counts.reduce((sum, n) => sum + n, 0) / Math.max(1, counts.length);
}
