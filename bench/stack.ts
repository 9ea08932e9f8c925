import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import Redis from 'ioredis';
import { loadDevConfig, type DevConfig } from '../src/dev-config';
import { dropDatabase, ensureDatabase, migrate } from '../src/db/migrate';
import { createPrisma } from '../src/db/prisma';
import { seed } from '../src/db/seed';
import type { PrismaClient } from '../src/generated/prisma/client';
import { startTemporalDevServer } from '../src/runtime/temporal-dev-server';
import { receiptPushUrl } from '../src/security/receipt-token';
import { createSecretBox } from '../src/security/secret-box';
import { writeWorkflowBundle } from '../src/worker/workflow-bundle';
import { freePort } from '../test/support/child-process';
import { waitUntil } from './figures';

const ROOT = path.resolve(__dirname, '..');
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/herald_bench';
/** Its own Redis database, so a benchmark never touches a dev or test run's keys. */
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
export const TASK_QUEUE = 'herald-bench';
/**
 * glibc malloc arenas, as the image and `npm run dev` / `start:worker` launch Herald (docs/deployment.md,
 * "Worker memory"); a MALLOC_ARENA_MAX given to the bench wins, to measure another value.
 */
const MALLOC_ARENA_MAX = process.env.MALLOC_ARENA_MAX ?? '2';

export interface BenchProcess {
  name: string;
  pid: number;
  stop(): Promise<void>;
}

export interface BenchStack {
  config: DevConfig;
  prisma: PrismaClient;
  temporal: TestWorkflowEnvironment;
  temporalAddress: string;
  /** The sandbox vendor and the Temporal dev server, whose CPU the end-to-end figures break down. */
  supporting: Array<{ name: string; pid: number }>;
  env: NodeJS.ProcessEnv;
  apiUrl: string;
  /** Where anchor (a), the raw Express + pg endpoint, listens once started. */
  rawEndpointUrl: string;
  /** Starts a TypeScript entry (API, worker, sandbox vendor, ceiling worker) as its own process. */
  spawnEntry(name: string, entry: string, env?: NodeJS.ProcessEnv): BenchProcess;
  startApi(taskQueue?: string, env?: NodeJS.ProcessEnv): Promise<BenchProcess>;
  /** A relay process apart from the API (`npm run start:relay`), starting workflows on `taskQueue`. */
  startRelay(taskQueue: string): Promise<BenchProcess>;
  startWorker(): Promise<BenchProcess>;
  stop(): Promise<void>;
}

/** The dev server's own process (the SDK starts it and does not say its pid): found by its port. */
function temporalServerPid(address: string): number {
  const port = address.split(':').pop() ?? '';
  const pids = execFileSync('pgrep', ['-f', `start-dev.*--port ${port}`], { encoding: 'utf8' }).trim().split('\n');
  return Number(pids[0]);
}

/**
 * BENCH_CPU_PROF=api,worker: those processes run with `--cpu-prof`, their profiles written to
 * BENCH_CPU_PROF_DIR/<name> (default bench-profiles/) when they stop; open them in Chrome DevTools.
 */
function cpuProfileArgs(name: string): string[] {
  const profiled = (process.env.BENCH_CPU_PROF ?? '').split(',').map((n) => n.trim());
  if (!profiled.includes(name)) return [];
  return ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF_DIR ?? path.join(ROOT, 'bench-profiles'), name)}`];
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return response.status < 500;
  } catch {
    return false;
  }
}

/** The bench's server state is thrown away at the end: SQLite need not wait for the disk on every commit. */
const THROWAWAY_SQLITE = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=off'];

export interface BenchStackOptions {
  /**
   * The dev server keeps its state in SQLite on disk instead of in memory: with every history in
   * memory, a 100,000-row campaign grew the server to 22.5 GB at about 75,000 workflows and stalled it.
   */
  temporalOnDisk: boolean;
}

/**
 * What production runs, on this machine: a fresh `herald_bench` database with
 * the seed, a Temporal dev server (in memory, or on disk: `temporalOnDisk`), and the sandbox vendor, API and
 * worker each as its own Node process (so their memory and CPU can be read).
 */
export async function startBenchStack(options: BenchStackOptions = { temporalOnDisk: false }): Promise<BenchStack> {
  await dropDatabase(DATABASE_URL);
  await ensureDatabase(DATABASE_URL);
  await migrate(DATABASE_URL);
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  await redis.quit();

  // BENCH_PORT_BASE: the bench's servers on that port and the seven after it (else free ports).
  const base = Number(process.env.BENCH_PORT_BASE ?? 0);
  const [temporalPort, temporalHttpPort, apiPort, sandboxPort, workerMetricsPort, sdkMetricsPort, rawEndpointPort] =
    base > 0 ? Array.from({ length: 7 }, (_, i) => base + i) : await Promise.all(Array.from({ length: 7 }, () => freePort()));
  const scratch = path.join(os.tmpdir(), `herald-bench-${process.pid}`);
  const temporal = await startTemporalDevServer({
    cliPath: process.env.TEMPORAL_CLI_PATH ?? '', dataDir: path.join(scratch, 'temporal'), namespace: 'default', persist: options.temporalOnDisk,
    port: temporalPort, extraArgs: ['--http-port', String(temporalHttpPort), ...(options.temporalOnDisk ? THROWAWAY_SQLITE : [])],
  });
  const temporalAddress = temporal.connection.options.address;
  // The worker loads a bundle built beforehand, as in production (`npm run build`): webpack at start would
  // count in the worker's memory and start-up.
  const workflowBundle = await writeWorkflowBundle(path.join(scratch, 'workflow-bundle.js'));
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MALLOC_ARENA_MAX,
    DATABASE_URL,
    REDIS_URL,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    API_PORT: String(apiPort),
    PUBLIC_BASE_URL: apiUrl,
    WORKER_METRICS_PORT: String(workerMetricsPort),
    TEMPORAL_SDK_METRICS_PORT: String(sdkMetricsPort),
    SANDBOX_VENDOR_PORT: String(sandboxPort),
    SANDBOX_VENDOR_URL: `http://127.0.0.1:${sandboxPort}`,
    SANDBOX_RECEIPT_DELAY_MS: '0',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    RAW_ENDPOINT_PORT: String(rawEndpointPort),
    WORKFLOW_BUNDLE_PATH: workflowBundle.file,
    // One API key drives the whole load: its per-caller limit would measure the limiter, not the API.
    CALLER_RATE_LIMIT_REQUESTS: '1000000',
  };
  const config = loadDevConfig(env);
  const prisma = createPrisma(DATABASE_URL);
  await seed(prisma, config, createSecretBox(config.SECRET_KEY));

  const children: ChildProcess[] = [];
  function spawnEntry(name: string, entry: string, extraEnv: NodeJS.ProcessEnv = {}): BenchProcess {
    const child = spawn(process.execPath, [...cpuProfileArgs(name), '--import', 'tsx', path.join(ROOT, entry)], {
      cwd: ROOT,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(child);
    // A benchmark that dies half-way must not leave its API or worker running.
    process.once('exit', () => child.kill('SIGKILL'));
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      name,
      pid: child.pid,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
  }

  const sandboxAccount = await prisma.account.findUniqueOrThrow({ where: { name: 'sandbox-primary' } });
  const sandbox = spawnEntry('sandbox', 'src/sandbox/main.ts', { SANDBOX_RECEIPT_CALLBACK_URL: receiptPushUrl(apiUrl, config.RECEIPT_TOKEN_KEY, sandboxAccount) });
  await waitUntil(() => answers(`http://127.0.0.1:${sandboxPort}/`), 60_000);

  return {
    config,
    prisma,
    temporal,
    temporalAddress,
    supporting: [sandbox, { name: 'temporal', pid: temporalServerPid(temporalAddress) }],
    env,
    apiUrl,
    rawEndpointUrl: `http://127.0.0.1:${rawEndpointPort}`,
    spawnEntry,
    async startApi(taskQueue = TASK_QUEUE, apiEnv = {}) {
      const api = spawnEntry('api', 'src/api/main.ts', { TEMPORAL_TASK_QUEUE: taskQueue, ...apiEnv });
      await waitUntil(() => answers(`${apiUrl}/healthz`), 60_000);
      return api;
    },
    async startRelay(taskQueue) {
      const metricsPort = await freePort();
      const relay = spawnEntry('relay', 'src/sending/relay-main.ts', { TEMPORAL_TASK_QUEUE: taskQueue, RELAY_METRICS_PORT: String(metricsPort) });
      await waitUntil(() => answers(`http://127.0.0.1:${metricsPort}/metrics`), 60_000);
      return relay;
    },
    async startWorker() {
      const worker = spawnEntry('worker', 'src/worker/main.ts');
      await waitUntil(() => answers(`http://127.0.0.1:${workerMetricsPort}/metrics`), 60_000);
      return worker;
    },
    async stop() {
      const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
      await Promise.all(
        running.map((child) => {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          return exited;
        }),
      );
      await prisma.$disconnect();
      await temporal.teardown();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
