import { ambiguousWith, describeRule, matchRule, prefixProblem, type RouteRule } from '../../src/routing/route-rules';

function rule(id: string, overrides: Partial<RouteRule> = {}): RouteRule {
  return { id, channel: 'SMS', prefix: null, messageType: null, accountIds: [`${id}-account`], ...overrides };
}

const RULES = [
  rule('china', { prefix: '+86' }),
  rule('china-mobile-138', { prefix: '+86138' }),
  rule('china-marketing', { prefix: '+86', messageType: 'MARKETING' }),
  rule('everyone-else', { prefix: null }),
  rule('mail-marketing', { channel: 'EMAIL', messageType: 'MARKETING' }),
];

const sms = (receiver: string, messageType = 'NOTICE') => matchRule(RULES, { channel: 'SMS', receiver, messageType })?.id ?? null;

describe('route rules: which rule routes a send', () => {
  it('takes the longest matching prefix', () => {
    expect(sms('+8613800138000')).toBe('china-mobile-138');
    expect(sms('+8613900139000')).toBe('china');
  });

  it('prefers the rule naming the message type at the same prefix, and the longer prefix over the message type', () => {
    expect(sms('+8613900139000', 'MARKETING')).toBe('china-marketing');
    expect(sms('+8613800138000', 'MARKETING')).toBe('china-mobile-138');
  });

  it('falls back to a rule without prefix for other numbers, and to none (the default route) without one', () => {
    expect(sms('+14155550100')).toBe('everyone-else');
    expect(matchRule(RULES.filter((r) => r.id !== 'everyone-else'), { channel: 'SMS', receiver: '+14155550100', messageType: 'NOTICE' })).toBeNull();
  });

  it('keeps channels apart: an e-mail rule by message type alone', () => {
    expect(matchRule(RULES, { channel: 'EMAIL', receiver: 'li@example.com', messageType: 'MARKETING' })?.id).toBe('mail-marketing');
    expect(matchRule(RULES, { channel: 'EMAIL', receiver: 'li@example.com', messageType: 'NOTICE' })).toBeNull();
    expect(matchRule(RULES, { channel: 'CHAT', receiver: 'group', messageType: 'NOTICE' })).toBeNull();
  });

  it('describes a rule in words', () => {
    expect(describeRule(RULES[0])).toBe('SMS to +86, any message type');
    expect(describeRule(RULES[4])).toBe('EMAIL to every receiver, MARKETING');
  });
});

describe('route rules: what a rule may say', () => {
  it('takes + and digits starting with a country calling code', () => {
    for (const good of ['+86', '+8613', '+1', '+1415', '+44', '+852']) expect(prefixProblem(good, 'SMS')).toBeNull();
  });

  it('refuses a prefix that is not + and digits, or starts with no calling code, naming why', () => {
    expect(prefixProblem('86', 'SMS')).toMatch(/must be \+ and 1 to 15 digits/);
    expect(prefixProblem('+86 138', 'SMS')).toMatch(/must be \+ and 1 to 15 digits/);
    expect(prefixProblem('+0086', 'SMS')).toMatch(/must be \+ and 1 to 15 digits/);
    expect(prefixProblem('+1234567890123456', 'SMS')).toMatch(/must be \+ and 1 to 15 digits/);
    expect(prefixProblem('+999', 'SMS')).toBe('+999 does not start with a country calling code');
  });

  it('refuses a prefix for a channel whose receivers are not phone numbers', () => {
    expect(prefixProblem('+86', 'EMAIL')).toBe('a prefix applies only to SMS (phone numbers); leave it out for EMAIL');
    expect(prefixProblem(null, 'EMAIL')).toBeNull();
  });

  it('finds the rule a new one would be ambiguous with (same channel, prefix and message type), not itself', () => {
    expect(ambiguousWith(RULES, { channel: 'SMS', prefix: '+86', messageType: null }, null)?.id).toBe('china');
    expect(ambiguousWith(RULES, { channel: 'SMS', prefix: '+86', messageType: null }, 'china')).toBeNull();
    expect(ambiguousWith(RULES, { channel: 'SMS', prefix: '+86', messageType: 'VERIFICATION' }, null)).toBeNull();
    expect(ambiguousWith(RULES, { channel: 'SMS', prefix: null, messageType: null }, null)?.id).toBe('everyone-else');
  });
});
