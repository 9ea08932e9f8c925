import { round, waitUntil, type Figures } from '../figures';
import { timedLoad } from '../timed-load';
import { sampleProcess } from '../process-stats';
import { freshReceivers } from '../receivers';
import type { BenchStack } from '../stack';
import { messageBody, authHeaders } from './requests';

/** A task queue no worker polls: acceptance is measured without the sends competing for the CPU. */
const UNPOLLED_QUEUE = 'herald-bench-unpolled';
/** Single-receiver requests before the first size, like the raw endpoint's warm-up. */
const WARM_UP_REQUESTS = 200;

export interface AcceptanceSize {
  receiversPerRequest: number;
  requests: number;
  connections: number;
}

/** Where the workflows are started: by the API's own relay (the default), or by a relay process apart (API_OUTBOX_RELAY=false). */
export type RelayPlacement = 'in the API' | 'apart';

export interface AcceptanceResult {
  size: AcceptanceSize;
  placement: RelayPlacement;
  figures: Figures;
  requestsPerSecond: number;
  p99Ms: number;
  /** Workflow starts per second from the first start to the last (the outbox's started_at). */
  drainStartsPerSecond: number;
  /** The API process's CPU time per request under the load (answers only), and until every start drained (the relay's starts too). */
  cpuMsPerRequest: { answering: number; withStarts: number };
}

async function outboxPending(stack: BenchStack): Promise<number> {
  return stack.prisma.outbox.count({ where: { startedAt: null } });
}

/**
 * `POST /v1/messages` as callers use it: validation, the message, send and
 * outbox rows in one Postgres statement, the 202; the API's outbox relay
 * starts the workflows behind the answers. Measured: the answers, and how
 * fast the starts drain (from the outbox's own timestamps).
 */
export async function measureApiAcceptance(stack: BenchStack, sizes: AcceptanceSize[], placement: RelayPlacement): Promise<AcceptanceResult[]> {
  const api = await stack.startApi(UNPOLLED_QUEUE, placement === 'apart' ? { API_OUTBOX_RELAY: 'false' } : {});
  const relay = placement === 'apart' ? await stack.startRelay(UNPOLLED_QUEUE) : null;
  try {
    const results: AcceptanceResult[] = [];
    const load = (size: AcceptanceSize, amount: number) =>
      timedLoad({
        url: stack.apiUrl,
        connections: size.connections,
        amount,
        requests: [
          {
            method: 'POST',
            path: '/v1/messages',
            headers: authHeaders(stack.config),
            setupRequest: (request) => ({ ...request, body: messageBody(freshReceivers(size.receiversPerRequest)) }),
          },
        ],
      });
    // Warm-up, like the raw endpoint's: connections open, caches filled, code optimised; its starts drained.
    await load({ receiversPerRequest: 1, requests: WARM_UP_REQUESTS, connections: sizes[0]?.connections ?? 16 }, WARM_UP_REQUESTS);
    await waitUntil(async () => (await outboxPending(stack)) === 0, 600_000, 250);
    for (const size of sizes) {
      const since = new Date();
      const started = Date.now();
      const cpuBefore = sampleProcess(api.pid).cpuSeconds;
      const { result, requestsPerSecond } = await load(size, size.requests);
      const cpuAnswered = sampleProcess(api.pid).cpuSeconds;
      await waitUntil(async () => (await outboxPending(stack)) === 0, 600_000, 250);
      const allStartedSeconds = (Date.now() - started) / 1000;
      const perRequest = (cpuSeconds: number): number => (cpuSeconds * 1000) / Math.max(1, result.requests.sent);
      const cpuMsPerRequest = { answering: perRequest(cpuAnswered - cpuBefore), withStarts: perRequest(sampleProcess(api.pid).cpuSeconds - cpuBefore) };
      const [drain] = await stack.prisma.$queryRaw<Array<{ starts: bigint; seconds: number | null }>>`
        SELECT count(*) AS starts, extract(epoch FROM max(o.started_at) - min(o.started_at))::float8 AS seconds
        FROM outbox o JOIN send s ON s.id = o.send_id WHERE s.created_at >= ${since}`;
      const starts = Number(drain?.starts ?? 0);
      const drainStartsPerSecond = starts / Math.max(0.001, drain?.seconds ?? 0);
      results.push({
        size,
        placement,
        requestsPerSecond,
        p99Ms: result.latency.p99,
        drainStartsPerSecond,
        cpuMsPerRequest,
        figures: {
          requests: result.requests.sent,
          connections: size.connections,
          'requests/s': round(requestsPerSecond),
          'receivers accepted/s': round(requestsPerSecond * size.receiversPerRequest),
          'latency p50 (ms)': result.latency.p50,
          'latency p99 (ms)': result.latency.p99,
          'API CPU per request while answering (ms)': round(cpuMsPerRequest.answering, 2),
          'API CPU per request, its starts included (ms)': round(cpuMsPerRequest.withStarts, 2),
          'non-2xx answers': result.non2xx,
          errors: result.errors,
          'all workflows started after (s)': round(allStartedSeconds, 2),
          'workflow starts (outbox rows started)': starts,
          'workflow starts/s, first start to last': round(drainStartsPerSecond),
        },
      });
    }
    return results;
  } finally {
    await relay?.stop();
    await api.stop();
  }
}
