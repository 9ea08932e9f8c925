/**
 * A caller of N API replicas, as a business service behind a load balancer
 * would be: each request goes to the API whose turn it is, with an
 * Idempotency-Key; a refused connection, a cut one or a 503 sends the same
 * request (same key) to the next API, so a request answered by a stopping API
 * is never accepted twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface CallerAnswer {
  /** The API that answered last (index in the base URLs). */
  api: number;
  status: number;
  body: { sends?: Array<{ sendId: string }>; error?: { code?: string } } | null;
  /** Every status seen on the way, in order; 0 for a refused or cut connection. */
  statuses: number[];
}

const TRIES = 8;
const BACKOFF_MS = 250;

/** POSTs `body` to `path`, starting with API `first`, passing it on while the answer is 0 (no connection) or 503. */
export async function postAcrossApis(
  apiBaseUrls: string[],
  first: number,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<CallerAnswer> {
  const statuses: number[] = [];
  for (let attempt = 0; attempt < TRIES; attempt += 1) {
    const api = (first + attempt) % apiBaseUrls.length;
    if (attempt >= apiBaseUrls.length) await sleep(BACKOFF_MS * attempt);
    try {
      const response = await fetch(`${apiBaseUrls[api]}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      statuses.push(response.status);
      if (response.status === 503) continue;
      return { api, status: response.status, body: text ? (JSON.parse(text) as CallerAnswer['body']) : null, statuses };
    } catch {
      statuses.push(0);
    }
  }
  return { api: first, status: statuses.at(-1) ?? 0, body: null, statuses };
}

/** Runs `work(i)` for i in [0, count) with at most `concurrency` at once; results in order. */
export async function inPool<T>(count: number, concurrency: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const index = next++;
      results[index] = await work(index);
    }
  }));
  return results;
}
