import autocannon from 'autocannon';
import { round, waitUntil, type Figures } from '../figures';
import { freshReceivers } from '../receivers';
import type { BenchStack } from '../stack';
import { messageBody, authHeaders } from './requests';

/** A task queue no worker polls: acceptance is measured without the sends competing for the CPU. */
const UNPOLLED_QUEUE = 'herald-bench-unpolled';

export interface AcceptanceSize {
  receiversPerRequest: number;
  requests: number;
  connections: number;
}

/**
 * `POST /v1/messages` as callers use it: validation, the message, send and
 * outbox rows in one Postgres transaction, the 202, then the workflow starts.
 */
export async function measureApiAcceptance(stack: BenchStack, sizes: AcceptanceSize[]): Promise<Array<[string, Figures]>> {
  const api = await stack.startApi(UNPOLLED_QUEUE);
  try {
    const results: Array<[string, Figures]> = [];
    for (const size of sizes) {
      const started = Date.now();
      const result = await autocannon({
        url: stack.apiUrl,
        connections: size.connections,
        amount: size.requests,
        requests: [
          {
            method: 'POST',
            path: '/v1/messages',
            headers: authHeaders(stack.config),
            setupRequest: (request) => ({ ...request, body: messageBody(freshReceivers(size.receiversPerRequest)) }),
          },
        ],
      });
      // The API starts the workflows after each 202; the next size starts once they all are.
      await waitUntil(async () => (await stack.prisma.outbox.count({ where: { startedAt: null } })) === 0, 600_000, 250);
      const allStartedSeconds = (Date.now() - started) / 1000;
      results.push([
        `API acceptance, ${size.receiversPerRequest} receiver(s) per request`,
        {
          requests: result.requests.sent,
          connections: size.connections,
          'requests/s': round(result.requests.average),
          'receivers accepted/s': round(result.requests.average * size.receiversPerRequest),
          'latency p50 (ms)': result.latency.p50,
          'latency p99 (ms)': result.latency.p99,
          'non-2xx answers': result.non2xx,
          'all workflows started after (s)': round(allStartedSeconds, 2),
          'workflow starts/s': round((result.requests.sent * size.receiversPerRequest) / allStartedSeconds),
          errors: result.errors,
        },
      ]);
    }
    return results;
  } finally {
    await api.stop();
  }
}
