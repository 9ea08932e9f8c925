/**
 * How far each account's routing weight moves, from its delivery rate and
 * vendor latency over a rolling window compared with the other accounts of
 * its channel (docs/routing.md). Pure: the figures, the verdicts kept from
 * the last judgement and the time come in, the effective weights, their
 * reasons and the verdicts to keep go out; src/routing/health-store.ts reads
 * and writes them in Redis.
 *
 * The rules, in order:
 * - An account is judged only with at least `minReceipts` receipts in the
 *   window (its latency also needs as many vendor calls): a few unlucky sends
 *   move nothing.
 * - It is compared with the best judged account of its channel: weight moves
 *   away when its delivery rate is more than `degradeGap` below the best, or
 *   its mean latency is over `slowFactor` times the fastest (and at least
 *   SLOW_MARGIN_MS slower); it comes back only when the rate is within
 *   `recoverGap` of the best and the latency under half-way to `slowFactor`.
 *   Between the two thresholds the account keeps its verdict (hysteresis), so
 *   a rate hovering at one threshold does not flap.
 * - While moved away its weight is scaled by (rate / best)^DELIVERY_EXPONENT
 *   and by slowFactor × fastest / latency, never below `floor` of its weight:
 *   it keeps a little traffic, never 0, so its recovery shows in receipts.
 *   Only an open circuit (src/workflows/route-order.ts) puts an account last.
 * - Without enough receipts a verdict is kept for one window after it was
 *   last judged, then the account returns to its configured weight and is
 *   judged afresh.
 * - A weight pinned by hand is used as it is; the verdict is still kept, so
 *   unpinning returns to what the rules say.
 */

export interface HealthRules {
  windowMs: number;
  minReceipts: number;
  /** The least fraction of its weight a moved account keeps, 0 < floor < 1. */
  floor: number;
  degradeGap: number;
  recoverGap: number;
  slowFactor: number;
}

/** What an account did in the window (sums over its buckets). */
export interface HealthFigures {
  delivered: number;
  undelivered: number;
  /** Vendor calls and their total duration. */
  calls: number;
  callMs: number;
}

export const NO_FIGURES: HealthFigures = { delivered: 0, undelivered: 0, calls: 0, callMs: 0 };

export const HEALTH_STATES = ['NORMAL', 'DEGRADED'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** The verdict kept between judgements (Redis), per account. */
export interface KeptVerdict {
  state: HealthState;
  /** The fraction of its weight the account gets. */
  factor: number;
  /** When it entered this state (ms). */
  since: number;
  /** When it was last judged with enough receipts (ms). */
  judgedAt: number;
  /** Why, as it was judged then. */
  why: string;
}

export interface WeighedAccount {
  id: string;
  name: string;
  /** As configured; 0 makes an account a failover target only, whatever its health. */
  weight: number;
  pinnedWeight: number | null;
  figures: HealthFigures;
  kept: KeptVerdict | null;
}

export interface WeightVerdict {
  id: string;
  effectiveWeight: number;
  /** The fraction of its configured weight the rules give it (1 when pinned weights are not moved). */
  factor: number;
  pinned: boolean;
  state: HealthState;
  since: number | null;
  reason: string;
  deliveryRate: number | null;
  receipts: number;
  latencyMs: number | null;
  calls: number;
  /** What to keep for the next judgement; null: nothing changes. */
  keep: KeptVerdict | null;
  /** The state moved (NORMAL ↔ DEGRADED) in this judgement. */
  moved: boolean;
}

/** How steeply a delivery rate behind the best takes weight away: 0.5 against 1.0 keeps 1/16. */
export const DELIVERY_EXPONENT = 4;
/** Latency differences below this never count, however large the ratio (5 ms against 20 ms). */
export const SLOW_MARGIN_MS = 200;

interface Measured {
  account: WeighedAccount;
  rate: number | null;
  latencyMs: number | null;
  receipts: number;
}

interface Reference {
  best: { rate: number; name: string } | null;
  fastest: { latencyMs: number; name: string } | null;
}

/** The effective weight of every account of one channel, by id. */
export function judgeWeights(accounts: readonly WeighedAccount[], rules: HealthRules, now: number): Map<string, WeightVerdict> {
  const measured = accounts.map((account) => measure(account, rules));
  const reference = referenceOf(measured);
  return new Map(measured.map((m) => [m.account.id, judgeOne(m, reference, rules, now)]));
}

function measure(account: WeighedAccount, rules: HealthRules): Measured {
  const { delivered, undelivered, calls, callMs } = account.figures;
  const receipts = delivered + undelivered;
  return {
    account,
    receipts,
    rate: receipts >= rules.minReceipts ? delivered / receipts : null,
    latencyMs: calls >= rules.minReceipts ? callMs / calls : null,
  };
}

function referenceOf(measured: readonly Measured[]): Reference {
  let best: Reference['best'] = null;
  let fastest: Reference['fastest'] = null;
  for (const m of measured) {
    if (m.rate !== null && (best === null || m.rate > best.rate)) best = { rate: m.rate, name: m.account.name };
    if (m.latencyMs !== null && (fastest === null || m.latencyMs < fastest.latencyMs)) fastest = { latencyMs: m.latencyMs, name: m.account.name };
  }
  return { best, fastest };
}

interface Findings {
  /** Enough receipts to move the weight away or back (latency is judged beside the delivery rate, never alone). */
  judged: boolean;
  behind: string[];
  recovered: boolean;
  factor: number;
}

function findings(m: Measured, reference: Reference, rules: HealthRules): Findings {
  const behind: string[] = [];
  if (m.rate === null) return { judged: false, behind, recovered: false, factor: 1 };
  let recovered = true;
  let factor = 1;
  const { best, fastest } = reference;
  if (best !== null && best.rate > 0) {
    if (m.rate < best.rate - rules.degradeGap) behind.push(`delivered ${pct(m.rate)} against ${pct(best.rate)} on ${best.name}`);
    if (m.rate < best.rate - rules.recoverGap) recovered = false;
    factor *= Math.min(1, (m.rate / best.rate) ** DELIVERY_EXPONENT);
  }
  if (m.latencyMs !== null && fastest !== null && fastest.latencyMs > 0) {
    const slack = m.latencyMs - fastest.latencyMs;
    if (m.latencyMs > rules.slowFactor * fastest.latencyMs && slack >= SLOW_MARGIN_MS) {
      behind.push(`vendor latency ${ms(m.latencyMs)} against ${ms(fastest.latencyMs)} on ${fastest.name}`);
    }
    if (m.latencyMs > ((1 + rules.slowFactor) / 2) * fastest.latencyMs && slack >= SLOW_MARGIN_MS) recovered = false;
    factor *= Math.min(1, (rules.slowFactor * fastest.latencyMs) / m.latencyMs);
  }
  return { judged: true, behind, recovered, factor: Math.max(rules.floor, factor) };
}

function judgeOne(m: Measured, reference: Reference, rules: HealthRules, now: number): WeightVerdict {
  const { account } = m;
  const found = findings(m, reference, rules);
  const current = account.kept && now - account.kept.judgedAt <= rules.windowMs ? account.kept : null;
  const figures = `${m.receipts} receipts${m.rate === null ? '' : `, ${pct(m.rate)} delivered`}${m.latencyMs === null ? '' : `, ${ms(m.latencyMs)} per call`} in the last ${minutes(rules.windowMs)}`;
  let verdict: Pick<WeightVerdict, 'state' | 'factor' | 'since' | 'reason' | 'keep' | 'moved'>;

  if (current?.state === 'DEGRADED' && !(found.judged && found.recovered)) {
    if (found.judged) {
      const why = found.behind.length > 0 ? found.behind.join('; ') : `not yet within ${points(rules.recoverGap)} of the best`;
      verdict = degraded(current.since, found.factor, why, now, false, rules);
    } else {
      // Not enough receipts since: the last verdict holds until a window after it was judged.
      const until = new Date(current.judgedAt + rules.windowMs).toISOString();
      verdict = {
        state: 'DEGRADED', factor: current.factor, since: current.since, keep: null, moved: false,
        reason: `moved away at ${new Date(current.since).toISOString()} (${current.why}); ${m.receipts} receipts since, ${rules.minReceipts} needed to judge again: held until ${until}`,
      };
    }
  } else if (current?.state !== 'DEGRADED' && found.behind.length > 0) {
    verdict = degraded(now, found.factor, found.behind.join('; '), now, true, rules);
  } else {
    const wasDegraded = current?.state === 'DEGRADED';
    const reason = !found.judged
      ? `${m.receipts} receipts in the last ${minutes(rules.windowMs)}, ${rules.minReceipts} needed to judge: full weight${account.kept?.state === 'DEGRADED' ? ' (the last verdict has run out)' : ''}`
      : wasDegraded
        ? `recovered: ${figures}, back within ${points(rules.recoverGap)} of the best: full weight`
        : `${figures}: full weight`;
    const since = wasDegraded || !current ? now : current.since;
    verdict = {
      state: 'NORMAL', factor: 1, since: found.judged || current ? since : null, reason, moved: wasDegraded,
      keep: found.judged ? { state: 'NORMAL', factor: 1, since, judgedAt: now, why: 'within reach of the best' } : null,
    };
  }

  const pinned = account.pinnedWeight !== null;
  const effectiveWeight = pinned ? (account.pinnedWeight ?? 0) : round(account.weight * verdict.factor);
  const reason = pinned
    ? `pinned at ${account.pinnedWeight} by hand: not moved (the rules would say: ${verdict.reason})`
    : account.weight === 0
      ? `weight 0: only a failover target (${verdict.reason})`
      : verdict.reason;
  return {
    id: account.id, effectiveWeight, factor: pinned ? 1 : verdict.factor, pinned, state: verdict.state, since: verdict.since, reason,
    deliveryRate: m.receipts > 0 ? account.figures.delivered / m.receipts : null, receipts: m.receipts,
    latencyMs: account.figures.calls > 0 ? Math.round(account.figures.callMs / account.figures.calls) : null, calls: account.figures.calls,
    keep: verdict.keep, moved: verdict.moved,
  };
}

function degraded(since: number, factor: number, why: string, now: number, moved: boolean, rules: HealthRules) {
  const floored = factor <= rules.floor ? ` (the floor, ${pct(rules.floor)})` : '';
  return {
    state: 'DEGRADED' as const, factor, since, moved,
    reason: `moved away: ${why}: weight × ${round(factor)}${floored}`,
    keep: { state: 'DEGRADED' as const, factor, since, judgedAt: now, why },
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function pct(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

function points(gap: number): string {
  return `${Math.round(gap * 1000) / 10} points`;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

function minutes(windowMs: number): string {
  return windowMs % 60_000 === 0 ? `${windowMs / 60_000} min` : `${Math.round(windowMs / 1000)} s`;
}

/** Every account at its configured (or pinned) weight, for when the figures cannot be read (Redis down). */
export function configuredWeights(accounts: readonly WeighedAccount[], why: string): Map<string, WeightVerdict> {
  return new Map(accounts.map((account) => {
    const pinned = account.pinnedWeight !== null;
    return [account.id, {
      id: account.id, effectiveWeight: account.pinnedWeight ?? account.weight, factor: 1, pinned, state: 'NORMAL', since: null,
      reason: `${why}: ${pinned ? `pinned at ${account.pinnedWeight}` : 'configured weight'}`,
      deliveryRate: null, receipts: 0, latencyMs: null, calls: 0, keep: null, moved: false,
    } satisfies WeightVerdict];
  }));
}
