import Redis from 'ioredis';
import { createAccountRateLimiter, RateLimitHoldError } from '../../src/activities/rate-limit';
import { createTestRedis, createUnreachableRedis, removeTestRedis } from '../support/redis-test-client';
import { startSilentServer } from '../support/silent-server';

let redis: Redis;

beforeAll(async () => {
  redis = createTestRedis();
  await redis.ping(); // the limiter lets sends through while the connection is not ready yet
});

afterAll(async () => {
  await removeTestRedis(redis);
});

describe('account rate limit', () => {
  it('holds sends over the limit back instead of dropping them', async () => {
    const limiter = createAccountRateLimiter(redis);
    const results = await Promise.all(Array.from({ length: 12 }, () => limiter.waitForSlot('acc-busy', 5, 10_000)));
    const waited = results.filter((r) => r.waitedMs > 0);
    // 5 fit in the first second; the other 7 had to wait for at least one more second
    expect(results).toHaveLength(12);
    expect(waited.length).toBeGreaterThanOrEqual(7);
    expect(Math.max(...waited.map((r) => r.waitedMs))).toBeGreaterThan(500);
  });

  it('limits each account on its own', async () => {
    const limiter = createAccountRateLimiter(redis);
    const results = await Promise.all(
      ['acc-one', 'acc-two'].flatMap((id) => Array.from({ length: 5 }, () => limiter.waitForSlot(id, 5, 10_000))),
    );
    expect(results.every((r) => r.waitedMs === 0)).toBe(true);
  });

  it('gives up with a plain Error when the wait would exceed maxWaitMs', async () => {
    const limiter = createAccountRateLimiter(redis);
    await limiter.waitForSlot('acc-impatient', 1, 100);
    await expect(limiter.waitForSlot('acc-impatient', 1, 100)).rejects.toBeInstanceOf(RateLimitHoldError);
  });
});

describe('account rate limit without Redis', () => {
  it('lets sends through when Redis cannot be reached', async () => {
    const unreachable = createUnreachableRedis();
    try {
      const limiter = createAccountRateLimiter(unreachable);
      for (let i = 0; i < 3; i++) expect(await limiter.waitForSlot('acc-down', 1, 100)).toEqual({ waitedMs: 0 });
    } finally {
      unreachable.disconnect();
    }
  });

  it('lets sends through when Redis never answers', async () => {
    const silent = await startSilentServer();
    // a short disconnectTimeout: ioredis otherwise keeps a 2 s timer alive after disconnecting here
    const hung = new Redis(silent.port, '127.0.0.1', {
      disconnectTimeout: 50,
      lazyConnect: true,
      enableReadyCheck: false,
      disableClientInfo: true,
    });
    hung.on('error', () => undefined);
    try {
      await hung.connect(); // "ready" at once without handshake commands, so the limiter does send its command
      expect(await createAccountRateLimiter(hung).waitForSlot('acc-hung', 1, 100)).toEqual({ waitedMs: 0 });
    } finally {
      hung.disconnect();
      await silent.close();
    }
  });
});
