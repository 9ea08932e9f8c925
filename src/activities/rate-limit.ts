/**
 * Per-account send rate limit, shared by all workers through Redis (rate-limiter-flexible).
 * Over the limit a send waits for the next slot, it is never dropped; past `maxWaitMs` the caller
 * gets a RateLimitHoldError and waits again later. Redis down or slow: the send goes ahead (fail open).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { withDeadline } from '../shared/with-deadline';

/** The account is still over its limit after `maxWaitMs`: hold the send longer, it is not a vendor failure. */
export class RateLimitHoldError extends Error {
  override readonly name = 'RateLimitHoldError';
}

export interface AccountRateLimiter {
  /** Takes one slot of the account's `perSecond`; `waitedMs` is the time slept waiting for it. */
  waitForSlot(accountId: string, perSecond: number, maxWaitMs: number): Promise<{ waitedMs: number }>;
}

const KEY_PREFIX = 'rate';
/** A rate-limit check that takes longer than this lets the send through. */
const REDIS_TIMEOUT_MS = 500;

export function createAccountRateLimiter(redis: Redis): AccountRateLimiter {
  const limiters = new Map<string, RateLimiterRedis>();

  function limiterFor(accountId: string, perSecond: number): RateLimiterRedis {
    const cacheKey = `${accountId}\u0000${perSecond}`;
    let limiter = limiters.get(cacheKey);
    if (!limiter) {
      // every limiter of an account counts in the same Redis key, so a changed limit starts from the current count
      limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: KEY_PREFIX,
        points: perSecond,
        duration: 1,
        rejectIfRedisNotReady: true,
      });
      limiters.set(cacheKey, limiter);
    }
    return limiter;
  }

  return {
    async waitForSlot(accountId, perSecond, maxWaitMs) {
      const limiter = limiterFor(accountId, perSecond);
      let waitedMs = 0;
      for (;;) {
        const msBeforeNext = await tryConsume(limiter, accountId);
        if (msBeforeNext === 0) return { waitedMs };
        if (waitedMs + msBeforeNext > maxWaitMs) throw new RateLimitHoldError('rate limit wait exceeded');
        await sleep(msBeforeNext);
        waitedMs += msBeforeNext;
      }
    },
  };
}

/** 0 when a slot was taken (or Redis could not tell: fail open), else the ms until the next slot. */
async function tryConsume(limiter: RateLimiterRedis, accountId: string): Promise<number> {
  try {
    await withDeadline(limiter.consume(accountId), REDIS_TIMEOUT_MS);
    return 0;
  } catch (rejection) {
    return rejection instanceof RateLimiterRes ? Math.max(rejection.msBeforeNext, 1) : 0;
  }
}
