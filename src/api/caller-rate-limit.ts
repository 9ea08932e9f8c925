import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import { callerOf } from './caller';
import { HttpError } from './http-error';

/**
 * Per API key: at most CALLER_RATE_LIMIT_REQUESTS `/v1` requests per
 * CALLER_RATE_LIMIT_WINDOW_SECONDS, counted in Redis so every API process
 * shares the budget. Over it: 429 with `Retry-After` (seconds). Redis down:
 * the request passes (like dedup, a missing Redis never stops sending), with
 * a warning.
 */
export function callerRateLimit(
  redis: Redis,
  config: Pick<Config, 'CALLER_RATE_LIMIT_REQUESTS' | 'CALLER_RATE_LIMIT_WINDOW_SECONDS'>,
  logger: Logger,
  metrics: Metrics,
): RequestHandler {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: 'caller-rate',
    points: config.CALLER_RATE_LIMIT_REQUESTS,
    duration: config.CALLER_RATE_LIMIT_WINDOW_SECONDS,
    rejectIfRedisNotReady: true,
  });
  return async (_req, res, next) => {
    const { apiKeyId } = callerOf(res);
    try {
      await limiter.consume(apiKeyId);
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) {
        logger.warn({ err: outcome, apiKeyId }, 'caller rate limit skipped: Redis unavailable');
        next();
        return;
      }
      const retryAfterSeconds = Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
      metrics.callerRateLimited.inc();
      throw new HttpError(429, 'RATE_LIMITED', `at most ${config.CALLER_RATE_LIMIT_REQUESTS} requests per ${config.CALLER_RATE_LIMIT_WINDOW_SECONDS} s per API key; retry after ${retryAfterSeconds} s`, {
        limit: config.CALLER_RATE_LIMIT_REQUESTS,
        windowSeconds: config.CALLER_RATE_LIMIT_WINDOW_SECONDS,
        retryAfterSeconds,
      }, { 'Retry-After': String(retryAfterSeconds) });
    }
    next();
  };
}
