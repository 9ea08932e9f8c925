/**
 * `npm run scale-out [-- --sends 300 --rate 10 --concurrency 20 --port-base 7700 --no-build]`:
 * Herald scaled out on one machine, from the build (`npm run build`, then
 * `node dist/api/main.js` and `node dist/worker/main.js`, as in the image):
 * one Temporal dev server, a database of its own (`<DATABASE_URL's name>_scale_out`,
 * dropped and migrated with `herald migrate`), two API processes, two worker
 * processes, the sandbox vendor in this process with its receipts pushed to
 * the APIs in turn. A worker trips an account's circuit, a later one routes
 * around it; then a burst of sends with one API restarted (SIGTERM) and one
 * worker killed (kill -9) on the way (test/support/scale-out/scale-out-run.ts).
 * Prints the counts; exits 1 when an invariant fails.
 *
 * Wall time: the build, then about a minute and a half for 300 sends at
 * 10/s: the calls the killed worker held are retried only after their 45 s
 * start-to-close timeout. Waiting for the last sends is bounded
 * (`--final-within`, 180 s). Everything listens on 127.0.0.1 from
 * `--port-base`: the Temporal dev server there (its HTTP API and metrics on
 * the next two ports), Herald's processes and the sandbox from base + 10.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { databaseName, dropDatabase, ensureDatabase, urlForDatabase } from '../src/db/migrate';
import { createRedis, waitForRedis } from '../src/runtime/redis';
import { startTemporalDevServer } from '../src/runtime/temporal-dev-server';
import { deleteKeysUnderPrefix } from '../test/support/redis-test-client';
import { runScaleOut, type ScaleOutReport } from '../test/support/scale-out/scale-out-run';

const ROOT = path.resolve(__dirname, '..');
const REDIS_KEY_PREFIX = 'herald-scale-out:';
const TASK_QUEUE = 'herald-scale-out';
const NAMESPACE = 'default';

function options() {
  const { values } = parseArgs({
    options: {
      sends: { type: 'string', default: '300' },
      rate: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '20' },
      probes: { type: 'string', default: '10' },
      'port-base': { type: 'string', default: '7700' },
      'final-within': { type: 'string', default: '180' },
      'no-build': { type: 'boolean', default: false },
    },
  });
  const number = (name: keyof typeof values, least: number): number => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < least) throw new Error(`--${name} must be a whole number of at least ${least}`);
    return value;
  };
  return {
    sends: number('sends', 3),
    rate: number('rate', 1),
    concurrency: number('concurrency', 1),
    probes: number('probes', 1),
    portBase: number('port-base', 1024),
    finalWithinMs: number('final-within', 10) * 1000,
    build: !values['no-build'],
  };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal})`);
}

function printReport(report: ScaleOutReport, seconds: number): void {
  const line = (name: string, value: unknown): void => console.log(`  ${name.padEnd(38)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  console.log('\n== scale-out: 2 APIs, 2 workers, one Temporal, one database');
  line('burst requested / accepted (202)', `${report.burst.requested} / ${report.burst.accepted}`);
  line('accepted by API 1 / API 2', report.burst.acceptedByApi.join(' / '));
  line('HTTP statuses seen (0: no connection)', report.burst.statusesSeen);
  line('requests passed on to the other API', report.burst.passedOn);
  line('burst sends final, by state', report.finalByState);
  line('sends not final (all phases)', report.notFinal);
  line('vendor messages per send (all phases)', report.vendorMessagesPerSend);
  line('accepted attempts per send', report.acceptedAttemptsPerSend);
  line('workflow runs per send', report.workflowRunsPerSend);
  line('receipts taken by API 1 / API 2', report.receipts.takenByApi.join(' / '));
  line('receipts matched by API 1 / API 2', report.receipts.matchedByApi.join(' / '));
  line('receipt pushes passed on', report.receipts.passedOn);
  line('circuit: sends to trip it (worker A)', report.circuit.tripSends);
  line('circuit as API 2 reads it', report.circuit.stateAfterTrip);
  line('probes by worker B / planned circuit open', `${report.circuit.probes} / ${report.circuit.probesPlannedOpen}`);
  line('their attempts on the tripped account', `${report.circuit.probeAttemptsOnTrippedAccount} (${report.circuit.probesDelivered} probes delivered)`);
  line('rate limit (shared, per second)', report.rateLimit.perSecond);
  line('burst span at the vendor / least', `${(report.rateLimit.vendorSpanMs / 1000).toFixed(1)} s / ${(report.rateLimit.leastSpanMs / 1000).toFixed(1)} s`);
  line('vendor calls per worker before kill', report.rateLimit.vendorCallsByWorkerBeforeKill.join(' / '));
  line('API restart (SIGTERM) exit', report.lifecycle.apiRestartExit);
  line('worker A stop (SIGTERM) exit', report.lifecycle.drainedWorkerExit);
  line('killed worker (kill -9)', report.lifecycle.killedWorkerExit);
  line('wall time', `${seconds.toFixed(0)} s`);
  console.log(report.failures.length === 0 ? '\nevery invariant holds' : `\nbroken invariants:\n${report.failures.map((failure) => `  - ${failure}`).join('\n')}`);
}

async function main(): Promise<void> {
  const opts = options();
  const started = Date.now();
  const baseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/herald';
  const databaseUrl = urlForDatabase(baseUrl, `${databaseName(baseUrl)}_scale_out`);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (opts.build) run('npm', ['run', 'build']);

  console.log(`database ${databaseName(databaseUrl)} (dropped, then herald migrate); Redis keys under ${REDIS_KEY_PREFIX}`);
  await dropDatabase(databaseUrl);
  await ensureDatabase(databaseUrl);
  run(process.execPath, ['bin/herald.js', 'migrate'], { ...process.env, DATABASE_URL: databaseUrl });
  const redis = createRedis(redisUrl, REDIS_KEY_PREFIX);
  if (!(await waitForRedis(redis, 5_000))) throw new Error(`Redis at ${redisUrl} does not answer`);
  await deleteKeysUnderPrefix(redis);
  redis.disconnect();

  const temporal = await startTemporalDevServer({
    cliPath: process.env.TEMPORAL_CLI_PATH ?? '', dataDir: '', namespace: NAMESPACE, port: opts.portBase, persist: false,
    // The dev server's own errors (SQLite contention on a busy machine, retried by Temporal) stay out of the counts.
    extraArgs: ['--http-port', String(opts.portBase + 1), '--metrics-port', String(opts.portBase + 2), '--log-level', 'never'],
  });
  let nextPort = opts.portBase + 10;
  try {
    const report = await runScaleOut({
      sends: opts.sends,
      ratePerSecond: opts.rate,
      concurrency: opts.concurrency,
      probes: opts.probes,
      entries: { api: 'dist/api/main.js', worker: 'dist/worker/main.js' },
      databaseUrl,
      redisUrl,
      redisKeyPrefix: REDIS_KEY_PREFIX,
      temporalAddress: `127.0.0.1:${opts.portBase}`,
      namespace: NAMESPACE,
      taskQueue: TASK_QUEUE,
      port: () => Promise.resolve(nextPort++),
      finalWithinMs: opts.finalWithinMs,
      log: (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${text}`),
    });
    printReport(report, (Date.now() - started) / 1000);
    process.exitCode = report.failures.length === 0 ? 0 : 1;
  } finally {
    await temporal.teardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
