import Redis from 'ioredis';
import { startSilentServer } from '../support/silent-server';
import { createDedupChecker, type DedupInput } from '../../src/activities/dedup';
import type { DedupRule } from '../../src/shared/contract';
import { createTestRedis, createUnreachableRedis, removeTestRedis, ttlsUnderPrefix } from '../support/redis-test-client';

const RULE: DedupRule = { contentWindowSeconds: 300, contentMax: 1, dailyCapMax: 20 };
const T0 = new Date('2026-05-10T04:00:00Z'); // 12:00 in Shanghai

let redis: Redis;
let receiverSeq = 0;

beforeAll(() => {
  redis = createTestRedis();
});

afterAll(async () => {
  await removeTestRedis(redis);
});

/** A send to a receiver no other test uses. */
function sendTo(receiver: string, overrides: Partial<DedupInput> = {}) {
  return (sendId: string, more: Partial<DedupInput> = {}): DedupInput => ({
    sendId,
    receiver,
    channel: 'SMS',
    templateId: 'tpl-1',
    contentHash: 'hash-1',
    rule: RULE,
    timeZone: 'Asia/Shanghai',
    ...overrides,
    ...more,
  });
}

function newReceiver(overrides: Partial<DedupInput> = {}) {
  receiverSeq += 1;
  return sendTo(`+86138000${String(receiverSeq).padStart(5, '0')}`, overrides);
}

function after(seconds: number, from = T0): Date {
  return new Date(from.getTime() + seconds * 1000);
}

const PASS = expect.objectContaining({ outcome: 'PASS' });

function filtered(reason: 'CONTENT_DUPLICATE' | 'FREQUENCY_CAP', collidedWithSendId: string) {
  return { outcome: 'FILTERED', reason, collidedWithSendId };
}

describe('content dedup', () => {
  it('filters the same content to the same receiver within the window, naming the earlier send', async () => {
    const dedup = createDedupChecker(redis, { timeoutMs: 1000 });
    const send = newReceiver();
    expect(await dedup.check(send('s1'), T0)).toEqual(PASS);
    expect(await dedup.check(send('s2'), after(10))).toEqual(filtered('CONTENT_DUPLICATE', 's1'));
    expect(await dedup.check(send('s3'), after(299))).toEqual(filtered('CONTENT_DUPLICATE', 's1'));
  });

  it('passes again once the window has slid past the earlier send', async () => {
    const dedup = createDedupChecker(redis, { timeoutMs: 1000 });
    const send = newReceiver();
    expect(await dedup.check(send('s1'), T0)).toEqual(PASS);
    expect(await dedup.check(send('s2'), after(300))).toEqual(PASS);
    expect(await dedup.check(send('s3'), after(400))).toEqual(filtered('CONTENT_DUPLICATE', 's2'));
  });

  it('keeps receivers, templates and contents apart', async () => {
    const dedup = createDedupChecker(redis, { timeoutMs: 1000 });
    const send = newReceiver();
    expect(await dedup.check(send('s1'), T0)).toEqual(PASS);
    expect(await dedup.check(send('s2', { contentHash: 'hash-2' }), T0)).toEqual(PASS);
    expect(await dedup.check(send('s3', { templateId: 'tpl-2' }), T0)).toEqual(PASS);
    expect(await dedup.check(newReceiver()('s4'), T0)).toEqual(PASS);
  });

  it('allows contentMax sends in the window and names the most recent one when filtering', async () => {
    const dedup = createDedupChecker(redis, { timeoutMs: 1000 });
    const send = newReceiver({ rule: { ...RULE, contentMax: 2 } });
    expect(await dedup.check(send('s1'), T0)).toEqual(PASS);
    expect(await dedup.check(send('s2'), after(5))).toEqual(PASS);
    expect(await dedup.check(send('s3'), after(10))).toEqual(filtered('CONTENT_DUPLICATE', 's2'));
  });

  it('is off when the window is 0 seconds', async () => {
    const dedup = createDedupChecker(redis, { timeoutMs: 1000 });
    const send = newReceiver({ rule: { ...RULE, contentWindowSeconds: 0 } });
    for (const sendId of ['s1', 's2', 's3']) expect(await dedup.check(send(sendId), T0)).toEqual(PASS);
  });
});

describe('daily frequency cap', () => {
  const capOf2 = { ...RULE, dailyCapMax: 2 };

  it('caps per receiver and channel per local day, and resets at local midnight in Asia/Shanghai', async () => {
    const dedup = createDedupChecker(redis, { timeoutMs: 1000 });
    const send = newReceiver({ rule: capOf2 });
    const lateEvening = new Date('2026-12-31T15:58:00Z'); // 23:58 local, 15:58 UTC
    expect(await dedup.check(send('s1', { contentHash: 'a' }), lateEvening)).toEqual(PASS);
    expect(await dedup.check(send('s2', { contentHash: 'b' }), after(60, lateEvening))).toEqual(PASS);
    expect(await dedup.check(send('s3', { contentHash: 'c' }), after(90, lateEvening)))
      .toEqual(filtered('FREQUENCY_CAP', 's2'));
    expect(await dedup.check(send('s4', { contentHash: 'd', channel: 'EMAIL' }), after(90, lateEvening))).toEqual(PASS);
    // 00:00:30 on Jan 1 local: a new day, though still Dec 31 in UTC
    expect(await dedup.check(send('s5', { contentHash: 'c' }), after(150, lateEvening))).toEqual(PASS);
  });

  it('counts a send filtered by content dedup in neither set', async () => {
    const dedup = createDedupChecker(redis, { timeoutMs: 1000 });
    const send = newReceiver({ rule: capOf2 });
    expect(await dedup.check(send('s1'), T0)).toEqual(PASS);
    expect(await dedup.check(send('s2'), after(1))).toEqual(filtered('CONTENT_DUPLICATE', 's1'));
    expect(await dedup.check(send('s3', { contentHash: 'other' }), after(2))).toEqual(PASS);
    expect(await dedup.check(send('s4', { contentHash: 'third' }), after(3))).toEqual(filtered('FREQUENCY_CAP', 's3'));
    // s4 was not counted in the content set either: its content passes once the cap allows
    const nextDay = after(24 * 3600);
    expect(await dedup.check(send('s5', { contentHash: 'third' }), nextDay)).toEqual(PASS);
  });

  it('lets the keys expire: content after the window, the cap an hour after the local day ends', async () => {
    const own = createTestRedis();
    try {
      const elevenPm = new Date('2026-05-10T15:00:00Z'); // 23:00 in Shanghai
      expect(await createDedupChecker(own, { timeoutMs: 1000 }).check(newReceiver()('s1'), elevenPm)).toEqual(PASS);
      const ttls = [...(await ttlsUnderPrefix(own)).entries()];
      const contentTtl = ttls.find(([key]) => key.startsWith('dedup:content:'))![1];
      const capTtl = ttls.find(([key]) => key.startsWith('dedup:cap:'))![1];
      expect(ttls).toHaveLength(2);
      expect(contentTtl).toBeGreaterThan(290_000);
      expect(contentTtl).toBeLessThanOrEqual(300_000);
      expect(capTtl).toBeGreaterThan(2 * 3600_000 - 10_000);
      expect(capTtl).toBeLessThanOrEqual(2 * 3600_000);
    } finally {
      await removeTestRedis(own);
    }
  });
});

describe('retries', () => {
  it('passes the same sendId again without counting it twice', async () => {
    const dedup = createDedupChecker(redis, { timeoutMs: 1000 });
    const send = newReceiver({ rule: { contentWindowSeconds: 300, contentMax: 2, dailyCapMax: 2 } });
    expect(await dedup.check(send('s1'), T0)).toEqual(PASS);
    expect(await dedup.check(send('s1'), after(1))).toEqual(PASS);
    expect(await dedup.check(send('s1'), after(2))).toEqual(PASS);
    expect(await dedup.check(send('s2'), after(3))).toEqual(PASS);
    expect(await dedup.check(send('s3'), after(4))).toEqual(filtered('CONTENT_DUPLICATE', 's2'));
  });
});

describe('handing a slot back (a send no vendor took)', () => {
  it('frees the content window and the place under the cap, for that send only', async () => {
    const dedup = createDedupChecker(redis, { timeoutMs: 1000 });
    const send = newReceiver({ rule: { ...RULE, dailyCapMax: 2 } });
    const failed = await dedup.check(send('s1'), T0);
    expect(failed).toEqual({ outcome: 'PASS', slot: { contentKey: expect.stringMatching(/^dedup:content:/), capKey: expect.stringMatching(/^dedup:cap:.*:SMS:2026-05-10$/) } });
    expect(await dedup.check(send('s2'), after(1))).toEqual(filtered('CONTENT_DUPLICATE', 's1'));
    expect(await dedup.check(send('s3', { contentHash: 'other' }), after(2))).toEqual(PASS);
    if (failed.outcome !== 'PASS') throw new Error('s1 did not pass');
    expect(await dedup.release('s1', failed.slot)).toBe(true);
    // s1's content no longer dedups, and s1 no longer counts: s4 is the second of the day, s5 the third.
    expect(await dedup.check(send('s4'), after(3))).toEqual(PASS);
    expect(await dedup.check(send('s5', { contentHash: 'third' }), after(4))).toEqual(filtered('FREQUENCY_CAP', 's4'));
  });

  it('says false (the slot lapses with its key) when Redis cannot be reached', async () => {
    const unreachable = createUnreachableRedis();
    try {
      const slot = { contentKey: 'dedup:content:{x}:t:h', capKey: 'dedup:cap:{x}:SMS:2026-05-10' };
      expect(await createDedupChecker(unreachable, { timeoutMs: 300 }).release('s1', slot)).toBe(false);
    } finally {
      unreachable.disconnect();
    }
  });
});

describe('Redis unavailable', () => {
  it('skips at once when the client cannot reach Redis', async () => {
    const unreachable = createUnreachableRedis();
    try {
      const dedup = createDedupChecker(unreachable, { timeoutMs: 300 });
      const verdict = await dedup.check(newReceiver()('s1'), T0);
      expect(verdict).toEqual({ outcome: 'SKIPPED', detail: expect.stringMatching(/^dedup skipped: Redis unavailable \(.+\)$/) });
    } finally {
      unreachable.disconnect();
    }
  });

  it('skips after timeoutMs when Redis accepts the connection but never answers', async () => {
    const silent = await startSilentServer();
    // a short disconnectTimeout: ioredis otherwise keeps a 2 s timer alive after disconnecting here
    const hung = new Redis(silent.port, '127.0.0.1', { disconnectTimeout: 50 });
    hung.on('error', () => undefined);
    try {
      const dedup = createDedupChecker(hung, { timeoutMs: 300 });
      const verdict = await dedup.check(newReceiver()('s1'), T0);
      expect(verdict).toEqual({ outcome: 'SKIPPED', detail: 'dedup skipped: Redis unavailable (timed out after 300 ms)' });
    } finally {
      hung.disconnect();
      await silent.close();
    }
  });

  it('skips with the reason when the time zone is unknown', async () => {
    const dedup = createDedupChecker(redis, { timeoutMs: 1000 });
    expect(await dedup.check(newReceiver({ timeZone: 'Mars/Olympus' })('s1'), T0))
      .toEqual({ outcome: 'SKIPPED', detail: 'dedup skipped: invalid time zone "Mars/Olympus"' });
  });
});
