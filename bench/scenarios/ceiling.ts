import { randomUUID } from 'node:crypto';
import { CEILING_TASK_QUEUE } from '../ceiling/activities';
import { round, type Figures } from '../figures';
import { meterCpu } from '../process-stats';
import type { BenchStack } from '../stack';
import { historyShape } from './history-size';

const START_CONCURRENCY = 32;

/**
 * Temporal's ceiling on this machine: the same dev server running the
 * smallest workflow that does one activity, N times, 32 starts at a time. The
 * ratio of issue #7 uses runs that each wait for their result (at most 32 in
 * flight); a second pass starts them like Herald's starter, all in flight at once, and gives
 * the CPU a run costs (the anchor of Herald's CPU per send).
 */
export async function measureCeiling(
  stack: BenchStack,
  runs: number,
): Promise<{ title: string; figures: Figures; runsPerSecond: number; allInFlightPerSecond: number; eventsPerRun: number; cpuMsPerRun: number }> {
  const worker = stack.spawnEntry('ceiling-worker', 'bench/ceiling/worker.ts');
  const client = stack.temporal.client;
  const start = async (): Promise<string> => {
    const workflowId = `ceiling-${randomUUID()}`;
    await client.workflow.start('oneActivity', { taskQueue: CEILING_TASK_QUEUE, workflowId, workflowExecutionTimeout: '5 minutes' });
    return workflowId;
  };
  /** N runs, 32 starts at a time; `waitEach`: each lane waits for its run's result before the next start (at most 32 in flight). */
  const measure = async (waitEach: boolean): Promise<{ seconds: number; ids: string[] }> => {
    const started = Date.now();
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: START_CONCURRENCY }, async () => {
        while (next++ < runs) {
          const id = await start();
          ids.push(id);
          if (waitEach) await client.workflow.getHandle(id).result();
        }
      }),
    );
    if (!waitEach) await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));
    return { seconds: (Date.now() - started) / 1000, ids };
  };
  try {
    await client.workflow.getHandle(await start()).result(); // warm-up: the worker is polling and its workflow bundle is built
    const bounded = await measure(true);
    const shape = await historyShape(client, bounded.ids.slice(0, 20));
    // Like Herald's starter: 32 starts at a time, none waits for a result, so every run is in flight at once.
    const cpu = meterCpu([{ name: 'ceiling worker', pid: worker.pid }, ...stack.supporting.filter((p) => p.name === 'temporal')]);
    const allInFlight = await measure(false);
    const { machineMs, processMs } = cpu.per(runs);
    return {
      title: `Ceiling: ${runs} runs of a one-activity workflow on the same dev server`,
      runsPerSecond: runs / bounded.seconds,
      allInFlightPerSecond: runs / allInFlight.seconds,
      eventsPerRun: shape.events,
      cpuMsPerRun: machineMs,
      figures: {
        'all done after (s)': round(bounded.seconds, 2),
        'workflows/s': round(runs / bounded.seconds),
        'history events per run': round(shape.events),
        'workflow tasks per run': round(shape.workflowTasks),
        'Temporal actions per run': round(shape.actions, 1),
        'started like Herald (all in flight): all done after (s)': round(allInFlight.seconds, 2),
        'started like Herald (all in flight): workflows/s': round(runs / allInFlight.seconds),
        'started like Herald: CPU ms per run, whole machine': Math.round(machineMs),
        ...Object.fromEntries(processMs.map(({ name, ms }) => [`started like Herald: CPU ms per run, ${name}`, Math.round(ms)])),
      },
    };
  } finally {
    await worker.stop();
  }
}
