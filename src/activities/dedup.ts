/**
 * Dedup of one send in Redis: content dedup (same receiver, template and rendered content within
 * a sliding window) and a daily frequency cap (per receiver and channel, per local calendar day).
 * Both are checked and counted by one Lua script, so one round trip and no race between senders.
 * A send holds its slot while it is in flight and keeps it once a vendor accepted it; a send that
 * ends with no vendor's acceptance (FAILED, dropped or canceled by the night shield's wait) hands
 * it back, so it neither dedups an identical later request nor counts against the cap.
 * Redis down or slow: the check is skipped (fail open), never thrown.
 */
import { createHash } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import { DateTime } from 'luxon';
import type { DedupRule } from '../shared/contract';
import { withDeadline } from '../shared/with-deadline';

export interface DedupInput {
  sendId: string;
  receiver: string;
  channel: string;
  templateId: string;
  contentHash: string;
  rule: DedupRule;
  timeZone: string;
}

/** Where a passed send was counted (receiver hashed): the keys it is taken out of again if no vendor takes it. */
export interface DedupSlot {
  contentKey: string | null;
  capKey: string;
}

export type DedupVerdict =
  | { outcome: 'PASS'; slot: DedupSlot }
  | { outcome: 'SKIPPED'; detail: string }
  | { outcome: 'FILTERED'; reason: 'CONTENT_DUPLICATE' | 'FREQUENCY_CAP'; collidedWithSendId: string | null };

export interface DedupChecker {
  check(input: DedupInput, now: Date): Promise<DedupVerdict>;
  /** Takes the send out of its slot; false when Redis could not be reached (the slot then lapses with its key). */
  release(sendId: string, slot: DedupSlot): Promise<boolean>;
}

/** The script's answer: ['PASS'] or [reason, most recent sendId in the colliding set]. */
type DedupReply = [string, string?];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    heraldDedup(contentKey: string, capKey: string, ...args: string[]): Result<DedupReply, Context>;
  }
}

const KEY_PREFIX = 'dedup:';
/** The daily cap key outlives its local day by this much, so a late retry still finds it. */
const CAP_KEY_MARGIN_MS = 60 * 60 * 1000;

/**
 * KEYS: content set, daily cap set (sorted sets of sendIds scored by time).
 * ARGV: sendId, now ms, content window ms (0 = off), content max, daily cap max, cap key ttl ms.
 * A sendId already counted passes again without being counted twice (activity retry).
 */
const DEDUP_SCRIPT = `
local sendId, nowMs, windowMs, capTtlMs = ARGV[1], ARGV[2], ARGV[3], ARGV[6]
local contentOn = tonumber(windowMs) > 0
if redis.call('ZSCORE', KEYS[2], sendId) or redis.call('ZSCORE', KEYS[1], sendId) then
  return {'PASS'}
end
if contentOn then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(nowMs) - tonumber(windowMs))
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
    return {'CONTENT_DUPLICATE', redis.call('ZRANGE', KEYS[1], -1, -1)[1]}
  end
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then
  return {'FREQUENCY_CAP', redis.call('ZRANGE', KEYS[2], -1, -1)[1]}
end
if contentOn then
  redis.call('ZADD', KEYS[1], nowMs, sendId)
  redis.call('PEXPIRE', KEYS[1], windowMs)
end
redis.call('ZADD', KEYS[2], nowMs, sendId)
redis.call('PEXPIRE', KEYS[2], capTtlMs)
return {'PASS'}
`;

export function createDedupChecker(redis: Redis, options: { timeoutMs: number }): DedupChecker {
  redis.defineCommand('heraldDedup', { numberOfKeys: 2, lua: DEDUP_SCRIPT });
  return {
    async check(input, now) {
      const local = DateTime.fromJSDate(now, { zone: input.timeZone });
      if (!local.isValid) return { outcome: 'SKIPPED', detail: `dedup skipped: invalid time zone "${input.timeZone}"` };
      const slot: DedupSlot = { contentKey: input.rule.contentWindowSeconds > 0 ? contentKey(input) : null, capKey: capKey(input, local) };
      try {
        const reply = await withDeadline(runScript(redis, input, slot, now, local), options.timeoutMs);
        return toVerdict(reply, slot);
      } catch (error) {
        return { outcome: 'SKIPPED', detail: `dedup skipped: Redis unavailable (${shortError(error)})` };
      }
    },
    async release(sendId, slot) {
      const keys = [slot.capKey, ...(slot.contentKey ? [slot.contentKey] : [])];
      try {
        await withDeadline(Promise.all(keys.map((key) => redis.zrem(key, sendId))), options.timeoutMs);
        return true;
      } catch {
        return false;
      }
    },
  };
}

function runScript(redis: Redis, input: DedupInput, slot: DedupSlot, now: Date, local: DateTime): Promise<DedupReply> {
  const { rule } = input;
  const capTtlMs = local.startOf('day').plus({ days: 1 }).toMillis() - now.getTime() + CAP_KEY_MARGIN_MS;
  return redis.heraldDedup(
    contentKey(input),
    slot.capKey,
    input.sendId,
    String(now.getTime()),
    String(rule.contentWindowSeconds * 1000),
    String(rule.contentMax),
    String(rule.dailyCapMax),
    String(capTtlMs),
  );
}

function toVerdict([outcome, collidedWithSendId]: DedupReply, slot: DedupSlot): DedupVerdict {
  if (outcome === 'CONTENT_DUPLICATE' || outcome === 'FREQUENCY_CAP') {
    return { outcome: 'FILTERED', reason: outcome, collidedWithSendId: collidedWithSendId ?? null };
  }
  return { outcome: 'PASS', slot };
}

/** Keys share a hash tag per receiver, so the script stays on one slot under Redis Cluster. */
function receiverTag(receiver: string): string {
  return `{${createHash('sha256').update(receiver).digest('hex').slice(0, 32)}}`;
}

function contentKey(input: DedupInput): string {
  return `${KEY_PREFIX}content:${receiverTag(input.receiver)}:${input.templateId}:${input.contentHash}`;
}

/** One key per local calendar day, so the cap resets at local midnight. */
function capKey(input: DedupInput, local: DateTime): string {
  return `${KEY_PREFIX}cap:${receiverTag(input.receiver)}:${input.channel}:${local.toFormat('yyyy-MM-dd')}`;
}

/** The first line of an error's message, kept short enough for a status detail. */
function shortError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0] ?? '';
  return firstLine.length > 120 ? `${firstLine.slice(0, 117)}...` : firstLine;
}
