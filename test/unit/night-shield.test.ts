import type { ShieldRule } from '../../src/shared/contract';
import { decideShield, parseClock, shieldSettingProblems, type ShieldDecision } from '../../src/workflows/night-shield';

const SHANGHAI: ShieldRule = {
  policy: 'DEFER',
  quietStart: '22:00',
  quietEnd: '08:00',
  releaseAt: '09:00',
  timeZone: 'Asia/Shanghai',
};
const NEW_YORK: ShieldRule = { ...SHANGHAI, timeZone: 'America/New_York' };

function deferredUntil(decision: ShieldDecision): string {
  if (decision.action !== 'DEFER') throw new Error(`expected DEFER, got ${decision.action}`);
  return decision.until.toISOString();
}

function at(iso: string): Date {
  return new Date(iso);
}

describe('parseClock', () => {
  it('reads HH:mm', () => {
    expect(parseClock('00:00')).toEqual({ hour: 0, minute: 0 });
    expect(parseClock('23:59')).toEqual({ hour: 23, minute: 59 });
  });

  it.each(['24:00', '12:60', '9:00', '09:00:00', ''])('rejects %p', (text) => {
    expect(() => parseClock(text)).toThrow(RangeError);
  });
});

describe('decideShield: who is shielded', () => {
  const midnight = at('2026-05-10T16:30:00Z'); // 00:30 in Shanghai

  it('never shields VERIFICATION messages', () => {
    expect(decideShield(midnight, { ...SHANGHAI, policy: 'DROP' }, 'VERIFICATION')).toEqual({ action: 'SEND' });
    expect(decideShield(midnight, SHANGHAI, 'VERIFICATION')).toEqual({ action: 'SEND' });
  });

  it('always sends with policy NONE', () => {
    expect(decideShield(midnight, { ...SHANGHAI, policy: 'NONE' }, 'MARKETING')).toEqual({ action: 'SEND' });
  });

  it('drops inside quiet hours with policy DROP', () => {
    expect(decideShield(midnight, { ...SHANGHAI, policy: 'DROP' }, 'MARKETING')).toEqual({ action: 'DROP' });
  });

  it('has no quiet hours when start equals end', () => {
    expect(decideShield(midnight, { ...SHANGHAI, quietEnd: '22:00' }, 'NOTICE')).toEqual({ action: 'SEND' });
  });

  it('rejects an unknown time zone', () => {
    expect(() => decideShield(midnight, { ...SHANGHAI, timeZone: 'Mars/Olympus' }, 'NOTICE')).toThrow(RangeError);
  });
});

describe('decideShield: window edges in Asia/Shanghai (UTC+8)', () => {
  it.each([
    ['2026-05-10T13:59:59Z', '21:59:59', 'SEND'],
    ['2026-05-10T14:00:00Z', '22:00:00', 'DEFER'],
    ['2026-05-10T23:59:59Z', '07:59:59', 'DEFER'],
    ['2026-05-11T00:00:00Z', '08:00:00', 'SEND'],
    ['2026-05-11T04:00:00Z', '12:00:00', 'SEND'],
  ])('%s (%s local) → %s', (iso, _local, action) => {
    expect(decideShield(at(iso), SHANGHAI, 'MARKETING').action).toBe(action);
  });

  it('defers 23:30 to 09:00 the next day', () => {
    expect(deferredUntil(decideShield(at('2026-05-10T15:30:00Z'), SHANGHAI, 'NOTICE'))).toBe('2026-05-11T01:00:00.000Z');
  });

  it('defers 03:00 to 09:00 the same day', () => {
    expect(deferredUntil(decideShield(at('2026-05-10T19:00:00Z'), SHANGHAI, 'NOTICE'))).toBe('2026-05-11T01:00:00.000Z');
  });

  it('crosses the year boundary: Dec 31 23:30 → Jan 1 09:00', () => {
    expect(deferredUntil(decideShield(at('2026-12-31T15:30:00Z'), SHANGHAI, 'NOTICE'))).toBe('2027-01-01T01:00:00.000Z');
  });

  it('crosses the month boundary: Feb 28 23:00 → Mar 1 09:00', () => {
    expect(deferredUntil(decideShield(at('2027-02-28T15:00:00Z'), SHANGHAI, 'NOTICE'))).toBe('2027-03-01T01:00:00.000Z');
  });
});

describe('decideShield: release time', () => {
  it('uses the quiet end when releaseAt falls inside the quiet hours', () => {
    const early = { ...SHANGHAI, releaseAt: '07:00' };
    const late = { ...SHANGHAI, releaseAt: '23:00' };
    expect(deferredUntil(decideShield(at('2026-05-10T15:30:00Z'), early, 'NOTICE'))).toBe('2026-05-11T00:00:00.000Z');
    expect(deferredUntil(decideShield(at('2026-05-10T15:30:00Z'), late, 'NOTICE'))).toBe('2026-05-11T00:00:00.000Z');
  });

  it('releases exactly at the quiet end when releaseAt equals it', () => {
    const rule = { ...SHANGHAI, releaseAt: '08:00' };
    expect(deferredUntil(decideShield(at('2026-05-10T15:30:00Z'), rule, 'NOTICE'))).toBe('2026-05-11T00:00:00.000Z');
  });

  describe('a window that does not wrap midnight (01:00–05:00)', () => {
    const rule: ShieldRule = { ...SHANGHAI, quietStart: '01:00', quietEnd: '05:00', releaseAt: '06:00' };

    it.each([
      ['2026-05-10T16:59:00Z', '00:59', 'SEND'],
      ['2026-05-10T17:00:00Z', '01:00', 'DEFER'],
      ['2026-05-10T20:59:00Z', '04:59', 'DEFER'],
      ['2026-05-10T21:00:00Z', '05:00', 'SEND'],
      ['2026-05-10T15:00:00Z', '23:00', 'SEND'],
    ])('%s (%s local) → %s', (iso, _local, action) => {
      expect(decideShield(at(iso), rule, 'MARKETING').action).toBe(action);
    });

    it('defers to releaseAt the same day', () => {
      expect(deferredUntil(decideShield(at('2026-05-10T18:00:00Z'), rule, 'NOTICE'))).toBe('2026-05-10T22:00:00.000Z');
    });

    it('defers to the next day when releaseAt is earlier in the day than the quiet end', () => {
      const halfPastMidnight = { ...rule, releaseAt: '00:30' };
      expect(deferredUntil(decideShield(at('2026-05-10T18:00:00Z'), halfPastMidnight, 'NOTICE')))
        .toBe('2026-05-11T16:30:00.000Z');
    });
  });
});

describe('decideShield: daylight saving time in America/New_York', () => {
  it('spring-forward night (2026-03-08): 09:00 EDT is 13:00Z', () => {
    // 23:30 EST on Mar 7
    expect(deferredUntil(decideShield(at('2026-03-08T04:30:00Z'), NEW_YORK, 'NOTICE'))).toBe('2026-03-08T13:00:00.000Z');
  });

  it('fall-back night (2026-11-01): 09:00 EST is 14:00Z', () => {
    // 23:30 EDT on Oct 31
    expect(deferredUntil(decideShield(at('2026-11-01T03:30:00Z'), NEW_YORK, 'NOTICE'))).toBe('2026-11-01T14:00:00.000Z');
  });

  it('moves a release time that does not exist (02:30 on spring-forward) forward by the gap', () => {
    const rule = { ...NEW_YORK, quietEnd: '02:30', releaseAt: '02:30' };
    // 01:30 EST, still quiet; 02:30 is skipped, so the release is 03:30 EDT
    expect(deferredUntil(decideShield(at('2026-03-08T06:30:00Z'), rule, 'NOTICE'))).toBe('2026-03-08T07:30:00.000Z');
    // 03:10 EDT is past the quiet end
    expect(decideShield(at('2026-03-08T07:10:00Z'), rule, 'NOTICE')).toEqual({ action: 'SEND' });
  });

  it('releases a repeated time (01:30 on fall-back) at its next occurrence', () => {
    const rule = { ...NEW_YORK, quietEnd: '01:30', releaseAt: '01:30' };
    // 00:30 EDT → the first 01:30 (EDT)
    expect(deferredUntil(decideShield(at('2026-11-01T04:30:00Z'), rule, 'NOTICE'))).toBe('2026-11-01T05:30:00.000Z');
    // 01:15 EST, the second pass through 01:xx → the second 01:30 (EST), never one in the past
    expect(deferredUntil(decideShield(at('2026-11-01T06:15:00Z'), rule, 'NOTICE'))).toBe('2026-11-01T06:30:00.000Z');
  });
});

describe('decideShield: every deferral ends in the future, outside quiet hours', () => {
  const rules: [string, ShieldRule][] = [
    ['New York 22–08 @09', NEW_YORK],
    ['New York 22–02:30 @02:30', { ...NEW_YORK, quietEnd: '02:30', releaseAt: '02:30' }],
    ['New York 01:00–05:00 @00:30', { ...NEW_YORK, quietStart: '01:00', quietEnd: '05:00', releaseAt: '00:30' }],
    ['Shanghai 22–08 @09', SHANGHAI],
  ];
  const nights = ['2026-03-07T12:00:00Z', '2026-10-31T12:00:00Z', '2026-12-31T00:00:00Z'];

  it.each(rules)('%s', (_name, rule) => {
    for (const night of nights) {
      for (let minutes = 0; minutes < 48 * 60; minutes += 10) {
        const now = new Date(Date.parse(night) + minutes * 60_000);
        const decision = decideShield(now, rule, 'MARKETING');
        if (decision.action !== 'DEFER') continue;
        expect(decision.until.getTime()).toBeGreaterThan(now.getTime());
        expect(decision.until.getTime() - now.getTime()).toBeLessThanOrEqual(25 * 3600_000);
        expect(decideShield(decision.until, rule, 'MARKETING')).toEqual({ action: 'SEND' });
      }
    }
  });
});

describe('shieldSettingProblems', () => {
  it('names each unreadable stored setting and accepts null (the configured default)', () => {
    expect(shieldSettingProblems({ quietStart: '22:00', quietEnd: '08:00', releaseAt: null, timeZone: 'Asia/Shanghai' })).toEqual([]);
    expect(shieldSettingProblems({ quietStart: '25:00', quietEnd: '8:00', releaseAt: '09:00', timeZone: 'Mars/Olympus' })).toEqual([
      { field: 'quietStart', reason: expect.stringContaining('25:00') },
      { field: 'quietEnd', reason: expect.stringContaining('8:00') },
      { field: 'timeZone', reason: expect.stringContaining('Mars/Olympus') },
    ]);
  });
});
