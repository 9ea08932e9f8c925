import { randomUUID } from 'node:crypto';
import { round, waitUntil, type Figures } from '../figures';
import { timedLoad } from '../timed-load';
import { sampleProcess } from '../process-stats';
import { freshReceivers } from '../receivers';
import type { BenchStack } from '../stack';
import type { AcceptanceSize } from './api-acceptance';
import { messageBody } from './requests';

/** Where anchor (b) starts its workflows: a task queue no worker polls. */
const UNPOLLED_ANCHOR_QUEUE = 'bench-anchor-unpolled';

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

export interface RawEndpointResult {
  figures: Figures;
  requestsPerSecond: number;
  p99Ms: number;
  /** The endpoint process's CPU time per request under the load. */
  cpuMsPerRequest: number;
}

/**
 * Anchor (a): `bench/raw-endpoint/server.ts`, Express + pg doing the same
 * three inserts (message, send, outbox) in one transaction, under the same
 * autocannon load as Herald's single-receiver acceptance.
 */
export async function measureRawEndpoint(stack: BenchStack, size: AcceptanceSize): Promise<RawEndpointResult> {
  const server = stack.spawnEntry('raw-endpoint', 'bench/raw-endpoint/server.ts');
  try {
    await waitUntil(() => answers(stack.rawEndpointUrl), 60_000);
    const load = (amount: number) =>
      timedLoad({
        url: stack.rawEndpointUrl,
        connections: size.connections,
        amount,
        requests: [
          {
            method: 'POST',
            path: '/v1/messages',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => ({ ...request, body: messageBody(freshReceivers(1)) }),
          },
        ],
      });
    await load(200); // warm-up: connections opened, code optimised, as Herald's API gets
    const cpuBefore = sampleProcess(server.pid).cpuSeconds;
    const { result, requestsPerSecond } = await load(size.requests);
    const cpuMsPerRequest = ((sampleProcess(server.pid).cpuSeconds - cpuBefore) * 1000) / Math.max(1, result.requests.sent);
    return {
      requestsPerSecond,
      p99Ms: result.latency.p99,
      cpuMsPerRequest,
      figures: {
        requests: result.requests.sent,
        connections: size.connections,
        'requests/s': round(requestsPerSecond),
        'latency p50 (ms)': result.latency.p50,
        'latency p99 (ms)': result.latency.p99,
        'server CPU per request (ms)': round(cpuMsPerRequest, 2),
        'non-2xx answers': result.non2xx,
      },
    };
  } finally {
    await server.stop();
  }
}

/**
 * Anchor (b): how fast this dev server starts workflows at all: N starts of a
 * trivial workflow to a task queue no worker polls, `concurrency` requests in
 * flight (Herald's starter keeps as many), through the bench's own client.
 */
export async function measureRawStarts(stack: BenchStack, starts: number, concurrency: number): Promise<{ figures: Figures; startsPerSecond: number }> {
  const client = stack.temporal.client;
  const startOne = () => client.workflow.start('oneActivity', { taskQueue: UNPOLLED_ANCHOR_QUEUE, workflowId: `anchor-start-${randomUUID()}`, workflowExecutionTimeout: '10 minutes' });
  await Promise.all(Array.from({ length: concurrency }, startOne)); // warm-up
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < starts) await startOne();
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  return {
    startsPerSecond: starts / seconds,
    figures: { starts, 'in flight': concurrency, 'all started after (s)': round(seconds, 2), 'starts/s': round(starts / seconds) },
  };
}
