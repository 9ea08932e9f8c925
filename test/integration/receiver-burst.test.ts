import type Redis from 'ioredis';
import pino from 'pino';
import { createReceiverBurstGuard } from '../../src/api/receiver-burst';
import { createMetrics } from '../../src/observability/metrics';
import { createTestRedis, createUnreachableRedis, removeTestRedis } from '../support/redis-test-client';

const RULE = { RECEIVER_BURST_MAX: 2, RECEIVER_BURST_WINDOW_SECONDS: 60 };

function capturingLogger() {
  const lines: string[] = [];
  return { lines, logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }) };
}

describe('receiver burst guard (real Redis)', () => {
  let redis: Redis;

  beforeAll(async () => {
    redis = createTestRedis();
    await redis.ping();
  });

  afterAll(async () => {
    await removeTestRedis(redis);
  });

  it('caps each receiver on its own, counts only what it admits, and logs capped receivers masked', async () => {
    const { lines, logger } = capturingLogger();
    const guard = createReceiverBurstGuard(redis, RULE, logger, createMetrics());
    expect((await guard.admit('SMS', ['+8613800180001', '+8613800180001'])).capped).toEqual([]);
    const verdict = await guard.admit('SMS', ['+8613800180001', '+8613800180002', '+8613800180001']);
    expect(verdict.capped.map((c) => c.index)).toEqual([0, 2]);
    expect(verdict.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(verdict.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Another channel is another count; refused receivers took no slot.
    expect((await guard.admit('EMAIL', ['+8613800180001'])).capped).toEqual([]);
    expect((await guard.admit('SMS', ['+8613800180002'])).capped).toEqual([]);

    const log = lines.join('');
    expect(log).toContain('+86138****0001');
    expect(log).not.toContain('+8613800180001');
    const keys = await redis.keys('*');
    expect(keys.some((key) => key.includes('8613800180001'))).toBe(false);
  });

  it('counts a receiver across the chunks of a large request, in request order', async () => {
    const guard = createReceiverBurstGuard(redis, RULE, pino({ level: 'silent' }), createMetrics());
    const receivers = Array.from({ length: 1_200 }, (_, i) => `+86138002${String(i).padStart(5, '0')}7`);
    const repeated = '+8613800190009';
    for (const index of [0, 600, 1_100]) receivers[index] = repeated;
    const verdict = await guard.admit('SMS', receivers);
    expect(verdict.capped.map((c) => ({ index: c.index, receiver: c.receiver }))).toEqual([{ index: 1_100, receiver: repeated }]);
  });

  it('lets every receiver through when Redis is down, and says so', async () => {
    const { lines, logger } = capturingLogger();
    const unreachable = createUnreachableRedis();
    try {
      const guard = createReceiverBurstGuard(unreachable, RULE, logger, createMetrics());
      const receivers = ['+8613800180003', '+8613800180003', '+8613800180003'];
      expect(await guard.admit('SMS', receivers)).toEqual({ capped: [], retryAfterSeconds: 0 });
      expect(lines.join('')).toContain('receiver burst check skipped: Redis unavailable');
    } finally {
      unreachable.disconnect();
    }
  });
});
