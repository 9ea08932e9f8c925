import autocannon from 'autocannon';

/** An autocannon run and its rate. */
export interface TimedLoad {
  result: autocannon.Result;
  /** The answers over the time from the start to the last answer. */
  requestsPerSecond: number;
}

/**
 * Runs autocannon and reads its rate as the answers over the time to the last answer. Neither of
 * autocannon's own figures is that: `requests.average` is the mean of whole-second buckets, and its
 * `duration` ends on one of its one-second ticks after the last answer (runs of 3,000 requests here
 * read 3.01, 4.01 or 6.01 s), so a run of a few seconds is off by up to a third.
 */
export function timedLoad(options: autocannon.Options): Promise<TimedLoad> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let lastAnswerAt = startedAt;
    const instance = autocannon(options, (error: unknown, result: autocannon.Result) => {
      if (error) reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
      else resolve({ result, requestsPerSecond: result.requests.total / Math.max(0.001, (lastAnswerAt - startedAt) / 1000) });
    });
    instance.on('response', () => {
      lastAnswerAt = performance.now();
    });
  });
}
