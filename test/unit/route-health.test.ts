import { configuredWeights, judgeWeights, type HealthFigures, type HealthRules, type KeptVerdict, type WeighedAccount } from '../../src/routing/route-health';

const WINDOW_MS = 600_000;
const RULES: HealthRules = { windowMs: WINDOW_MS, minReceipts: 20, floor: 0.05, degradeGap: 0.1, recoverGap: 0.05, slowFactor: 3 };
const NOW = Date.parse('2026-12-02T12:00:00Z');

/** `delivered` of `receipts`, and `calls` calls of `callMs` each. */
function figures(delivered: number, receipts: number, callMs = 100, calls = receipts): HealthFigures {
  return { delivered, undelivered: receipts - delivered, calls, callMs: callMs * calls };
}

function account(id: string, figuresOf: HealthFigures, overrides: Partial<WeighedAccount> = {}): WeighedAccount {
  return { id, name: id, weight: 1, pinnedWeight: null, figures: figuresOf, kept: null, ...overrides };
}

function degradedSince(since: number, judgedAt = since, factor = 0.0625): KeptVerdict {
  return { state: 'DEGRADED', factor, since, judgedAt, why: 'delivered 50% against 100% on tencent' };
}

function judge(accounts: WeighedAccount[], now = NOW) {
  const verdicts = judgeWeights(accounts, RULES, now);
  return (id: string) => {
    const verdict = verdicts.get(id);
    if (!verdict) throw new Error(`no verdict for ${id}`);
    return verdict;
  };
}

describe('routing weights from delivery rate and latency', () => {
  it('keeps full weights while every account delivers about as well as the best', () => {
    const of = judge([account('tencent', figures(98, 100)), account('aliyun', figures(92, 100))]);
    expect(of('aliyun')).toMatchObject({ state: 'NORMAL', effectiveWeight: 1, factor: 1, moved: false, deliveryRate: 0.92 });
    expect(of('aliyun').reason).toContain('full weight');
    expect(of('aliyun').keep).toMatchObject({ state: 'NORMAL', judgedAt: NOW });
  });

  it('moves weight away from an account more than the degrade gap behind the best, by (rate/best)^4, and says why', () => {
    const of = judge([account('tencent', figures(100, 100)), account('aliyun', figures(50, 100), { weight: 2 })]);
    expect(of('aliyun')).toMatchObject({ state: 'DEGRADED', factor: 0.0625, effectiveWeight: 0.125, moved: true, since: NOW });
    expect(of('aliyun').reason).toBe('moved away: delivered 50% against 100% on tencent: weight × 0.063');
    expect(of('tencent')).toMatchObject({ state: 'NORMAL', effectiveWeight: 1 });
  });

  it('never goes below the floor of the weight (never 0), and names the floor', () => {
    const of = judge([account('tencent', figures(100, 100)), account('aliyun', figures(10, 100), { weight: 10 })]);
    expect(of('aliyun')).toMatchObject({ factor: 0.05, effectiveWeight: 0.5 });
    expect(of('aliyun').reason).toContain('(the floor, 5%)');
  });

  it('moves nothing on fewer receipts than the minimum sample, however bad they look', () => {
    const of = judge([account('tencent', figures(100, 100)), account('aliyun', figures(0, 19))]);
    expect(of('aliyun')).toMatchObject({ state: 'NORMAL', effectiveWeight: 1, keep: null, receipts: 19 });
    expect(of('aliyun').reason).toBe('19 receipts in the last 10 min, 20 needed to judge: full weight');
  });

  it('compares only with judged accounts: a best account without enough receipts is no reference', () => {
    const of = judge([account('tencent', figures(10, 10)), account('aliyun', figures(60, 100))]);
    expect(of('aliyun')).toMatchObject({ state: 'NORMAL', effectiveWeight: 1 });
  });

  it('hysteresis: a moved account between the two gaps stays moved (its weight follows the rate); a normal one stays normal', () => {
    const between = figures(92, 100);
    const moved = judge([account('tencent', figures(100, 100)), account('aliyun', between, { kept: degradedSince(NOW - 60_000) })]);
    expect(moved('aliyun')).toMatchObject({ state: 'DEGRADED', moved: false, since: NOW - 60_000 });
    expect(moved('aliyun').factor).toBeCloseTo(0.92 ** 4, 3);
    expect(moved('aliyun').reason).toContain('not yet within 5 points of the best');

    const normal = judge([account('tencent', figures(100, 100)), account('aliyun', between)]);
    expect(normal('aliyun')).toMatchObject({ state: 'NORMAL', effectiveWeight: 1 });
  });

  it('moves the weight back once the rate is within the recover gap again', () => {
    const of = judge([account('tencent', figures(100, 100)), account('aliyun', figures(96, 100), { kept: degradedSince(NOW - 60_000) })]);
    expect(of('aliyun')).toMatchObject({ state: 'NORMAL', effectiveWeight: 1, moved: true, since: NOW });
    expect(of('aliyun').reason).toMatch(/^recovered: 100 receipts, 96% delivered, 100 ms per call in the last 10 min, back within 5 points of the best: full weight$/);
  });

  it('holds a moved weight without enough receipts for one window after it was judged, then returns to full weight', () => {
    const judgedAt = NOW - 60_000;
    const held = judge([account('tencent', figures(100, 100)), account('aliyun', figures(3, 3), { kept: degradedSince(judgedAt - 60_000, judgedAt) })]);
    expect(held('aliyun')).toMatchObject({ state: 'DEGRADED', factor: 0.0625, effectiveWeight: 0.063, keep: null });
    expect(held('aliyun').reason).toContain(`3 receipts since, 20 needed to judge again: held until ${new Date(judgedAt + WINDOW_MS).toISOString()}`);

    const expired = judge([account('tencent', figures(100, 100)), account('aliyun', figures(3, 3), { kept: degradedSince(judgedAt - 60_000, judgedAt) })], judgedAt + WINDOW_MS + 1);
    expect(expired('aliyun')).toMatchObject({ state: 'NORMAL', effectiveWeight: 1 });
    expect(expired('aliyun').reason).toContain('the last verdict has run out');
  });

  it('moves weight away from an account over slowFactor times slower than the fastest, and back under half-way', () => {
    const slow = judge([account('tencent', figures(100, 100, 200)), account('aliyun', figures(100, 100, 1200))]);
    expect(slow('aliyun')).toMatchObject({ state: 'DEGRADED', factor: 0.5, latencyMs: 1200 });
    expect(slow('aliyun').reason).toBe('moved away: vendor latency 1200 ms against 200 ms on tencent: weight × 0.5');

    const kept = degradedSince(NOW - 60_000, NOW - 60_000, 0.5);
    const stillSlow = judge([account('tencent', figures(100, 100, 200)), account('aliyun', figures(100, 100, 500), { kept })]);
    expect(stillSlow('aliyun')).toMatchObject({ state: 'DEGRADED', factor: 1 });
    const fast = judge([account('tencent', figures(100, 100, 200)), account('aliyun', figures(100, 100, 390), { kept })]);
    expect(fast('aliyun')).toMatchObject({ state: 'NORMAL', moved: true });
  });

  it('ignores latency differences under 200 ms, whatever the ratio', () => {
    const of = judge([account('tencent', figures(100, 100, 5)), account('aliyun', figures(100, 100, 150))]);
    expect(of('aliyun')).toMatchObject({ state: 'NORMAL', effectiveWeight: 1 });
  });

  it('uses a pinned weight as it is, and still keeps what the rules say for when it is unpinned', () => {
    const of = judge([account('tencent', figures(100, 100)), account('aliyun', figures(50, 100), { pinnedWeight: 4 })]);
    expect(of('aliyun')).toMatchObject({ pinned: true, effectiveWeight: 4, factor: 1, state: 'DEGRADED' });
    expect(of('aliyun').reason).toMatch(/^pinned at 4 by hand: not moved \(the rules would say: moved away: delivered 50%/);
    expect(of('aliyun').keep).toMatchObject({ state: 'DEGRADED' });
  });

  it('keeps weight 0 at 0: a failover target only', () => {
    const of = judge([account('tencent', figures(100, 100)), account('spare', figures(100, 100), { weight: 0 })]);
    expect(of('spare')).toMatchObject({ effectiveWeight: 0 });
    expect(of('spare').reason).toMatch(/^weight 0: only a failover target/);
  });

  it('falls back to configured and pinned weights when the figures cannot be read', () => {
    const weights = configuredWeights([account('a', figures(0, 0), { weight: 3 }), account('b', figures(0, 0), { pinnedWeight: 2 })], 'routing health unknown');
    expect(weights.get('a')).toMatchObject({ effectiveWeight: 3, reason: 'routing health unknown: configured weight' });
    expect(weights.get('b')).toMatchObject({ effectiveWeight: 2, pinned: true, reason: 'routing health unknown: pinned at 2' });
  });
});
