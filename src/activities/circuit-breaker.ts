/**
 * Per-account circuit breaker, shared by all workers through Redis. `failureThreshold` failures
 * within `windowSeconds` open the circuit for `openSeconds`; the route then tries that account
 * last. When the open period ends the account is tried again; a success closes it at once.
 * Redis down or slow: every circuit reads as closed and nothing throws (fail open).
 */
import type { Redis, Result } from 'ioredis';
import { withDeadline } from '../shared/with-deadline';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  windowSeconds: number;
  openSeconds: number;
  /** How long a Redis call may take before it is given up; 500 ms unless set. */
  timeoutMs?: number;
}

export interface CircuitBreaker {
  recordSuccess(accountId: string): Promise<void>;
  recordFailure(accountId: string): Promise<void>;
  /** The accounts among `accountIds` whose circuit is open, in one round trip. */
  openAccounts(accountIds: string[]): Promise<Set<string>>;
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    heraldCircuitFailure(failuresKey: string, openKey: string, ...args: string[]): Result<number, Context>;
  }
}

const DEFAULT_TIMEOUT_MS = 500;

/**
 * KEYS: failure counter, open flag. ARGV: window ms, threshold, open ms.
 * Counts a failure in the current window; at the threshold sets the open flag and starts over.
 */
const FAILURE_SCRIPT = `
local failures = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
if failures >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

export function createCircuitBreaker(redis: Redis, options: CircuitBreakerOptions): CircuitBreaker {
  redis.defineCommand('heraldCircuitFailure', { numberOfKeys: 2, lua: FAILURE_SCRIPT });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const bounded = <T>(work: Promise<T>): Promise<T> => withDeadline(work, timeoutMs);

  return {
    async recordSuccess(accountId) {
      await bounded(redis.del(failuresKey(accountId), openKey(accountId))).catch(ignore);
    },

    async recordFailure(accountId) {
      const args = [options.windowSeconds * 1000, options.failureThreshold, options.openSeconds * 1000].map(String);
      await bounded(redis.heraldCircuitFailure(failuresKey(accountId), openKey(accountId), ...args)).catch(ignore);
    },

    async openAccounts(accountIds) {
      if (accountIds.length === 0) return new Set();
      try {
        const flags = await bounded(redis.mget(accountIds.map(openKey)));
        return new Set(accountIds.filter((_id, i) => flags[i] !== null));
      } catch {
        return new Set();
      }
    },
  };
}

/** Fail open: a circuit breaker that cannot reach Redis must never fail a send. */
function ignore(): void {}

/** The account id is a hash tag, so both keys of an account share a Redis Cluster slot. */
function failuresKey(accountId: string): string {
  return `circuit:{${accountId}}:failures`;
}

function openKey(accountId: string): string {
  return `circuit:{${accountId}}:open`;
}
