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

/** One account's circuit as ops see it: open (and for how much longer), and the failures counted in the current window. */
export interface CircuitState {
  open: boolean;
  /** Milliseconds until an open circuit closes again; null when closed. */
  openForMs: number | null;
  recentFailures: number;
}

/**
 * The circuits of `accountIds`, read in one round trip, without changing them. Null when Redis cannot
 * be read in time: the workers then treat every circuit as closed (fail open), and ops should see
 * "unknown", not "closed".
 */
export async function readCircuits(redis: Redis, accountIds: string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Map<string, CircuitState> | null> {
  const pipeline = redis.pipeline();
  for (const id of accountIds) pipeline.pttl(openKey(id)).get(failuresKey(id));
  try {
    const replies = (await withDeadline(pipeline.exec(), timeoutMs)) ?? [];
    if (replies.some(([error]) => error !== null)) return null;
    return new Map(
      accountIds.map((id, i) => {
        const openMs = Number(replies[2 * i]?.[1] ?? -2);
        const failures = Number(replies[2 * i + 1]?.[1] ?? 0);
        // PTTL: -2 no key (closed), -1 a key without expiry (open until a success closes it).
        const open = openMs !== -2;
        return [id, { open, openForMs: open && openMs >= 0 ? openMs : null, recentFailures: Number.isFinite(failures) ? failures : 0 }];
      }),
    );
  } catch {
    return null;
  }
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
