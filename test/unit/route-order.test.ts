import { orderRoute, type RouteCandidate } from '../../src/workflows/route-order';
import { seededRandom } from '../support/seeded-random';

function account(accountId: string, weight: number, priority: number, circuitOpen = false): RouteCandidate {
  return { accountId, account: `account-${accountId}`, provider: `vendor-${accountId}`, weight, priority, circuitOpen };
}

function ids(route: RouteCandidate[]): string[] {
  return route.map((c) => c.accountId);
}

/** random() always returning this value picks a known account. */
const lowest = (): number => 0;
const highest = (): number => 0.999999;

describe('orderRoute', () => {
  it('spreads the first pick in proportion to the weights', () => {
    const candidates = [account('a', 1, 1), account('b', 3, 2), account('c', 6, 3)];
    const random = seededRandom(20260308);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const draws = 10_000;
    for (let i = 0; i < draws; i++) counts[orderRoute(candidates, random)[0].accountId] += 1;
    // 10 000 draws: one standard deviation is at most 0.005, so ±0.02 is a wide margin
    const expected: Record<string, number> = { a: 0.1, b: 0.3, c: 0.6 };
    for (const [id, share] of Object.entries(expected)) {
      expect(Math.abs(counts[id] / draws - share)).toBeLessThan(0.02);
    }
  });

  it('is deterministic for the same random sequence', () => {
    const candidates = [account('a', 1, 1), account('b', 1, 2), account('c', 1, 3)];
    const first = Array.from({ length: 20 }, (_, i) => ids(orderRoute(candidates, seededRandom(i))));
    const again = Array.from({ length: 20 }, (_, i) => ids(orderRoute(candidates, seededRandom(i))));
    expect(again).toEqual(first);
  });

  it('does not depend on the order of the input', () => {
    const candidates = [account('a', 2, 1), account('b', 2, 2), account('c', 2, 3)];
    const reversed = [...candidates].reverse();
    for (const value of [0, 0.2, 0.4, 0.6, 0.8, 0.99]) {
      expect(ids(orderRoute(reversed, () => value))).toEqual(ids(orderRoute(candidates, () => value)));
    }
  });

  it('puts the rest in ascending priority, ties broken by account id', () => {
    const candidates = [account('d', 1, 5), account('c', 1, 2), account('b', 1, 2), account('a', 10, 9)];
    // 'a' is last in priority order, so the highest random value picks it
    expect(ids(orderRoute(candidates, highest))).toEqual(['a', 'b', 'c', 'd']);
    // the lowest value picks the first in priority order: 'b'
    expect(ids(orderRoute(candidates, lowest))).toEqual(['b', 'c', 'd', 'a']);
  });

  it('never picks an account with zero weight first, but keeps it as a fallback', () => {
    const candidates = [account('zero', 0, 1), account('w', 1, 2)];
    for (const value of [0, 0.5, 0.999]) {
      expect(ids(orderRoute(candidates, () => value))).toEqual(['w', 'zero']);
    }
  });

  it('orders by priority alone when no weight is positive', () => {
    const candidates = [account('b', 0, 2), account('a', 0, 3), account('c', 0, 1, true)];
    expect(ids(orderRoute(candidates, lowest))).toEqual(['b', 'a', 'c']);
  });

  it('tries accounts with an open circuit last, by priority', () => {
    const candidates = [
      account('open-2', 50, 2, true),
      account('open-1', 50, 1, true),
      account('closed-9', 1, 9),
      account('closed-5', 1, 5),
    ];
    expect(ids(orderRoute(candidates, lowest))).toEqual(['closed-5', 'closed-9', 'open-1', 'open-2']);
    expect(ids(orderRoute(candidates, highest))).toEqual(['closed-9', 'closed-5', 'open-1', 'open-2']);
  });

  it('does not pick an open circuit first while a closed one only has zero weight', () => {
    const candidates = [account('open', 5, 1, true), account('closed', 0, 2)];
    expect(ids(orderRoute(candidates, lowest))).toEqual(['closed', 'open']);
  });

  it('makes the weighted pick among all accounts when every circuit is open', () => {
    const candidates = [account('a', 1, 1, true), account('b', 3, 2, true)];
    expect(ids(orderRoute(candidates, lowest))).toEqual(['a', 'b']);
    expect(ids(orderRoute(candidates, highest))).toEqual(['b', 'a']);
    expect(ids(orderRoute(candidates, () => 0.3))).toEqual(['b', 'a']);
  });

  it('returns an empty route for no candidates and keeps the input untouched', () => {
    expect(orderRoute([], lowest)).toEqual([]);
    const candidates = [account('b', 1, 2), account('a', 1, 1)];
    orderRoute(candidates, lowest);
    expect(ids(candidates)).toEqual(['b', 'a']);
  });
});
