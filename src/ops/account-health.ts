import type { CircuitState } from '../activities/circuit-breaker';
import type { WeightVerdict } from '../routing/route-health';

/**
 * How each vendor account is doing, judged from the records and the circuit
 * state alone (pure: no clients, no clock), so every rule is unit-testable.
 * src/ops/account-health-loader.ts loads what it reads.
 */

export const HOUR_MS = 60 * 60 * 1000;

/** An account as the route planner sees it (src/activities/routing.ts). */
export interface HealthAccount {
  id: string;
  name: string;
  channel: string;
  provider: string;
  enabled: boolean;
  weight: number;
  pinnedWeight: number | null;
  priority: number;
}

/** Sends the vendor accepted in one hour (by `sent_at`), by where they ended. */
export interface SendCounts {
  sent: number;
  delivered: number;
  undelivered: number;
  expired: number;
  /** accepted, no receipt yet */
  awaiting: number;
}

export interface HourCounts extends SendCounts {
  hour: Date;
}

/** Vendor calls of an account in the window. */
export interface AttemptStats {
  total: number;
  accepted: number;
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

/** What the first choice of the route gives an account, and why (see src/workflows/route-order.ts and src/routing/route-health.ts). */
export interface EffectiveWeight {
  effectiveWeight: number;
  /** The share of sends of its channel that try this account first, 0 to 1. */
  firstChoiceShare: number;
  reason: string;
}

export const NO_SENDS: SendCounts = { sent: 0, delivered: 0, undelivered: 0, expired: 0, awaiting: 0 };

/** Delivered among the sends whose fate is known (delivered, undelivered, expired); null when none is. */
export function deliveryRate(counts: SendCounts): number | null {
  const settled = counts.delivered + counts.undelivered + counts.expired;
  return settled === 0 ? null : counts.delivered / settled;
}

export function addCounts(a: SendCounts, b: SendCounts): SendCounts {
  return { sent: a.sent + b.sent, delivered: a.delivered + b.delivered, undelivered: a.undelivered + b.undelivered, expired: a.expired + b.expired, awaiting: a.awaiting + b.awaiting };
}

/** Every hour from `from` (an hour's start) up to `to`, with the counts of the hours that had sends and zeros elsewhere. */
export function hourlySeries(from: Date, to: Date, hours: ReadonlyMap<number, SendCounts>): HourCounts[] {
  const series: HourCounts[] = [];
  for (let at = from.getTime(); at < to.getTime(); at += HOUR_MS) series.push({ hour: new Date(at), ...(hours.get(at) ?? NO_SENDS) });
  return series;
}

/**
 * The weight each account really has in the first choice of a send of its
 * channel, mirroring orderRoute: a weighted pick, by the effective weights
 * the routing health gives them (src/routing/route-health.ts), among the
 * enabled accounts with a closed circuit and a positive weight (among the
 * open ones when every circuit of the channel is open); the others are only
 * failover targets. `circuits` null: Redis could not be read, and the
 * workers then treat every circuit as closed.
 */
export function effectiveWeights(
  accounts: readonly HealthAccount[],
  circuits: ReadonlyMap<string, CircuitState> | null,
  verdicts: ReadonlyMap<string, Pick<WeightVerdict, 'effectiveWeight' | 'reason'>>,
): Map<string, EffectiveWeight> {
  const result = new Map<string, EffectiveWeight>();
  const isOpen = (account: HealthAccount) => circuits?.get(account.id)?.open === true;
  const weightOf = (account: HealthAccount) => verdicts.get(account.id)?.effectiveWeight ?? account.weight;
  const unknown = circuits === null ? ' (circuit state unknown: Redis cannot be read, workers treat circuits as closed)' : '';
  for (const channel of new Set(accounts.map((account) => account.channel))) {
    const enabled = accounts.filter((account) => account.channel === channel && account.enabled);
    const closed = enabled.filter((account) => !isOpen(account));
    const allOpen = closed.length === 0;
    const pool = (allOpen ? enabled : closed).filter((account) => weightOf(account) > 0);
    const total = pool.reduce((sum, account) => sum + weightOf(account), 0);
    for (const account of accounts.filter((a) => a.channel === channel)) {
      const route = { pool, total, allOpen, open: isOpen(account), circuit: circuits?.get(account.id), unknown };
      result.set(account.id, firstChoice(account, weightOf(account), verdicts.get(account.id)?.reason ?? `weight ${account.weight}`, route));
    }
  }
  return result;
}

function firstChoice(
  account: HealthAccount,
  weight: number,
  why: string,
  route: { pool: HealthAccount[]; total: number; allOpen: boolean; open: boolean; circuit: CircuitState | undefined; unknown: string },
): EffectiveWeight {
  const none = (reason: string): EffectiveWeight => ({ effectiveWeight: 0, firstChoiceShare: 0, reason });
  if (!account.enabled) return none('disabled: never chosen');
  if (weight === 0) return none(why);
  if (route.open && !route.allOpen) {
    const closesIn = route.circuit?.openForMs;
    return none(`circuit open after repeated failures: tried last${closesIn === null || closesIn === undefined ? '' : `, closes in ${Math.ceil(closesIn / 1000)} s`}`);
  }
  const share = route.pool.includes(account) && route.total > 0 ? weight / route.total : 0;
  const reason = route.allOpen ? `every account of ${account.channel} has an open circuit: first choice by weight among them; ${why}` : `${why}${route.unknown}`;
  return { effectiveWeight: weight, firstChoiceShare: share, reason };
}
