/**
 * The effective weights of one channel's accounts, as the route planner
 * (src/activities/routing.ts), the health route and the account report read
 * them: the figures from Redis, judged by route-health.ts, and the verdicts
 * that changed kept for the next judgement. Every process judges the same
 * figures the same way; the compare-and-set keeps one writer per change, and
 * that one logs the move.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createHealthStore, type HealthStore } from './health-store';
import { configuredWeights, judgeWeights, NO_FIGURES, type HealthRules, type KeptVerdict, type WeightVerdict } from './route-health';

/** An account as the judgement needs it; its figures come from the store. */
export interface WeightedAccount {
  id: string;
  name: string;
  weight: number;
  pinnedWeight: number | null;
}

export interface RouteWeights {
  /** The verdict of each account of one channel (judged against each other), by id. */
  weigh(accounts: readonly WeightedAccount[]): Promise<Map<string, WeightVerdict>>;
}

/** The reason given while Redis cannot be read: nothing moves. */
export const HEALTH_UNKNOWN = 'routing health unknown (Redis cannot be read)';

/** What a process (API or worker) keeps of routing health: the counts in Redis, and the judgement over them. */
export interface RouteHealth {
  store: HealthStore;
  weights: RouteWeights;
  rules: HealthRules;
}

/** Built once per process; `now` is the clock of the window (tests move it). */
export function createRouteHealth(redis: Redis, config: Parameters<typeof healthRulesOf>[0], logger: Logger, now: () => number = Date.now): RouteHealth {
  const rules = healthRulesOf(config);
  const store = createHealthStore(redis, { windowMs: rules.windowMs, now });
  return { store, rules, weights: createRouteWeights({ store, rules, now, logger }) };
}

export function healthRulesOf(config: Pick<Config, 'ROUTE_HEALTH_WINDOW_SECONDS' | 'ROUTE_HEALTH_MIN_RECEIPTS' | 'ROUTE_HEALTH_WEIGHT_FLOOR' | 'ROUTE_HEALTH_DEGRADE_GAP' | 'ROUTE_HEALTH_RECOVER_GAP' | 'ROUTE_HEALTH_SLOW_FACTOR'>): HealthRules {
  return {
    windowMs: config.ROUTE_HEALTH_WINDOW_SECONDS * 1000,
    minReceipts: config.ROUTE_HEALTH_MIN_RECEIPTS,
    floor: config.ROUTE_HEALTH_WEIGHT_FLOOR,
    degradeGap: config.ROUTE_HEALTH_DEGRADE_GAP,
    recoverGap: config.ROUTE_HEALTH_RECOVER_GAP,
    slowFactor: config.ROUTE_HEALTH_SLOW_FACTOR,
  };
}

export function createRouteWeights(deps: { store: HealthStore; rules: HealthRules; now: () => number; logger: Logger }): RouteWeights {
  return {
    async weigh(accounts) {
      const records = await deps.store.read(accounts.map((account) => account.id));
      if (!records) return configuredWeights(accounts.map((account) => ({ ...account, figures: NO_FIGURES, kept: null })), HEALTH_UNKNOWN);
      const now = deps.now();
      const verdicts = judgeWeights(
        accounts.map((account) => ({ ...account, figures: records.get(account.id)?.figures ?? NO_FIGURES, kept: records.get(account.id)?.kept ?? null })),
        deps.rules,
        now,
      );
      await Promise.all([...verdicts.values()].map(async (verdict) => {
        if (verdict.keep) await keep(deps, accounts, verdict, verdict.keep, records.get(verdict.id)?.keptText ?? '');
      }));
      return verdicts;
    },
  };
}

async function keep(
  deps: { store: HealthStore; logger: Logger },
  accounts: readonly WeightedAccount[],
  verdict: WeightVerdict,
  next: KeptVerdict,
  readText: string,
): Promise<void> {
  const wrote = await deps.store.keep(verdict.id, readText, next);
  if (!wrote || !verdict.moved) return;
  const account = accounts.find((a) => a.id === verdict.id)?.name ?? verdict.id;
  deps.logger.warn({ account, state: verdict.state, factor: verdict.factor, reason: verdict.reason }, verdict.state === 'DEGRADED' ? 'routing weight moved away' : 'routing weight moved back');
}
