import { DateTime } from 'luxon';
import { sampleProcess } from '../process-stats';
import { round, waitUntil, type Figures } from '../figures';
import { freshReceivers } from '../receivers';
import type { BenchProcess, BenchStack } from '../stack';
import { postMessage } from './requests';

const DEFERRED_TEMPLATE = 'bench_deferred';
const RECEIVERS_PER_REQUEST = 500;

/** A NOTICE template whose quiet hours (UTC) started an hour ago and end in six hours: every send is deferred. */
async function createDeferringTemplate(stack: BenchStack): Promise<void> {
  const now = DateTime.utc();
  const quietEnd = now.plus({ hours: 6 }).toFormat('HH:mm');
  const team = await stack.prisma.team.findFirstOrThrow();
  const shield = { shieldPolicy: 'DEFER', quietStart: now.minus({ hours: 1 }).toFormat('HH:mm'), quietEnd, releaseAt: quietEnd, timeZone: 'UTC' };
  await stack.prisma.template.upsert({
    where: { teamId_code: { teamId: team.id, code: DEFERRED_TEMPLATE } },
    create: { code: DEFERRED_TEMPLATE, name: 'Benchmark: deferred notice', teamId: team.id, channel: 'SMS', messageType: 'NOTICE', content: 'Hello {name}, order {order} ships tomorrow.', ...shield },
    update: shield,
  });
}

/** The worker's V8 heap (used, total) and external memory in MB, from its own Prometheus metrics. */
async function workerHeap(stack: BenchStack): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${stack.env.WORKER_METRICS_PORT}/metrics`)).text();
  const read = (name: string): number => Math.round(Number(new RegExp(`^herald_process_${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'm').exec(text)?.[1] ?? Number.NaN) / 2 ** 20);
  return `${read('nodejs_heap_size_used_bytes')} / ${read('nodejs_heap_size_total_bytes')} / ${read('nodejs_external_memory_bytes')}`;
}

/**
 * Many sends sleeping until morning on durable timers: what they cost the
 * worker while they wait (they should hold no memory and no CPU).
 */
export async function measureLongWaits(stack: BenchStack, sends: number, worker: BenchProcess, quietSeconds: number): Promise<{ title: string; figures: Figures; idleRssMb: number; addedRssMb: number }> {
  await createDeferringTemplate(stack);
  const before = sampleProcess(worker.pid);
  const heapBefore = await workerHeap(stack);
  const since = new Date(Date.now() - 1000);
  for (let offset = 0; offset < sends; offset += RECEIVERS_PER_REQUEST) {
    const answer = await postMessage(stack.apiUrl, stack.config, freshReceivers(Math.min(RECEIVERS_PER_REQUEST, sends - offset)), DEFERRED_TEMPLATE);
    if (answer.status !== 202) throw new Error(`POST /v1/messages answered ${answer.status}`);
  }
  const deferred = () => stack.prisma.send.count({ where: { createdAt: { gte: since }, status: 'DEFERRED' } });
  await waitUntil(async () => (await deferred()) >= sends, 60_000 + sends * 100, 500);
  const waiting = sampleProcess(worker.pid);
  await new Promise((resolve) => setTimeout(resolve, quietSeconds * 1000));
  const after = sampleProcess(worker.pid);
  const heapAfter = await workerHeap(stack);
  return {
    idleRssMb: before.rssMb,
    addedRssMb: after.rssMb - before.rssMb,
    title: `Long waits: ${sends} sends deferred until morning`,
    figures: {
      'worker RSS before (MB)': Math.round(before.rssMb),
      'worker RSS with all deferred (MB)': Math.round(waiting.rssMb),
      'worker V8 heap used / heap total / external before (MB)': heapBefore,
      [`worker V8 heap used / heap total / external after ${quietSeconds} s of waiting (MB)`]: heapAfter,
      [`worker RSS after ${quietSeconds} s of waiting (MB)`]: Math.round(after.rssMb),
      [`worker CPU during ${quietSeconds} s of waiting (% of one core)`]: round(((after.cpuSeconds - waiting.cpuSeconds) / quietSeconds) * 100, 2),
    },
  };
}
