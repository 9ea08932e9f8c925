import { DateTime } from 'luxon';
import { sampleMemory, sampleProcess, type MemorySample } from '../process-stats';
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

/** One gauge's value (summed over its label sets) from a Prometheus text page. */
function gauge(text: string, name: string): number {
  const values = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'gm'))].map((match) => Number(match[1]));
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0);
}

async function metricsPage(port: string | undefined): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** What one reading of the worker holds: its memory by kind, its main thread's V8 heap, and its sticky cache. */
interface WorkerReading {
  memory: MemorySample;
  /** The main thread's V8 heap used / total and external memory (MB); the workflow thread's heap is not in it. */
  heap: string;
  cachedWorkflows: number;
}

async function readWorker(stack: BenchStack, worker: BenchProcess): Promise<WorkerReading> {
  const [herald, sdk] = await Promise.all([metricsPage(stack.env.WORKER_METRICS_PORT), metricsPage(stack.env.TEMPORAL_SDK_METRICS_PORT)]);
  const mb = (name: string): number => Math.round(gauge(herald, `herald_process_${name}`) / 2 ** 20);
  return {
    memory: sampleMemory(worker.pid),
    heap: `${mb('nodejs_heap_size_used_bytes')} / ${mb('nodejs_heap_size_total_bytes')} / ${mb('nodejs_external_memory_bytes')}`,
    cachedWorkflows: gauge(sdk, 'temporal_sticky_cache_size'),
  };
}

function readingFigures(when: string, reading: WorkerReading): Figures {
  const { rssMb, anonMb, fileMb, threads } = reading.memory;
  return {
    [`${when}: worker RSS / anonymous / file-backed (MB)`]: `${Math.round(rssMb)} / ${Math.round(anonMb)} / ${Math.round(fileMb)}`,
    [`${when}: main-thread V8 heap used / total / external (MB)`]: reading.heap,
    [`${when}: workflows in the sticky cache / worker threads`]: `${reading.cachedWorkflows} / ${threads}`,
  };
}

export interface LongWaitsResult {
  title: string;
  figures: Figures;
  idleRssMb: number;
  /** RSS at the last reading less RSS before the first send. */
  addedRssMb: number;
}

/**
 * Many sends sleeping until morning on durable timers: what they cost the
 * worker while they wait (they should hold no memory and no CPU). The worker
 * is read before the first send, once all are deferred, and after each of
 * `waitSeconds` (cumulative seconds of waiting, ascending).
 */
export async function measureLongWaits(stack: BenchStack, sends: number, worker: BenchProcess, waitSeconds: readonly number[]): Promise<LongWaitsResult> {
  await createDeferringTemplate(stack);
  const before = await readWorker(stack, worker);
  const since = new Date(Date.now() - 1000);
  const posting = Date.now();
  for (let offset = 0; offset < sends; offset += RECEIVERS_PER_REQUEST) {
    const answer = await postMessage(stack.apiUrl, stack.config, freshReceivers(Math.min(RECEIVERS_PER_REQUEST, sends - offset)), DEFERRED_TEMPLATE);
    if (answer.status !== 202) throw new Error(`POST /v1/messages answered ${answer.status}`);
  }
  const deferred = () => stack.prisma.send.count({ where: { createdAt: { gte: since }, status: 'DEFERRED' } });
  await waitUntil(async () => (await deferred()) >= sends, 60_000 + sends * 100, 500);
  const deferringSeconds = (Date.now() - posting) / 1000;
  const allDeferred = await readWorker(stack, worker);
  const cpuAllDeferred = sampleProcess(worker.pid).cpuSeconds;
  const waitStarted = Date.now();
  let last = allDeferred;
  let figures: Figures = {
    ...readingFigures('before', before),
    'seconds until all were deferred': Math.round(deferringSeconds),
    ...readingFigures('all deferred', allDeferred),
  };
  for (const seconds of waitSeconds) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitStarted + seconds * 1000 - Date.now())));
    last = await readWorker(stack, worker);
    figures = { ...figures, ...readingFigures(`after ${seconds} s of waiting`, last) };
  }
  const waited = (Date.now() - waitStarted) / 1000;
  return {
    idleRssMb: before.memory.rssMb,
    addedRssMb: last.memory.rssMb - before.memory.rssMb,
    title: `Long waits: ${sends} sends deferred until morning (WORKER_MAX_CACHED_WORKFLOWS ${stack.config.WORKER_MAX_CACHED_WORKFLOWS}, MALLOC_ARENA_MAX ${stack.env.MALLOC_ARENA_MAX ?? 'unset'})`,
    figures: {
      ...figures,
      [`worker CPU during ${Math.round(waited)} s of waiting (% of one core)`]: round(((sampleProcess(worker.pid).cpuSeconds - cpuAllDeferred) / waited) * 100, 2),
    },
  };
}
