/**
 * Anti-bombing: at most RECEIVER_BURST_MAX accepted sends to one receiver
 * (per channel, all callers together) within RECEIVER_BURST_WINDOW_SECONDS.
 * Checked and counted by Lua calls of up to 500 receivers each (sliding window in a
 * sorted set per receiver), so concurrent requests from many callers cannot overshoot.
 * A refused receiver is not counted. Redis down or slow: every receiver
 * passes (fail open, logged), like dedup.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import { withDeadline } from '../shared/with-deadline';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import { maskReceiver } from '../shared/mask';

/** The reason a capped receiver carries in the answer. */
export const RECEIVER_BURST_CAP = 'RECEIVER_BURST_CAP';

export interface CappedReceiver {
  field: string;
  index: number;
  receiver: string;
  reason: typeof RECEIVER_BURST_CAP;
  message: string;
}

export interface BurstVerdict {
  capped: CappedReceiver[];
  /** Seconds until every capped receiver has room again. */
  retryAfterSeconds: number;
}

export interface ReceiverBurstGuard {
  /** Counts the receivers that pass; returns those that must not be sent to now. */
  admit(channel: string, receivers: string[]): Promise<BurstVerdict>;
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    heraldReceiverBurst(numberOfKeys: number, ...keysThenArgs: string[]): Result<number[], Context>;
  }
}

/**
 * KEYS: each receiver's sorted set of counted sends, scored by time.
 * ARGV: now ms, window ms, max, then one member per key. Returns, per key in
 * order, 0 when counted, else the ms until its oldest entry leaves the window.
 * A receiver given twice in one call is counted twice, in order, as one call
 * per receiver would. All keys on one Redis (no cluster slots).
 */
const BURST_SCRIPT = `
local nowMs, windowMs, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local waits = {}
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', nowMs - windowMs)
  if redis.call('ZCARD', key) >= max then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    waits[i] = math.max(1, tonumber(oldest[2]) + windowMs - nowMs)
  else
    redis.call('ZADD', key, nowMs, ARGV[3 + i])
    redis.call('PEXPIRE', key, windowMs)
    waits[i] = 0
  end
end
return waits
`;

/**
 * Receivers per script call: one call per receiver cost 0.4 s for 10,000
 * (bench/large-message-phases.ts); a chunk keeps Redis free for others between calls.
 */
const RECEIVERS_PER_CALL = 500;

const REDIS_TIMEOUT_MS = 1_000;

export function createReceiverBurstGuard(
  redis: Redis,
  config: Pick<Config, 'RECEIVER_BURST_MAX' | 'RECEIVER_BURST_WINDOW_SECONDS'>,
  logger: Logger,
  metrics: Metrics,
): ReceiverBurstGuard {
  redis.defineCommand('heraldReceiverBurst', { lua: BURST_SCRIPT });
  const windowMs = config.RECEIVER_BURST_WINDOW_SECONDS * 1000;
  const limitText = `at most ${config.RECEIVER_BURST_MAX} sends per ${config.RECEIVER_BURST_WINDOW_SECONDS} s to one receiver`;

  return {
    async admit(channel, receivers) {
      const now = String(Date.now());
      let waits: number[];
      try {
        const chunks: string[][] = [];
        for (let start = 0; start < receivers.length; start += RECEIVERS_PER_CALL) chunks.push(receivers.slice(start, start + RECEIVERS_PER_CALL));
        const answers = await withDeadline(
          Promise.all(chunks.map((chunk) => redis.heraldReceiverBurst(
            chunk.length,
            ...chunk.map((receiver) => burstKey(channel, receiver)),
            now, String(windowMs), String(config.RECEIVER_BURST_MAX),
            ...chunk.map(() => randomUUID()),
          ))),
          REDIS_TIMEOUT_MS,
        );
        waits = answers.flat();
      } catch (error) {
        logger.warn({ err: error, receiverCount: receivers.length }, 'receiver burst check skipped: Redis unavailable');
        return { capped: [], retryAfterSeconds: 0 };
      }
      const capped: CappedReceiver[] = [];
      let longestWaitMs = 0;
      waits.forEach((waitMs, index) => {
        if (waitMs === 0) return;
        const receiver = receivers[index] ?? '';
        longestWaitMs = Math.max(longestWaitMs, waitMs);
        capped.push({ field: `receivers[${index}]`, index, receiver, reason: RECEIVER_BURST_CAP, message: `${limitText}; not sent` });
      });
      if (capped.length > 0) {
        metrics.receiversCapped.inc({ channel }, capped.length);
        logger.warn({ channel, receivers: capped.map((c) => maskReceiver(c.receiver)) }, 'receivers capped: burst of sends to one receiver');
      }
      return { capped, retryAfterSeconds: Math.ceil(longestWaitMs / 1000) };
    },
  };
}

/** The receiver is hashed: raw numbers and e-mails stay out of Redis key names. */
function burstKey(channel: string, receiver: string): string {
  return `burst:${channel}:${createHash('sha256').update(receiver).digest('hex').slice(0, 32)}`;
}
