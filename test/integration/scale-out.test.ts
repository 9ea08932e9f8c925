import { freePort } from '../support/child-process';
import { fileResources } from '../support/isolation';
import { runScaleOut, type ScaleOutReport } from '../support/scale-out/scale-out-run';

const SENDS = 40;
const RATE_PER_SECOND = 5;
const PROBES = 6;

/**
 * Scale-out on one machine, small (`npm run scale-out` is the same run with
 * 300 sends, built JavaScript and its figures printed): two API processes and
 * two worker processes on this file's database, Redis prefix, namespace and
 * task queue; the sandbox vendor in this process, its receipts pushed to the
 * APIs in turn. A worker trips an account's circuit and stops; a worker started
 * afterwards routes around it. In a burst one API is restarted (SIGTERM) and one
 * worker killed (kill -9) while it holds vendor calls, which are retried after
 * their 45 s start-to-close timeout.
 */
describe('scale-out: two APIs and two workers on one Temporal and one database', () => {
  let report: ScaleOutReport;

  beforeAll(async () => {
    const resources = fileResources();
    report = await runScaleOut({
      sends: SENDS,
      ratePerSecond: RATE_PER_SECOND,
      concurrency: 8,
      probes: PROBES,
      entries: { api: 'src/api/main.ts', worker: 'src/worker/main.ts' },
      databaseUrl: resources.databaseUrl,
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      redisKeyPrefix: resources.redisKeyPrefix,
      temporalAddress: process.env.TEMPORAL_ADDRESS ?? '',
      namespace: resources.namespace,
      taskQueue: resources.taskQueue,
      port: freePort,
      finalWithinMs: 150_000,
      log: () => undefined,
    });
  }, 420_000);

  it('accepts every request once, through both APIs, one restarted on the way; never a 500', () => {
    expect(report.burst.accepted).toBe(SENDS);
    expect(report.burst.acceptedByApi.every((accepted) => accepted > 0)).toBe(true);
    expect(report.burst.statusesSeen['500']).toBeUndefined();
    expect(report.lifecycle.apiRestartExit).toBe('code 0');
  });

  it('ends every send, each with one workflow run, one vendor message and one accepted attempt, a worker killed on the way', () => {
    const sends = SENDS + report.circuit.tripSends + report.circuit.probes;
    expect(report.lifecycle.killedWorkerExit).toBe('signal SIGKILL');
    expect(report.notFinal).toBe(0);
    expect(report.finalByState).toEqual({ DELIVERED: SENDS });
    expect(report.workflowRunsPerSend).toEqual({ 1: sends });
    expect(report.vendorMessagesPerSend).toEqual({ 1: sends });
    expect(report.acceptedAttemptsPerSend).toEqual({ 1: sends });
  });

  it('matches the receipts pushed to either API', () => {
    expect(report.receipts.takenByApi.every((taken) => taken > 0)).toBe(true);
    expect(report.receipts.matchedByApi).toEqual(report.receipts.takenByApi);
  });

  it('shares circuit state: a worker started after another tripped the circuit never tries that account', () => {
    expect(report.lifecycle.drainedWorkerExit).toBe('code 0');
    expect(report.circuit.stateAfterTrip).toBe('OPEN');
    expect(report.circuit.probes).toBe(PROBES);
    // The second worker planned them with the circuit open, read from Redis (it closes by itself after 60 s).
    expect(report.circuit.probesPlannedOpen).toBeGreaterThan(0);
    expect(report.circuit.probeAttemptsOnTrippedAccount).toBe(0);
    expect(report.circuit.probesDelivered).toBe(PROBES);
  });

  it('shares the rate limit: both workers call the vendor, together no faster than the account allows', () => {
    expect(report.rateLimit.vendorCallsByWorkerBeforeKill).toHaveLength(2);
    expect(report.rateLimit.vendorCallsByWorkerBeforeKill.every((calls) => calls > 0)).toBe(true);
    expect(report.rateLimit.vendorSpanMs).toBeGreaterThanOrEqual(report.rateLimit.leastSpanMs);
  });

  it('breaks no invariant of the run', () => {
    expect(report.failures).toEqual([]);
  });
});
