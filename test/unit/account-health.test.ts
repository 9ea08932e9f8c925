import { deliveryRate, effectiveWeights, hourlySeries, HOUR_MS, type HealthAccount } from '../../src/ops/account-health';
import type { CircuitState } from '../../src/activities/circuit-breaker';

const account = (id: string, overrides: Partial<HealthAccount> = {}): HealthAccount => ({ id, name: id, channel: 'SMS', provider: 'sandbox', enabled: true, weight: 1, pinnedWeight: null, priority: 10, ...overrides });
/** No live verdicts: every account at its configured weight. */
const configured = new Map<string, { effectiveWeight: number; reason: string }>();
const closed: CircuitState = { open: false, openForMs: null, recentFailures: 0 };
const open: CircuitState = { open: true, openForMs: 42_000, recentFailures: 0 };

describe('effective weights: what the first choice of a send really gives each account (as orderRoute picks)', () => {
  it('shares the first choice by weight among enabled accounts with a closed circuit', () => {
    const weights = effectiveWeights([account('a', { weight: 3 }), account('b', { weight: 1 })], new Map([['a', closed], ['b', closed]]), configured);
    expect(weights.get('a')).toMatchObject({ effectiveWeight: 3, firstChoiceShare: 0.75, reason: 'weight 3' });
    expect(weights.get('b')).toMatchObject({ effectiveWeight: 1, firstChoiceShare: 0.25 });
  });

  it('shares it by the live effective weights, with the reason the delivery-rate rules give', () => {
    const live = new Map([['a', { effectiveWeight: 1, reason: 'full weight' }], ['b', { effectiveWeight: 0.0625, reason: 'moved away: delivered 50% against 100% on a' }]]);
    const weights = effectiveWeights([account('a'), account('b')], new Map([['a', closed], ['b', closed]]), live);
    expect(weights.get('b')).toEqual({ effectiveWeight: 0.0625, firstChoiceShare: 0.0625 / 1.0625, reason: 'moved away: delivered 50% against 100% on a' });
    expect(weights.get('a')?.firstChoiceShare).toBeCloseTo(1 / 1.0625);
  });

  it('gives 0 to a disabled account, a weight-0 account and an open circuit, each with its reason', () => {
    const weights = effectiveWeights(
      [account('on'), account('off', { enabled: false }), account('spare', { weight: 0, priority: 20 }), account('tripped', { weight: 5 })],
      new Map([['on', closed], ['off', closed], ['spare', closed], ['tripped', open]]),
      new Map([['spare', { effectiveWeight: 0, reason: 'weight 0: only a failover target' }]]),
    );
    expect(weights.get('on')).toMatchObject({ effectiveWeight: 1, firstChoiceShare: 1 });
    expect(weights.get('off')).toEqual({ effectiveWeight: 0, firstChoiceShare: 0, reason: 'disabled: never chosen' });
    expect(weights.get('spare')).toEqual({ effectiveWeight: 0, firstChoiceShare: 0, reason: 'weight 0: only a failover target' });
    expect(weights.get('tripped')).toEqual({ effectiveWeight: 0, firstChoiceShare: 0, reason: 'circuit open after repeated failures: tried last, closes in 42 s' });
  });

  it('chooses by weight among the open ones when every circuit of the channel is open', () => {
    const weights = effectiveWeights([account('a', { weight: 1 }), account('b', { weight: 1 })], new Map([['a', open], ['b', open]]), configured);
    expect(weights.get('a')).toMatchObject({ effectiveWeight: 1, firstChoiceShare: 0.5, reason: 'every account of SMS has an open circuit: first choice by weight among them; weight 1' });
  });

  it('keeps channels apart, and says so when Redis could not be read (circuits treated as closed, as the workers do)', () => {
    const weights = effectiveWeights([account('sms'), account('mail', { channel: 'EMAIL', weight: 2 })], null, configured);
    expect(weights.get('sms')).toMatchObject({ firstChoiceShare: 1 });
    expect(weights.get('mail')?.reason).toContain('circuit state unknown');
  });
});

describe('delivery rate and the hourly series', () => {
  it('is delivered among the settled sends; null when none is settled', () => {
    expect(deliveryRate({ sent: 10, delivered: 6, undelivered: 1, expired: 1, awaiting: 2 })).toBe(0.75);
    expect(deliveryRate({ sent: 3, delivered: 0, undelivered: 0, expired: 0, awaiting: 3 })).toBeNull();
  });

  it('has every hour of the window, zeros where nothing was sent', () => {
    const from = new Date('2026-11-24T08:00:00Z');
    const to = new Date('2026-11-24T10:30:00Z');
    const series = hourlySeries(from, to, new Map([[from.getTime() + HOUR_MS, { sent: 2, delivered: 2, undelivered: 0, expired: 0, awaiting: 0 }]]));
    expect(series.map((hour) => [hour.hour.toISOString(), hour.sent])).toEqual([
      ['2026-11-24T08:00:00.000Z', 0],
      ['2026-11-24T09:00:00.000Z', 2],
      ['2026-11-24T10:00:00.000Z', 0],
    ]);
  });
});
