/**
 * Anti-bombing: at most RECEIVER_BURST_MAX accepted sends to one receiver
 * (per channel, all callers together) within RECEIVER_BURST_WINDOW_SECONDS.
 * Checked and counted by one Lua call per receiver (sliding window in a
 * sorted set), so concurrent requests from many callers cannot overshoot.
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
    heraldReceiverBurst(key: string, member: string, nowMs: string, windowMs: string, max: string): Result<number, Context>;
  }
}

/**
 * KEYS: the receiver's sorted set of counted sends, scored by time.
 * ARGV: member, now ms, window ms, max. Returns 0 when counted, else the ms
 * until the oldest entry leaves the window.
 */
const BURST_SCRIPT = `
local nowMs, windowMs = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs - windowMs)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + windowMs - nowMs)
end
redis.call('ZADD', KEYS[1], nowMs, ARGV[1])
redis.call('PEXPIRE', KEYS[1], windowMs)
return 0
`;

const REDIS_TIMEOUT_MS = 1_000;

export function createReceiverBurstGuard(
  redis: Redis,
  config: Pick<Config, 'RECEIVER_BURST_MAX' | 'RECEIVER_BURST_WINDOW_SECONDS'>,
  logger: Logger,
  metrics: Metrics,
): ReceiverBurstGuard {
  redis.defineCommand('heraldReceiverBurst', { numberOfKeys: 1, lua: BURST_SCRIPT });
  const windowMs = config.RECEIVER_BURST_WINDOW_SECONDS * 1000;
  const limitText = `at most ${config.RECEIVER_BURST_MAX} sends per ${config.RECEIVER_BURST_WINDOW_SECONDS} s to one receiver`;

  return {
    async admit(channel, receivers) {
      const now = String(Date.now());
      let waits: number[];
      try {
        waits = await withDeadline(
          Promise.all(receivers.map((receiver) =>
            redis.heraldReceiverBurst(burstKey(channel, receiver), randomUUID(), now, String(windowMs), String(config.RECEIVER_BURST_MAX)))),
          REDIS_TIMEOUT_MS,
        );
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
  return `herald:burst:${channel}:${createHash('sha256').update(receiver).digest('hex').slice(0, 32)}`;
}
