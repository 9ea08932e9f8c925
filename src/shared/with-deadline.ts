/**
 * Bounds a call in time. ioredis may hold a command in its offline queue or retry it while
 * reconnecting, and a readiness probe must answer even when a dependency hangs; callers race
 * the work against a timer.
 */

/** Resolves or rejects like `work`, or rejects after `timeoutMs` with "timed out after <n> ms". */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
