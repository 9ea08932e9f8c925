import { checkReceiptSource, receiptSourcesSchema } from '../../src/security/receipt-sources';

describe('receipt source allowlist (account config receiptSources)', () => {
  it('accepts IPv4/IPv6 CIDRs and single addresses, refuses anything else', () => {
    expect(receiptSourcesSchema.safeParse(['203.0.113.0/24', '198.51.100.7', '2001:db8::/32', '::1']).success).toBe(true);
    for (const bad of ['203.0.113.0/33', '203.0.113/24', 'example.com', '10.0.0.0/8/1', '2001:db8::/129', '1.2.3.4/ 8']) {
      expect(receiptSourcesSchema.safeParse([bad]).success).toBe(false);
    }
    expect(receiptSourcesSchema.safeParse([]).success).toBe(false);
  });

  it('allows listed sources only; an account without the list allows any', () => {
    const config = { receiptSources: ['203.0.113.0/24', '2001:db8::/32'] };
    expect(checkReceiptSource(config, '203.0.113.200')).toEqual({ allowed: true });
    expect(checkReceiptSource(config, '::ffff:203.0.113.5')).toEqual({ allowed: true });
    expect(checkReceiptSource(config, '2001:db8::42')).toEqual({ allowed: true });
    expect(checkReceiptSource(config, '203.0.114.1')).toMatchObject({ allowed: false });
    expect(checkReceiptSource(config, '127.0.0.1')).toMatchObject({ allowed: false, reason: expect.stringContaining('127.0.0.1') });
    expect(checkReceiptSource(config, undefined)).toMatchObject({ allowed: false });
    expect(checkReceiptSource({ smsSdkAppId: '1' }, '127.0.0.1')).toEqual({ allowed: true });
    expect(checkReceiptSource({ receiptSources: ['nonsense'] }, '127.0.0.1')).toMatchObject({ allowed: false });
  });
});
