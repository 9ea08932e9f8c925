import { Redis } from 'ioredis';

/**
 * One Redis connection per process. Commands fail fast while Redis is down
 * (no offline queue that would hold a send for minutes); callers fail open.
 * Every key Herald names through it is put under `keyPrefix` (REDIS_KEY_PREFIX,
 * Lua script keys included), so code names keys without a prefix of its own.
 */
export function createRedis(url: string, keyPrefix: string): Redis {
  return new Redis(url, {
    keyPrefix,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
}

/** Waits until Redis is connected, at most `timeoutMs`; Herald starts without it (dedup fails open). */
export async function waitForRedis(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    function onReady(): void {
      clearTimeout(timer);
      resolve(true);
    }
    redis.once('ready', onReady);
  });
}
