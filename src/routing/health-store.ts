/**
 * Each account's routing health in Redis, shared by every worker and API
 * process: receipts and vendor calls counted in time buckets (a rolling
 * window of ten buckets), and the verdict kept between judgements
 * (src/routing/route-health.ts). Thin on purpose: counting, reading and a
 * compare-and-set; every decision is in route-health.ts.
 *
 * Redis down or slow: counts are dropped, reads answer null (weights are
 * then the configured ones), nothing throws: routing health must never
 * fail a send or a receipt.
 */
import type { Redis, Result } from 'ioredis';
import { withDeadline } from '../shared/with-deadline';
import type { ReceiptStatus } from '../shared/states';
import { HEALTH_STATES, NO_FIGURES, type HealthFigures, type KeptVerdict } from './route-health';

/** Buckets per window: the window slides by a tenth of itself. */
const BUCKETS_PER_WINDOW = 10;
const DEFAULT_TIMEOUT_MS = 500;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    heraldKeepVerdict(key: string, expected: string, next: string, ttlMs: string): Result<number, Context>;
  }
}

/** KEYS: the verdict. ARGV: the verdict read before judging ('' when none), the new one, its lifetime. Writes only if nobody wrote meanwhile. */
const KEEP_VERDICT_SCRIPT = `
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

export interface AccountHealthRecord {
  figures: HealthFigures;
  kept: KeptVerdict | null;
  /** The stored text of `kept`, for the compare-and-set. */
  keptText: string;
}

export interface HealthStore {
  /** Counts receipts just stored (never the same receipt twice: the callers pass new rows only). */
  recordReceipts(accountId: string, receipts: ReadonlyArray<{ status: ReceiptStatus }>): Promise<void>;
  /** Counts one vendor call and how long it took. */
  recordCall(accountId: string, durationMs: number): Promise<void>;
  /** The window's figures and kept verdict of each account; null when Redis cannot be read in time. */
  read(accountIds: readonly string[]): Promise<Map<string, AccountHealthRecord> | null>;
  /** Keeps a new verdict unless another process changed it since `read`; true when this call wrote it. */
  keep(accountId: string, readText: string, next: KeptVerdict): Promise<boolean>;
}

export function createHealthStore(redis: Redis, options: { windowMs: number; now: () => number; timeoutMs?: number }): HealthStore {
  redis.defineCommand('heraldKeepVerdict', { numberOfKeys: 1, lua: KEEP_VERDICT_SCRIPT });
  const bucketMs = Math.max(1_000, Math.floor(options.windowMs / BUCKETS_PER_WINDOW));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const bounded = <T>(work: Promise<T>): Promise<T> => withDeadline(work, timeoutMs);
  // A bucket outlives the window by one bucket; a kept verdict by two windows (it is read for one).
  const bucketTtlMs = String(options.windowMs + bucketMs);
  const verdictTtlMs = String(2 * options.windowMs);

  async function count(accountId: string, fields: Record<string, number>): Promise<void> {
    const key = bucketKey(accountId, Math.floor(options.now() / bucketMs));
    const pipeline = redis.pipeline();
    for (const [field, by] of Object.entries(fields)) if (by > 0) pipeline.hincrby(key, field, by);
    pipeline.pexpire(key, bucketTtlMs);
    await bounded(pipeline.exec()).catch(ignore);
  }

  return {
    async recordReceipts(accountId, receipts) {
      if (receipts.length === 0) return;
      const delivered = receipts.filter((receipt) => receipt.status === 'DELIVERED').length;
      await count(accountId, { delivered, undelivered: receipts.length - delivered });
    },

    async recordCall(accountId, durationMs) {
      await count(accountId, { calls: 1, callMs: Math.max(0, Math.round(durationMs)) });
    },

    async read(accountIds) {
      if (accountIds.length === 0) return new Map();
      const last = Math.floor(options.now() / bucketMs);
      const buckets = Array.from({ length: BUCKETS_PER_WINDOW }, (_, i) => last - i);
      const pipeline = redis.pipeline();
      for (const id of accountIds) {
        for (const bucket of buckets) pipeline.hgetall(bucketKey(id, bucket));
        pipeline.get(verdictKey(id));
      }
      try {
        const replies = (await bounded(pipeline.exec())) ?? [];
        if (replies.some(([error]) => error !== null)) return null;
        const perAccount = BUCKETS_PER_WINDOW + 1;
        return new Map(accountIds.map((id, i) => {
          const own = replies.slice(i * perAccount, (i + 1) * perAccount).map(([, value]) => value);
          const keptText = typeof own[BUCKETS_PER_WINDOW] === 'string' ? own[BUCKETS_PER_WINDOW] : '';
          return [id, { figures: own.slice(0, BUCKETS_PER_WINDOW).reduce(addBucket, NO_FIGURES), kept: parseKept(keptText), keptText }];
        }));
      } catch {
        return null;
      }
    },

    async keep(accountId, readText, next) {
      try {
        return (await bounded(redis.heraldKeepVerdict(verdictKey(accountId), readText, JSON.stringify(next), verdictTtlMs))) === 1;
      } catch {
        return false;
      }
    },
  };
}

function addBucket(sum: HealthFigures, bucket: unknown): HealthFigures {
  const fields = (bucket ?? {}) as Record<string, string>;
  const read = (name: keyof HealthFigures) => {
    const value = Number(fields[name] ?? 0);
    return Number.isFinite(value) ? value : 0;
  };
  return { delivered: sum.delivered + read('delivered'), undelivered: sum.undelivered + read('undelivered'), calls: sum.calls + read('calls'), callMs: sum.callMs + read('callMs') };
}

/** A kept verdict as stored; anything unreadable counts as none. */
function parseKept(text: string): KeptVerdict | null {
  if (text === '') return null;
  try {
    const value = JSON.parse(text) as Partial<KeptVerdict>;
    const numbers = [value.factor, value.since, value.judgedAt].every((n) => typeof n === 'number' && Number.isFinite(n));
    if (!numbers || !HEALTH_STATES.includes(value.state as KeptVerdict['state']) || typeof value.why !== 'string') return null;
    return value as KeptVerdict;
  } catch {
    return null;
  }
}

/** Redis down: health is not counted, never a failure. */
function ignore(): void {}

/** The account id is a hash tag: an account's keys share a Redis Cluster slot. */
function bucketKey(accountId: string, bucket: number): string {
  return `route-health:{${accountId}}:${bucket}`;
}

function verdictKey(accountId: string): string {
  return `route-health:{${accountId}}:verdict`;
}
