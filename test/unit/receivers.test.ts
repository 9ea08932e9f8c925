import { normaliseEmail, normalisePhone, normaliseReceiver, receiverSearchKey, searchKeyOfNormalised } from '../../src/shared/receivers';
import type { Channel } from '../../src/shared/states';

describe('normalisePhone', () => {
  it.each([
    ['+86 138-0013-8000', '+8613800138000'],
    ['13800138000', '+8613800138000'],
    [' +8613800138000 ', '+8613800138000'],
    ['+1 (415) 555-0123', '+14155550123'],
  ])('normalises %j to %s', (raw, expected) => {
    expect(normalisePhone(raw, 'CN')).toEqual({ ok: true, receiver: expected });
  });

  it('reports a tab inside the number with its position instead of stripping it', () => {
    expect(normalisePhone('+86138\t00138000', 'CN')).toEqual({ ok: false, reason: 'contains a tab at position 7' });
  });

  it('reports invisible characters by code point', () => {
    expect(normalisePhone('\u200b13800138000', 'CN')).toEqual({
      ok: false,
      reason: 'contains the invisible character U+200B at position 1',
    });
  });

  it('rejects letters and impossible numbers', () => {
    expect(normalisePhone('138abc', 'CN')).toMatchObject({ ok: false });
    expect(normalisePhone('+86138001380', 'CN')).toEqual({ ok: false, reason: 'is not a valid phone number' });
    expect(normalisePhone('', 'CN')).toEqual({ ok: false, reason: 'is empty' });
  });
});

describe('normaliseEmail', () => {
  it('lower-cases and trims', () => {
    expect(normaliseEmail(' Alice@Example.COM ')).toEqual({ ok: true, receiver: 'alice@example.com' });
  });

  it('rejects header injection attempts', () => {
    expect(normaliseEmail('a@b.com\r\nBcc: x@y.com')).toMatchObject({ ok: false });
  });
});

describe('normaliseReceiver', () => {
  it('dispatches by channel', () => {
    expect(normaliseReceiver(' @all ', 'CHAT', 'CN')).toEqual({ ok: true, receiver: '@all' });
    expect(normaliseReceiver('not-an-email', 'EMAIL', 'CN')).toMatchObject({ ok: false });
  });
});

describe('chat receivers', () => {
  it('accepts the group, everyone, or one member by user id', () => {
    expect(normaliseReceiver('group', 'CHAT', 'CN')).toEqual({ ok: true, receiver: 'group' });
    expect(normaliseReceiver('@ou_7d8a6e6df7621556ce0d21922b676706', 'CHAT', 'CN')).toEqual({ ok: true, receiver: '@ou_7d8a6e6df7621556ce0d21922b676706' });
    expect(normaliseReceiver('@zhang.san@corp', 'CHAT', 'CN')).toEqual({ ok: true, receiver: '@zhang.san@corp' });
  });

  it('rejects anything else with a reason naming the forms', () => {
    for (const raw of ['ops-robot', '@', '@two words', '@<at user_id="all">', '@all\n']) {
      const check = normaliseReceiver(raw, 'CHAT', 'CN');
      expect(check).toMatchObject({ ok: false });
    }
    expect(normaliseReceiver('ops-robot', 'CHAT', 'CN')).toEqual({ ok: false, reason: expect.stringContaining('"group", "@all"') });
  });
});

describe('receiverSearchKey', () => {
  it.each([
    ['+86 138\t0013 8000', '+8613800138000'],
    ['\u200b138-0013-8000', '+8613800138000'],
    ['+8613800138000', '+8613800138000'],
    [' Alice@Example.COM\n', 'alice@example.com'],
    ['ops robot', 'opsrobot'],
  ])('gives %j the key %s', (raw, key) => {
    expect(receiverSearchKey(raw, 'CN')).toBe(key);
  });
});

describe('searchKeyOfNormalised', () => {
  it.each<[Channel, string]>([
    ['SMS', ' +86 138 0013 8000 '],
    ['SMS', '(0)138-0013-8000'],
    ['SMS', '13800138000'],
    ['SMS', '+1 (415) 555-2671'],
    ['SMS', '+44 20 7946 0958'],
    ['EMAIL', ' Alice@Example.COM '],
    ['EMAIL', 'ops.team+sms@example.org'],
    ['CHAT', ' @Alice.Wang '],
    ['CHAT', '@all'],
    ['CHAT', 'group'],
  ])('gives the %s receiver %j the key its raw form has', (channel, raw) => {
    const check = normaliseReceiver(raw, channel, 'CN');
    if (!check.ok) throw new Error(`${raw} should normalise: ${check.reason}`);
    expect(searchKeyOfNormalised(check.receiver, channel, 'CN')).toBe(receiverSearchKey(raw, 'CN'));
  });
});
