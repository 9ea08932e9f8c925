import Redis from 'ioredis';
import { createCircuitBreaker } from '../../src/activities/circuit-breaker';
import { createTestRedis, createUnreachableRedis, removeTestRedis, ttlsUnderPrefix } from '../support/redis-test-client';
import { eventually } from '../support/herald';
import { startSilentServer } from '../support/silent-server';

const OPTIONS = { failureThreshold: 3, windowSeconds: 60, openSeconds: 30 };

let redis: Redis;

beforeAll(() => {
  redis = createTestRedis();
});

afterAll(async () => {
  await removeTestRedis(redis);
});

async function fail(times: number, breaker: ReturnType<typeof createCircuitBreaker>, accountId: string): Promise<void> {
  for (let i = 0; i < times; i++) await breaker.recordFailure(accountId);
}

describe('circuit breaker', () => {
  it('opens at the failure threshold, per account', async () => {
    const breaker = createCircuitBreaker(redis, OPTIONS);
    await fail(2, breaker, 'acc-threshold-a');
    await fail(1, breaker, 'acc-threshold-b');
    expect(await breaker.openAccounts(['acc-threshold-a', 'acc-threshold-b'])).toEqual(new Set());
    await fail(1, breaker, 'acc-threshold-a');
    expect(await breaker.openAccounts(['acc-threshold-a', 'acc-threshold-b', 'acc-unknown'])).toEqual(new Set(['acc-threshold-a']));
  });

  it('counts failures within the window and keeps the circuit open for openSeconds', async () => {
    const own = createTestRedis();
    try {
      const breaker = createCircuitBreaker(own, OPTIONS);
      await fail(1, breaker, 'acc-ttl-counting');
      await fail(3, breaker, 'acc-ttl-open');
      const ttls = await ttlsUnderPrefix(own);
      expect(ttls.get('circuit:{acc-ttl-counting}:failures')).toBeGreaterThan(55_000);
      expect(ttls.get('circuit:{acc-ttl-counting}:failures')).toBeLessThanOrEqual(60_000);
      expect(ttls.get('circuit:{acc-ttl-open}:open')).toBeGreaterThan(25_000);
      expect(ttls.get('circuit:{acc-ttl-open}:open')).toBeLessThanOrEqual(30_000);
      expect(ttls.has('circuit:{acc-ttl-open}:failures')).toBe(false);
    } finally {
      await removeTestRedis(own);
    }
  });

  it('closes by itself once the open period is over', async () => {
    // Open for 0.2 s (Redis keeps the time: nothing to inject); the TTL test above checks openSeconds is used as given.
    const breaker = createCircuitBreaker(redis, { ...OPTIONS, openSeconds: 0.2 });
    await fail(3, breaker, 'acc-expiry');
    expect(await breaker.openAccounts(['acc-expiry'])).toEqual(new Set(['acc-expiry']));
    expect(await eventually(async () => ((await breaker.openAccounts(['acc-expiry'])).size === 0 ? 'closed' : undefined), 5_000, 50)).toBe('closed');
  });

  it('starts counting again after a success', async () => {
    const breaker = createCircuitBreaker(redis, OPTIONS);
    await fail(2, breaker, 'acc-reset');
    await breaker.recordSuccess('acc-reset');
    await fail(2, breaker, 'acc-reset');
    expect(await breaker.openAccounts(['acc-reset'])).toEqual(new Set());
  });

  it('closes an open circuit on a success', async () => {
    const breaker = createCircuitBreaker(redis, OPTIONS);
    await fail(3, breaker, 'acc-recovered');
    await breaker.recordSuccess('acc-recovered');
    expect(await breaker.openAccounts(['acc-recovered'])).toEqual(new Set());
  });

  it('answers an empty question without asking Redis', async () => {
    const mget = jest.spyOn(redis, 'mget');
    try {
      expect(await createCircuitBreaker(redis, OPTIONS).openAccounts([])).toEqual(new Set());
      expect(mget).not.toHaveBeenCalled();
    } finally {
      mget.mockRestore();
    }
  });
});

describe('circuit breaker without Redis', () => {
  it('fails open when Redis cannot be reached', async () => {
    const unreachable = createUnreachableRedis();
    try {
      const breaker = createCircuitBreaker(unreachable, OPTIONS);
      await expect(breaker.recordFailure('acc-down')).resolves.toBeUndefined();
      await expect(breaker.recordSuccess('acc-down')).resolves.toBeUndefined();
      expect(await breaker.openAccounts(['acc-down'])).toEqual(new Set());
    } finally {
      unreachable.disconnect();
    }
  });

  it('fails open within timeoutMs when Redis never answers', async () => {
    const silent = await startSilentServer();
    // a short disconnectTimeout: ioredis otherwise keeps a 2 s timer alive after disconnecting here
    const hung = new Redis(silent.port, '127.0.0.1', { disconnectTimeout: 50 });
    hung.on('error', () => undefined);
    try {
      const breaker = createCircuitBreaker(hung, { ...OPTIONS, timeoutMs: 200 });
      expect(await breaker.openAccounts(['acc-hung'])).toEqual(new Set());
      await breaker.recordFailure('acc-hung');
    } finally {
      hung.disconnect();
      await silent.close();
    }
  });
});
