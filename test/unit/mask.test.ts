import { maskReceiver, maskSecret } from '../../src/shared/mask';

describe('maskReceiver', () => {
  it('keeps country code and prefix and the last four digits of a phone', () => {
    expect(maskReceiver('+8613800138000')).toBe('+86138****8000');
    expect(maskReceiver('+14155550123')).toBe('+1415****0123');
  });

  it('never shows a short number', () => {
    expect(maskReceiver('1234567')).toBe('*******');
  });

  it('keeps the domain of an e-mail and hides the local part', () => {
    expect(maskReceiver('alice@example.com')).toBe('a***e@example.com');
    expect(maskReceiver('al@example.com')).toBe('a***@example.com');
  });
});

describe('maskSecret', () => {
  it('hides all but a short prefix', () => {
    expect(maskSecret('hk_live_abcdefghijklmnop')).toBe('hk_l****');
    expect(maskSecret('short')).toBe('****');
  });
});
