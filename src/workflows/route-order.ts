/**
 * The failover order of vendor accounts for one send. Pure: the randomness comes from the
 * caller (inside a workflow, Temporal's deterministic Math.random), so a replay picks the same.
 */

export interface RouteCandidate {
  accountId: string;
  /** The account's name, as ops know it: the vendor step is named after it in the history. */
  account: string;
  provider: string;
  weight: number;
  priority: number;
  circuitOpen: boolean;
}

/**
 * First: a weighted random pick among accounts with a closed circuit and a positive weight
 * (among all accounts with a positive weight when every circuit is open). Then the remaining
 * closed-circuit accounts by ascending priority, then the open-circuit ones by priority.
 */
export function orderRoute(candidates: RouteCandidate[], random: () => number): RouteCandidate[] {
  const sorted = [...candidates].sort(byPriority);
  const closed = sorted.filter((c) => !c.circuitOpen);
  const open = sorted.filter((c) => c.circuitOpen);
  const first = weightedPick(closed.length > 0 ? closed : open, random);
  const rest = [...closed, ...open].filter((c) => c !== first);
  return first ? [first, ...rest] : rest;
}

/** Picks one candidate with probability weight / total weight; undefined when no weight is positive. */
function weightedPick(pool: RouteCandidate[], random: () => number): RouteCandidate | undefined {
  const weighted = pool.filter((c) => c.weight > 0);
  const total = weighted.reduce((sum, c) => sum + c.weight, 0);
  let point = random() * total;
  for (const candidate of weighted) {
    point -= candidate.weight;
    if (point < 0) return candidate;
  }
  return weighted[weighted.length - 1];
}

function byPriority(a: RouteCandidate, b: RouteCandidate): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.accountId === b.accountId) return 0;
  return a.accountId < b.accountId ? -1 : 1;
}
