/**
 * Scale-out on one machine: two API processes and two worker processes
 * against one Temporal and one database, the sandbox vendor in this process
 * behind a receipt balancer. Shared by `npm run scale-out` (built JavaScript,
 * 300 sends) and test/integration/scale-out.test.ts (TypeScript, 40 sends).
 *
 * 1. Circuit: one worker alone trips the circuit of a failing account (weight
 *    100 against 1); it stops (SIGTERM), a new worker starts and sends probes:
 *    it tries the failing account for none of them, which it can only know
 *    from Redis.
 * 2. Burst: `sends` sends through both APIs (each request to the next API,
 *    passed on with its Idempotency-Key when one refuses or answers 503), the
 *    only account limited to `ratePerSecond`; a third of the way in one API is
 *    restarted (SIGTERM, then started again on its port); once a third of the
 *    burst is at the vendor and both workers are calling it, one worker is
 *    killed (kill -9) while it holds vendor calls, and replaced. Its orphaned
 *    calls are retried only after their 45 s start-to-close timeout.
 * 3. Counts: every send final, per send one workflow run, at most one vendor
 *    message and one accepted attempt; receipts each API took, matched; the
 *    burst's span at the vendor against the shared limit.
 *
 * Nothing here asserts: the counts and the broken invariants come back
 * (`ScaleOutReport.failures`), the script prints them, the test expects none.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { loadDevConfig } from '../../../src/dev-config';
import { createPrisma } from '../../../src/db/prisma';
import { seed, SEED_SANDBOX_ACCOUNT, SEED_SANDBOX_TIMEOUT_MS, SEED_VERIFICATION_TEMPLATE } from '../../../src/db/seed';
import type { PrismaClient } from '../../../src/generated/prisma/client';
import { createSandboxVendor } from '../../../src/sandbox/sandbox-vendor';
import { createSecretBox } from '../../../src/security/secret-box';
import { receiptPushUrl } from '../../../src/security/receipt-token';
import { readRoutePlan } from '../../../src/routing/route-plan';
import { FINAL_STATUSES, type SendStatus } from '../../../src/shared/states';
import { spawnHerald, type HeraldProcess } from '../child-process';
import { deliverableReceiver } from '../exactly-once';
import { eventually } from '../herald';
import { inPool, postAcrossApis, type CallerAnswer } from './callers';
import { startReceiptBalancer, type ReceiptBalancer } from './receipt-balancer';

export interface ScaleOutOptions {
  /** Sends in the burst (one receiver per request). */
  sends: number;
  /** The burst account's rate limit (per second), shared by every worker through Redis. */
  ratePerSecond: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Probes sent after the circuit opened. */
  probes: number;
  /** Entries of the API and the worker: `src/.../main.ts` (tsx) or `dist/.../main.js`. */
  entries: { api: string; worker: string };
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  /** Hands out the ports of the APIs, worker metrics, sandboxes and balancer. */
  port: () => Promise<number>;
  /** More settings for every Herald process. */
  env?: Record<string, string>;
  /** How long to wait for every send to be final after the burst. */
  finalWithinMs: number;
  log: (line: string) => void;
}

export interface ScaleOutReport {
  burst: {
    requested: number;
    accepted: number;
    acceptedByApi: number[];
    /** Every HTTP status the callers saw, 0 for a refused or cut connection. */
    statusesSeen: Record<string, number>;
    /** Requests passed on to the other API (refused, cut, 503). */
    passedOn: number;
  };
  finalByState: Record<string, number>;
  notFinal: number;
  /** Sends by how many messages the vendor holds for them ("0", "1", "2", ...). */
  vendorMessagesPerSend: Record<string, number>;
  acceptedAttemptsPerSend: Record<string, number>;
  workflowRunsPerSend: Record<string, number>;
  /** Receipts (distinct vendor message ids) each API took from the balancer, and those of them stored matched to their send. */
  receipts: { takenByApi: number[]; matchedByApi: number[]; passedOn: Record<string, number> };
  /**
   * `probesPlannedOpen`: probes whose route plan (made by the second worker, stored on the send) saw the tripped
   * circuit open; `probeAttemptsOnTrippedAccount` counts attempts of those only (the circuit closes by itself after
   * 60 s, which a very busy machine can spend starting the second worker).
   */
  circuit: { tripSends: number; stateAfterTrip: string; probes: number; probesPlannedOpen: number; probeAttemptsOnTrippedAccount: number; probesDelivered: number };
  rateLimit: { perSecond: number; vendorSpanMs: number; leastSpanMs: number; vendorCallsByWorkerBeforeKill: number[] };
  lifecycle: { apiRestartExit: string; drainedWorkerExit: string; killedWorkerExit: string };
  /** What the APIs logged at level error (a 500's cause), the first few lines cut short. */
  apiErrors: string[];
  /** Broken invariants, in words; empty when all hold. */
  failures: string[];
}

const FLAKY_ACCOUNT = 'scale-out-flaky';
const FLAKY_WEIGHT = 100;
const RECEIPT_DELAY_MS = 500;
/** Slack for the time between the rate-limit slot and the vendor's record of the call. */
const SPAN_TOLERANCE_MS = 500;
const TRIP_BATCH = 3;
const TRIP_BATCHES = 8;

interface RunningWorker {
  process: HeraldProcess;
  metricsUrl: string;
}

function tally(values: Iterable<string | number>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}

function exitText(exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** Calls of the vendor made by one worker, from its Prometheus metrics. */
async function vendorCallsOf(metricsUrl: string, account: string): Promise<number> {
  const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })).text();
  return text.split('\n')
    .filter((line) => line.startsWith('herald_vendor_call_duration_seconds_count{') && line.includes(`account="${account}"`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Polls `condition` until it holds, then runs `action`; gives up quietly after `timeoutMs`. */
async function when(condition: () => Promise<boolean>, action: () => Promise<void>, timeoutMs: number): Promise<boolean> {
  const reached = await eventually(async () => ((await condition()) ? true : undefined), timeoutMs, 200).catch(() => false);
  if (reached) await action();
  return reached;
}

export async function runScaleOut(options: ScaleOutOptions): Promise<ScaleOutReport> {
  const { log } = options;
  const failures: string[] = [];
  const config = loadDevConfig({ ...process.env, DATABASE_URL: options.databaseUrl, REDIS_URL: options.redisUrl, REDIS_KEY_PREFIX: options.redisKeyPrefix });
  const prisma = createPrisma(options.databaseUrl);
  const secrets = createSecretBox(config.SECRET_KEY);
  const connection = await Connection.connect({ address: options.temporalAddress });
  const temporal = new Client({ connection, namespace: options.namespace });
  const closers: Array<() => Promise<unknown>> = [];
  const processes: HeraldProcess[] = [];
  try {
    const primary = await seed(prisma, config, secrets);
    const [apiPorts, balancerPort, primaryPort, flakyPort] = [[await options.port(), await options.port()], await options.port(), await options.port(), await options.port()];
    const apiUrls = apiPorts.map((port) => `http://127.0.0.1:${port}`);
    const balancer: ReceiptBalancer = await startReceiptBalancer(apiUrls, balancerPort);
    closers.push(() => balancer.close());

    const credentials = { appKey: config.SANDBOX_APP_KEY, appSecret: config.SANDBOX_APP_SECRET };
    const vendor = createSandboxVendor({ receiptDelayMs: RECEIPT_DELAY_MS, receiptCallbackUrl: receiptPushUrl(balancer.url, config.RECEIPT_TOKEN_KEY, primary), ...credentials });
    const flakyVendor = createSandboxVendor({ receiptDelayMs: RECEIPT_DELAY_MS, receiptCallbackUrl: null, ...credentials });
    flakyVendor.faults.always('balance');
    for (const [sandbox, port] of [[vendor, primaryPort], [flakyVendor, flakyPort]] as const) {
      const listening = await sandbox.listen(port, '127.0.0.1');
      closers.push(() => listening.close());
    }
    await prisma.account.updateMany({ data: { enabled: false } });
    await prisma.account.update({
      where: { name: SEED_SANDBOX_ACCOUNT },
      data: { config: { endpoint: `http://127.0.0.1:${primaryPort}`, timeoutMs: SEED_SANDBOX_TIMEOUT_MS }, enabled: true, weight: 1, priority: 10, rateLimitPerSecond: options.ratePerSecond },
    });
    const flakyData = {
      channel: 'SMS', provider: 'sandbox', config: { endpoint: `http://127.0.0.1:${flakyPort}`, timeoutMs: SEED_SANDBOX_TIMEOUT_MS },
      secretCiphertext: secrets.seal(credentials), weight: FLAKY_WEIGHT, priority: 1, enabled: true,
    };
    const flaky = await prisma.account.upsert({ where: { name: FLAKY_ACCOUNT }, create: { name: FLAKY_ACCOUNT, ...flakyData }, update: flakyData });

    const common: Record<string, string> = {
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      REDIS_KEY_PREFIX: options.redisKeyPrefix,
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_NAMESPACE: options.namespace,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      // An account disabled between the phases is seen by every worker at once (production: within 3 s).
      ACCOUNT_CACHE_MS: '0',
      TEMPORAL_SDK_METRICS_PORT: '0',
      // A receipt whose push was lost is pulled within seconds, so the run stays bounded.
      RECEIPT_POLL_FIRST_SECONDS: '5',
      RECEIPT_POLL_MAX_SECONDS: '10',
      ...options.env,
    };
    const apis: HeraldProcess[] = [];
    const everyApi: HeraldProcess[] = [];
    const startApi = async (index: number): Promise<void> => {
      const api = await spawnHerald(options.entries.api, { ...common, API_PORT: String(apiPorts[index]), PUBLIC_BASE_URL: balancer.url }, `${apiUrls[index]}/healthz`);
      processes.push(api);
      everyApi.push(api);
      apis[index] = api;
    };
    const startWorker = async (): Promise<RunningWorker> => {
      const metricsPort = await options.port();
      const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
      const worker = await spawnHerald(options.entries.worker, { ...common, WORKER_METRICS_PORT: String(metricsPort) }, metricsUrl);
      processes.push(worker);
      return { process: worker, metricsUrl };
    };
    const headers = { authorization: `Bearer ${config.SEED_API_KEY}` };
    const runId = randomUUID().slice(0, 8);
    const send = (index: number, phase: string): Promise<CallerAnswer> => postAcrossApis(apiUrls, index % apiUrls.length, '/v1/messages', {
      templateCode: SEED_VERIFICATION_TEMPLATE, receivers: [deliverableReceiver()], variables: { code: String(100_000 + index) },
    }, { ...headers, 'idempotency-key': `scale-out-${runId}-${phase}-${index}` });
    const sendIdOf = (answer: CallerAnswer): string | null => (answer.status === 202 ? answer.body?.sends?.[0]?.sendId ?? null : null);

    log(`starting 2 APIs (${options.entries.api}) and a worker (${options.entries.worker})`);
    await Promise.all([startApi(0), startApi(1)]);
    const drained = await startWorker();

    // 1. The circuit: one worker trips it, another (started afterwards) routes around it.
    const circuitState = async (): Promise<string> => {
      const answer = await fetch(`${apiUrls[1]}/v1/reports/accounts?hours=1`, { headers, signal: AbortSignal.timeout(10_000) });
      const body = (await answer.json()) as { accounts?: Array<{ id: string; circuit: { state: string } | null }> };
      return body.accounts?.find((account) => account.id === flaky.id)?.circuit?.state ?? 'UNKNOWN';
    };
    const tripIds: string[] = [];
    for (let batch = 0; batch < TRIP_BATCHES && (await circuitState()) !== 'OPEN'; batch += 1) {
      const answers = await Promise.all(Array.from({ length: TRIP_BATCH }, (_, i) => send(batch * TRIP_BATCH + i, 'trip')));
      tripIds.push(...answers.map(sendIdOf).filter((id): id is string => id !== null));
      await eventually(async () => (await allFinal(prisma, tripIds) ? true : undefined), 60_000, 250).catch(() => undefined);
    }
    const stateAfterTrip = await circuitState();
    log(`circuit of ${FLAKY_ACCOUNT} after ${tripIds.length} sends through one worker: ${stateAfterTrip} (read through API 2)`);
    const next = await startWorker();
    const drainedExit = await drained.process.kill('SIGTERM');
    log(`first worker stopped (SIGTERM): ${exitText(drainedExit)}; probes go to a worker started after the circuit opened`);
    const probeAnswers = await Promise.all(Array.from({ length: options.probes }, (_, i) => send(i, 'probe')));
    const probeIds = probeAnswers.map(sendIdOf).filter((id): id is string => id !== null);
    await eventually(async () => (await allFinal(prisma, probeIds) ? true : undefined), 60_000, 250).catch(() => undefined);
    const probePlans = await prisma.send.findMany({ where: { id: { in: probeIds } }, select: { id: true, routePlan: true } });
    const plannedOpen = probePlans
      .filter((row) => readRoutePlan(row.routePlan)?.accounts.some((account) => account.id === flaky.id && account.circuitOpen))
      .map((row) => row.id);
    const probeAttemptsOnTripped = await prisma.sendAttempt.count({ where: { sendId: { in: plannedOpen }, accountId: flaky.id } });
    const probesDelivered = await prisma.send.count({ where: { id: { in: probeIds }, status: 'DELIVERED' } });
    await prisma.account.update({ where: { id: flaky.id }, data: { enabled: false } });

    // 2. The burst, with an API restarted and a worker killed on the way.
    const second = await startWorker();
    const probeCalls = await vendorCallsOf(next.metricsUrl, SEED_SANDBOX_ACCOUNT);
    log(`burst: ${options.sends} sends through 2 APIs, 2 workers, ${options.ratePerSecond}/s on ${SEED_SANDBOX_ACCOUNT}`);
    const burstAnswers: CallerAnswer[] = [];
    let answered = 0;
    const burstRefs = new Set<string>();
    const burstAtVendor = (): number => vendor.sent().filter((record) => burstRefs.has(record.clientRef)).length;
    const lifecycle = { apiRestartExit: 'not restarted', drainedWorkerExit: exitText(drainedExit), killedWorkerExit: 'not killed' };
    let callsBeforeKill: number[] = [];
    const burst = inPool(options.sends, options.concurrency, async (index) => {
      const answer = await send(index, 'burst');
      const sendId = sendIdOf(answer);
      if (sendId) burstRefs.add(sendId);
      answered += 1;
      burstAnswers[index] = answer;
      return answer;
    });
    const restart = when(async () => answered >= options.sends / 3, async () => {
      const stopping = apis[1];
      const exit = await stopping.kill('SIGTERM');
      lifecycle.apiRestartExit = exitText(exit);
      if (exit.code !== 0) log(`API 2's last words: ${stopping.output().slice(-1500)}`);
      log(`API 2 stopped (SIGTERM) after ${answered} answers: ${lifecycle.apiRestartExit}; starting it again`);
      await startApi(1);
    }, 300_000);
    const burstCallsByWorker = async (): Promise<number[]> => {
      const [nextCalls, secondCalls] = await Promise.all([next.metricsUrl, second.metricsUrl].map((url) => vendorCallsOf(url, SEED_SANDBOX_ACCOUNT)));
      return [(nextCalls ?? 0) - probeCalls, secondCalls ?? 0];
    };
    // The kill comes once both workers are calling the vendor, so the limit they share is counted by both.
    const kill = when(async () => burstAtVendor() >= options.sends / 3 && (await burstCallsByWorker()).every((calls) => calls > 0), async () => {
      callsBeforeKill = await burstCallsByWorker();
      const exit = await second.process.kill('SIGKILL');
      lifecycle.killedWorkerExit = exitText(exit);
      log(`worker killed (kill -9) with ${burstAtVendor()} burst sends at the vendor: ${lifecycle.killedWorkerExit}; a replacement starts (its orphaned vendor calls retry after 45 s)`);
      await startWorker();
    }, 300_000);
    await burst;
    await Promise.all([restart, kill]);
    const burstIds = [...burstRefs];
    const everyId = [...tripIds, ...probeIds, ...burstIds];

    // 3. Counts.
    log(`waiting for ${everyId.length} sends to be final (at most ${Math.round(options.finalWithinMs / 1000)} s)`);
    await eventually(async () => (await allFinal(prisma, everyId) ? true : undefined), options.finalWithinMs, 500).catch(() => undefined);
    const sends = await prisma.send.findMany({ where: { id: { in: everyId } }, select: { id: true, status: true } });
    const notFinal = sends.filter((row) => !FINAL_STATUSES.has(row.status as SendStatus)).length + (everyId.length - sends.length);
    const atVendor = [...vendor.sent(), ...flakyVendor.sent()];
    const messagesOf = (sendId: string): number => atVendor.filter((record) => record.clientRef === sendId || record.clientRef.startsWith(`${sendId}.`)).length;
    const attempts = await prisma.sendAttempt.groupBy({ by: ['sendId'], where: { sendId: { in: everyId }, outcome: 'ACCEPTED' }, _count: true });
    const runs = await workflowRuns(temporal, options.taskQueue);
    const taken = balancer.takenBy().map((ids) => [...new Set(ids)]);
    const matched = await Promise.all(taken.map((ids) => prisma.receipt.count({ where: { accountId: primary.id, vendorMessageId: { in: ids }, sendId: { not: null } } })));
    const burstTimes = vendor.sent().filter((record) => burstRefs.has(record.clientRef)).map((record) => record.at.getTime()).sort((a, b) => a - b);
    const vendorSpanMs = burstTimes.length > 1 ? burstTimes.at(-1)! - burstTimes[0] : 0;
    const leastSpanMs = Math.max(0, (Math.ceil(burstIds.length / options.ratePerSecond) - 1) * 1000 - SPAN_TOLERANCE_MS);

    const report: ScaleOutReport = {
      burst: {
        requested: options.sends,
        accepted: burstIds.length,
        acceptedByApi: apiUrls.map((_, api) => burstAnswers.filter((answer) => answer.status === 202 && answer.api === api).length),
        statusesSeen: tally(burstAnswers.flatMap((answer) => answer.statuses)),
        passedOn: burstAnswers.filter((answer) => answer.statuses.length > 1).length,
      },
      finalByState: tally(sends.filter((row) => burstRefs.has(row.id)).map((row) => row.status)),
      notFinal,
      vendorMessagesPerSend: tally(everyId.map(messagesOf)),
      acceptedAttemptsPerSend: tally(everyId.map((id) => attempts.find((row) => row.sendId === id)?._count ?? 0)),
      workflowRunsPerSend: tally(everyId.map((id) => runs.get(`send-${id}`) ?? 0)),
      receipts: { takenByApi: taken.map((ids) => ids.length), matchedByApi: matched, passedOn: balancer.passedOn() },
      circuit: { tripSends: tripIds.length, stateAfterTrip, probes: probeIds.length, probesPlannedOpen: plannedOpen.length, probeAttemptsOnTrippedAccount: probeAttemptsOnTripped, probesDelivered },
      rateLimit: { perSecond: options.ratePerSecond, vendorSpanMs, leastSpanMs, vendorCallsByWorkerBeforeKill: callsBeforeKill },
      lifecycle,
      apiErrors: everyApi.flatMap((api) => api.output().split('\n').filter((line) => line.includes('"level":50'))).slice(0, 5).map((line) => line.slice(0, 1500)),
      failures,
    };
    failures.push(...brokenInvariants(report, everyId.length));
    return report;
  } finally {
    await Promise.all(processes.map((child) => child.kill('SIGKILL')));
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await connection.close();
    await prisma.$disconnect();
  }
}

async function allFinal(prisma: PrismaClient, sendIds: string[]): Promise<boolean> {
  if (sendIds.length === 0) return true;
  const rows = await prisma.send.findMany({ where: { id: { in: sendIds } }, select: { status: true } });
  return rows.length === sendIds.length && rows.every((row) => FINAL_STATUSES.has(row.status as SendStatus));
}

/** Executions per workflow id on the task queue (a send's retry by an operator would be a second; none happens here). */
async function workflowRuns(temporal: Client, taskQueue: string): Promise<Map<string, number>> {
  const runs = new Map<string, number>();
  for await (const run of temporal.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) runs.set(run.workflowId, (runs.get(run.workflowId) ?? 0) + 1);
  return runs;
}

/** The invariants of the run, each broken one in words. */
export function brokenInvariants(report: ScaleOutReport, sends: number): string[] {
  const broken: string[] = [];
  const over = (counts: Record<string, number>, most: number): number => Object.entries(counts).filter(([n]) => Number(n) > most).reduce((sum, [, count]) => sum + count, 0);
  if (report.burst.accepted !== report.burst.requested) broken.push(`${report.burst.requested - report.burst.accepted} burst requests never answered 202`);
  if (report.burst.statusesSeen['500']) broken.push(`${report.burst.statusesSeen['500']} answers were 500; the APIs logged: ${report.apiErrors.join(' | ')}`);
  if (report.burst.acceptedByApi.some((count) => count === 0)) broken.push('an API accepted none of the burst');
  if (report.notFinal > 0) broken.push(`${report.notFinal} sends not final`);
  if (over(report.vendorMessagesPerSend, 1) > 0) broken.push(`${over(report.vendorMessagesPerSend, 1)} sends with more than one message at the vendor`);
  if (over(report.acceptedAttemptsPerSend, 1) > 0) broken.push(`${over(report.acceptedAttemptsPerSend, 1)} sends with more than one accepted attempt`);
  if ((report.workflowRunsPerSend['1'] ?? 0) !== sends) broken.push(`${sends - (report.workflowRunsPerSend['1'] ?? 0)} sends without exactly one workflow run`);
  report.receipts.takenByApi.forEach((taken, api) => {
    if (taken === 0) broken.push(`API ${api + 1} took no receipt push`);
    if (report.receipts.matchedByApi[api] !== taken) broken.push(`API ${api + 1} matched ${report.receipts.matchedByApi[api]} of the ${taken} receipts it took`);
  });
  if (report.circuit.stateAfterTrip !== 'OPEN') broken.push(`the tripped circuit reads ${report.circuit.stateAfterTrip} through the other API`);
  if (report.circuit.probesPlannedOpen === 0) broken.push('no probe was planned while the circuit was open (it closes after 60 s): nothing shown');
  if (report.circuit.probeAttemptsOnTrippedAccount > 0) broken.push(`the second worker tried the tripped account ${report.circuit.probeAttemptsOnTrippedAccount} times`);
  if (report.circuit.probesDelivered !== report.circuit.probes) broken.push(`${report.circuit.probes - report.circuit.probesDelivered} probes not delivered`);
  if (report.rateLimit.vendorSpanMs < report.rateLimit.leastSpanMs) broken.push(`the burst reached the vendor in ${report.rateLimit.vendorSpanMs} ms, faster than ${report.rateLimit.perSecond}/s allows (${report.rateLimit.leastSpanMs} ms)`);
  if (report.rateLimit.vendorCallsByWorkerBeforeKill.length !== 2 || report.rateLimit.vendorCallsByWorkerBeforeKill.some((calls) => calls === 0)) broken.push('not both workers called the vendor before the kill');
  if (report.lifecycle.apiRestartExit !== 'code 0') broken.push(`the restarted API exited with ${report.lifecycle.apiRestartExit}`);
  if (report.lifecycle.drainedWorkerExit !== 'code 0') broken.push(`the stopped worker exited with ${report.lifecycle.drainedWorkerExit}`);
  if (report.lifecycle.killedWorkerExit !== 'signal SIGKILL') broken.push(`the killed worker ended with ${report.lifecycle.killedWorkerExit}`);
  return broken;
}
