import { randomUUID } from 'node:crypto';
import { CEILING_TASK_QUEUE } from '../ceiling/activities';
import { round, type Figures } from '../figures';
import type { BenchStack } from '../stack';
import { historyShape } from './history-size';

const START_CONCURRENCY = 32;

/**
 * Temporal's ceiling on this machine: the same dev server running the
 * smallest workflow that does one activity, N times, started the way Herald
 * starts sends.
 */
export async function measureCeiling(stack: BenchStack, runs: number): Promise<{ title: string; figures: Figures; runsPerSecond: number }> {
  const worker = stack.spawnEntry('ceiling-worker', 'bench/ceiling/worker.ts');
  const client = stack.temporal.client;
  const run = async (): Promise<string> => {
    const workflowId = `ceiling-${randomUUID()}`;
    await client.workflow.execute('oneActivity', { taskQueue: CEILING_TASK_QUEUE, workflowId, workflowExecutionTimeout: '5 minutes' });
    return workflowId;
  };
  try {
    await run(); // warm-up: the worker is polling and its workflow bundle is built
    const started = Date.now();
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: START_CONCURRENCY }, async () => {
        while (next++ < runs) ids.push(await run());
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const shape = await historyShape(client, ids.slice(0, 20));
    return {
      title: `Ceiling: ${runs} runs of a one-activity workflow on the same dev server`,
      runsPerSecond: runs / seconds,
      figures: {
        'all done after (s)': round(seconds, 2),
        'workflows/s': round(runs / seconds),
        'history events per run': round(shape.events),
        'workflow tasks per run': round(shape.workflowTasks),
      },
    };
  } finally {
    await worker.stop();
  }
}
