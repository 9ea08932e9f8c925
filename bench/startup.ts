/**
 * `npm run bench:startup [-- --runs N]`: how long the API and the worker take
 * from spawn to ready, run exactly as package.json's `start:api` and
 * `start:worker` say (so the same script measures any build of Herald). The
 * API is ready when `/readyz` answers 200, the worker when its metrics
 * server answers (it starts once the worker is built and connected).
 * Against the database at DATABASE_URL (migrated first, so only the start
 * is timed) and a throwaway Temporal dev server. Free ports are taken, or
 * BENCH_PORT_BASE and the three after it. Prints figures; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ensureDatabase, migrate } from '../src/db/migrate';
import { startTemporalDevServer } from '../src/runtime/temporal-dev-server';
import { percentile, printFigures, round, waitUntil } from './figures';
import { freePort } from '../test/support/child-process';

const ROOT = path.resolve(__dirname, '..');
const READY_TIMEOUT_MS = 180_000;

const packageScripts = z.object({ scripts: z.record(z.string(), z.string()) }).parse(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'))).scripts;

async function answersOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** Milliseconds from spawning `npm run <script>`'s command to `readyUrl` answering 200; the process is then stopped. */
async function timeToReady(script: string, env: NodeJS.ProcessEnv, readyUrl: string): Promise<number> {
  const command = packageScripts[script];
  if (!command) throw new Error(`package.json has no script ${script}`);
  const started = performance.now();
  const child = spawn('sh', ['-c', `exec ${command}`], {
    cwd: ROOT,
    env: { ...env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}:${env.PATH ?? ''}` },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      waitUntil(() => answersOk(readyUrl), READY_TIMEOUT_MS, 25),
      exited.then(() => {
        throw new Error(`${script} exited before it was ready`);
      }),
    ]);
    return performance.now() - started;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
  const runs = Number(values.runs);
  const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/herald_bench';
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const base = Number(process.env.BENCH_PORT_BASE ?? 0);
  const [temporalPort, apiPort, metricsPort, sdkMetricsPort] = base > 0 ? [base, base + 1, base + 2, base + 3] : await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const temporal = await startTemporalDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH ?? '', dataDir: '', namespace: 'default', port: temporalPort, persist: false });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_TASK_QUEUE: 'herald-bench-startup',
    API_PORT: String(apiPort),
    WORKER_METRICS_PORT: String(metricsPort),
    TEMPORAL_SDK_METRICS_PORT: String(sdkMetricsPort),
    LOG_LEVEL: 'warn',
  };
  const measured: Record<string, number[]> = { api: [], worker: [] };
  try {
    for (let run = 0; run < runs; run += 1) {
      measured.api?.push(await timeToReady('start:api', env, `http://127.0.0.1:${apiPort}/readyz`));
      measured.worker?.push(await timeToReady('start:worker', env, `http://127.0.0.1:${metricsPort}/metrics`));
    }
  } finally {
    await temporal.teardown();
  }
  const figures: Record<string, string> = { 'load average (1 min) at the end': loadavg()[0]?.toFixed(1) ?? '?' };
  for (const [name, times] of Object.entries(measured)) {
    figures[`${name}: ${packageScripts[`start:${name}`]}`] = `median ${round(percentile(times, 50) / 1000, 2)} s, min ${round(Math.min(...times) / 1000, 2)} s, max ${round(Math.max(...times) / 1000, 2)} s (${runs} runs)`;
  }
  printFigures('start-up to ready', figures);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
