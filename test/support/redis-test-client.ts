import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { TEST_REDIS_KEY_PREFIX } from './test-run';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A Redis connection whose keys all live under a prefix of their own (by default a new one), so a test
 * never touches keys of another process sharing the server. Pass it to `removeTestRedis` in afterAll.
 */
export function createTestRedis(keyPrefix = `${TEST_REDIS_KEY_PREFIX}${randomUUID()}:`): Redis {
  return new Redis(REDIS_URL, { keyPrefix });
}

/** Deletes every key under the connection's prefix, then closes it. */
export async function removeTestRedis(redis: Redis): Promise<void> {
  try {
    await deleteKeysUnderPrefix(redis);
  } finally {
    await redis.quit();
  }
}

/** Deletes every key under the connection's prefix (Herald's keys of one test file, or of one test). */
export async function deleteKeysUnderPrefix(redis: Redis): Promise<void> {
  const keys = await keysUnderPrefix(redis);
  if (keys.length > 0) await redis.unlink(...keys);
}

/** A client for a port where nothing listens; never connects, never queues commands. */
export function createUnreachableRedis(): Redis {
  const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  return redis;
}

/** PTTL of every key under the connection's prefix, by key name without the prefix. */
export async function ttlsUnderPrefix(redis: Redis): Promise<Map<string, number>> {
  const keys = await keysUnderPrefix(redis);
  const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
  return new Map(keys.map((key, i) => [key, ttls[i]]));
}

/** Key names without the prefix, as the prefixed connection expects them back (KEYS patterns are not prefixed). */
async function keysUnderPrefix(redis: Redis): Promise<string[]> {
  const prefix = redis.options.keyPrefix;
  if (!prefix) throw new Error('a test connection must have a key prefix; use createTestRedis()');
  const keys = await redis.keys(`${prefix}*`);
  return keys.map((key) => key.slice(prefix.length));
}
