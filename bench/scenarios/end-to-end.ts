import { sendWorkflowId } from '../../src/shared/contract';
import { FINAL_STATUSES } from '../../src/shared/states';
import { percentile, round, waitUntil, type Figures } from '../figures';
import { meterCpu } from '../process-stats';
import { freshReceivers } from '../receivers';
import { sdkLatencyMeans } from '../sdk-metrics';
import type { BenchStack } from '../stack';
import { historyShape } from './history-size';
import { postMessage } from './requests';

const RECEIVERS_PER_REQUEST = 100;
const CONCURRENT_REQUESTS = 4;

/** Sends whose workflows ended, or are at least SENT, among those created since `since`. */
export async function countSends(stack: BenchStack, since: Date, sentOnly: boolean): Promise<number> {
  const where = sentOnly ? { createdAt: { gte: since }, sentAt: { not: null } } : { createdAt: { gte: since }, status: { in: [...FINAL_STATUSES] } };
  return stack.prisma.send.count({ where });
}

/**
 * N sends from the API to DELIVERED through the sandbox vendor, receipts
 * pushed at once: what a send costs end to end on this machine.
 */
export async function measureEndToEnd(
  stack: BenchStack,
  sends: number,
  herald: Array<{ name: string; pid: number }>,
): Promise<{ title: string; figures: Figures; sendsPerSecond: number; eventsPerSend: number; cpuMsPerSend: number; actionsPerSend: number }> {
  const since = new Date(Date.now() - 1000);
  const cpu = meterCpu([...herald, ...stack.supporting]);
  const batches = Array.from({ length: Math.ceil(sends / RECEIVERS_PER_REQUEST) }, (_, i) =>
    freshReceivers(Math.min(RECEIVERS_PER_REQUEST, sends - i * RECEIVERS_PER_REQUEST)),
  );
  const started = Date.now();
  let nextBatch = 0;
  const lanes = Array.from({ length: CONCURRENT_REQUESTS }, async () => {
    while (nextBatch < batches.length) {
      const answer = await postMessage(stack.apiUrl, stack.config, batches[nextBatch++]);
      if (answer.status !== 202) throw new Error(`POST /v1/messages answered ${answer.status}`);
    }
  });
  await Promise.all(lanes);
  const acceptedMs = Date.now() - started;
  await waitUntil(async () => (await countSends(stack, since, false)) >= sends, 60_000 + sends * 200, 500);
  const { machineMs, processMs } = cpu.per(sends);
  const rows = await stack.prisma.send.findMany({
    where: { createdAt: { gte: since } },
    select: { id: true, status: true, createdAt: true, sentAt: true, finishedAt: true },
  });
  const lastFinish = Math.max(...rows.map((r) => r.finishedAt?.getTime() ?? 0));
  const seconds = (lastFinish - started) / 1000;
  const toSent = rows.filter((r) => r.sentAt).map((r) => r.sentAt!.getTime() - r.createdAt.getTime());
  const toFinal = rows.map((r) => (r.finishedAt?.getTime() ?? lastFinish) - r.createdAt.getTime());
  const statuses: Record<string, number> = {};
  for (const row of rows) statuses[row.status] = (statuses[row.status] ?? 0) + 1;
  // 20 sends spread over the run, not only the first ones started.
  const sample = Array.from({ length: Math.min(20, rows.length) }, (_, i) => sendWorkflowId(rows[Math.floor((i * rows.length) / Math.min(20, rows.length))].id));
  const sendsPerSecond = sends / seconds;
  const shape = await historyShape(stack.temporal.client, sample);
  const latencies = await sdkLatencyMeans(`http://127.0.0.1:${stack.env.TEMPORAL_SDK_METRICS_PORT}/metrics`);
  return {
    title: `End to end: ${sends} sends, API → DELIVERED (sandbox vendor, receipts pushed at once)`,
    sendsPerSecond,
    eventsPerSend: shape.events,
    cpuMsPerSend: machineMs,
    actionsPerSend: shape.actions,
    figures: {
      'all accepted after (s)': round(acceptedMs / 1000, 2),
      'all final after (s)': round(seconds, 2),
      'sends/s (to final)': round(sendsPerSecond),
      'accept → SENT p50 (ms)': Math.round(percentile(toSent, 50)),
      'accept → SENT p99 (ms)': Math.round(percentile(toSent, 99)),
      'accept → final p50 (ms)': Math.round(percentile(toFinal, 50)),
      'accept → final p99 (ms)': Math.round(percentile(toFinal, 99)),
      'final states': Object.entries(statuses).map(([s, n]) => `${s} ${n}`).join(', '),
      'history events per send (mean of 20)': round(shape.events),
      'workflow tasks per send (mean of 20)': round(shape.workflowTasks),
      'search-attribute upserts per send (mean of 20)': round(shape.searchAttributeUpserts),
      'Temporal actions per send (mean of 20)': round(shape.actions, 1),
      ...Object.fromEntries(shape.gaps.slice(0, 6).map((gap) => [`ms between ${gap.between}`, Math.round(gap.ms)])),
      ...Object.fromEntries(Object.entries(latencies).map(([name, mean]) => [`worker SDK mean ${name}`, round(mean, 3)])),
      'CPU ms per send, whole machine': Math.round(machineMs),
      ...Object.fromEntries(processMs.map(({ name, ms }) => [`CPU ms per send, ${name}`, Math.round(ms)])),
      'CPU ms per send, the rest (Postgres, Redis, bench)': Math.round(machineMs - processMs.reduce((sum, { ms }) => sum + ms, 0)),
    },
  };
}
