import type { LookupAddress } from 'node:dns';
import { checkAccountSettings, requireSecretsForNewDestination } from '../../src/api/admin/account-settings';
import { HttpError } from '../../src/api/http-error';
import { createDingtalkAdapter } from '../../src/vendors/chat/dingtalk';
import { destinationsIn, outboundPolicy, outboundUrlSchema, privateUrlsAllowed } from '../../src/vendors/outbound-url';
import { createOutboundGuard, OutboundRefusedError } from '../../src/vendors/outbound/outbound-guard';
import { createSmtpAdapter } from '../../src/vendors/smtp';
import { VendorError } from '../../src/vendors/vendor-error';
import { VENDOR_TEXT_MAX_CHARS, vendorExcerpt } from '../../src/vendors/vendor-text';
import { testOutbound } from '../support/outbound';

const dingtalkAdapter = createDingtalkAdapter(testOutbound);
const smtpAdapter = createSmtpAdapter(testOutbound);

/** A resolver that answers from a table (no DNS), counting its calls. */
function tableResolver(table: Record<string, string[]>) {
  const calls: string[] = [];
  const resolve = async (host: string): Promise<LookupAddress[]> => {
    calls.push(host);
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, calls };
}

const production = (table: Record<string, string[]> = {}) => createOutboundGuard({ allowPrivate: false, resolve: tableResolver(table).resolve });

/** Every spelling of an internal destination the issue (and the reference platform's history) names. */
const INTERNAL_HOSTS = [
  'localhost', 'localhost.', 'api.localhost', 'LOCALHOST.',
  '127.0.0.1', '127.1', '2130706433', '0177.0.0.1', '0x7f.1', '0x7f000001',
  '10.0.0.1', '172.16.0.1', '192.168.1.1', '100.64.0.1', '169.254.169.254', '0.0.0.0', '224.0.0.1', '255.255.255.255',
  '[::1]', '::1', '[::]', '[::127.0.0.1]', '[::ffff:127.0.0.1]', '::ffff:7f00:1', '[::ffff:10.0.0.1]',
  '[64:ff9b::7f00:1]', '[2002:7f00:1::]', '[2001::1]', '[fe80::1]', '[fd00::1]', '[fc00::1]', '[ff02::1]', '[fec0::1]',
];

describe('the outbound guard', () => {
  it.each(INTERNAL_HOSTS)('refuses %s, however it is written, before any lookup', async (host) => {
    const { resolve, calls } = tableResolver({});
    const guard = createOutboundGuard({ allowPrivate: false, resolve });
    await expect(guard.checkedAddress(host)).rejects.toBeInstanceOf(OutboundRefusedError);
    expect(calls).toEqual([]);
  });

  it('takes public unicast addresses (IPv4, IPv4-mapped, global IPv6) as they are', async () => {
    const guard = production();
    await expect(guard.checkedAddress('8.8.8.8')).resolves.toEqual({ address: '8.8.8.8', family: 4 });
    await expect(guard.checkedAddress('[::ffff:8.8.8.8]')).resolves.toEqual({ address: '8.8.8.8', family: 4 });
    await expect(guard.checkedAddress('[2400:cb00::1]')).resolves.toEqual({ address: '2400:cb00::1', family: 6 });
    expect(guard.literalRefusal('8.8.8.8')).toBeNull();
    expect(guard.literalRefusal('169.254.169.254')?.reason).toBe('169.254.169.254 is link-local');
  });

  it('resolves a name once and refuses it when any of its addresses is internal', async () => {
    const guard = production({ 'rebind.example.com': ['127.0.0.1'], 'mixed.example.com': ['8.8.8.8', '10.0.0.7'], 'sms.example.com': ['8.8.4.4'] });
    await expect(guard.checkedAddress('rebind.example.com')).rejects.toMatchObject({ reason: 'resolves to 127.0.0.1 is loopback' });
    await expect(guard.checkedAddress('mixed.example.com')).rejects.toMatchObject({ reason: 'resolves to 10.0.0.7 is private' });
    await expect(guard.checkedAddress('sms.example.com')).resolves.toEqual({ address: '8.8.4.4', family: 4 });
  });

  it("answers a socket's lookup with the checked address only (the connection goes where the check looked)", async () => {
    const { resolve, calls } = tableResolver({ 'sms.example.com': ['8.8.4.4', '8.8.8.8'] });
    const guard = createOutboundGuard({ allowPrivate: false, resolve });
    const answer = await new Promise((done, fail) => guard.lookup('sms.example.com', { all: true }, (error, addresses) => (error ? fail(error) : done(addresses))));
    expect(answer).toEqual([{ address: '8.8.4.4', family: 4 }]);
    expect(calls).toEqual(['sms.example.com']);
  });

  it('allows internal destinations in development and tests, and named networks in production', async () => {
    await expect(createOutboundGuard({ allowPrivate: true }).checkedAddress('127.0.0.1')).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    const privateLink = createOutboundGuard({ allowPrivate: false, allowNetworks: ['10.8.0.0/16'], resolve: tableResolver({ 'sms.vpc.example.com': ['10.8.1.2'] }).resolve });
    await expect(privateLink.checkedAddress('sms.vpc.example.com')).resolves.toEqual({ address: '10.8.1.2', family: 4 });
    await expect(privateLink.checkedAddress('10.9.0.1')).rejects.toBeInstanceOf(OutboundRefusedError);
    expect(outboundPolicy({ NODE_ENV: 'production', VENDOR_URLS_ALLOW_PRIVATE: undefined, VENDOR_ALLOWED_NETWORKS: '10.8.0.0/16, fd12::/64' }))
      .toEqual({ allowPrivate: false, allowNetworks: ['10.8.0.0/16', 'fd12::/64'] });
  });

  it('allows private destinations by default except in production; the flag decides when set', () => {
    expect(privateUrlsAllowed({ NODE_ENV: 'test', VENDOR_URLS_ALLOW_PRIVATE: undefined })).toBe(true);
    expect(privateUrlsAllowed({ NODE_ENV: 'production', VENDOR_URLS_ALLOW_PRIVATE: undefined })).toBe(false);
    expect(privateUrlsAllowed({ NODE_ENV: 'production', VENDOR_URLS_ALLOW_PRIVATE: 'true' })).toBe(true);
    expect(privateUrlsAllowed({ NODE_ENV: 'development', VENDOR_URLS_ALLOW_PRIVATE: 'false' })).toBe(false);
  });
});

describe('destinations in account data', () => {
  it('takes only http and https URLs', () => {
    expect(outboundUrlSchema.safeParse('https://oapi.dingtalk.com').success).toBe(true);
    for (const url of ['file:///etc/passwd', 'ftp://example.com/', 'gopher://127.0.0.1:6379/_FLUSHALL', 'data:text/plain,hi', 'javascript:alert(1)']) {
      expect(outboundUrlSchema.safeParse(url).success).toBe(false);
    }
  });

  it('finds every destination in a config by field path: URLs anywhere, the SMTP host with its port', () => {
    const config = { request: { url: 'http://10.0.0.5/send', headers: { a: 'x' } }, pull: { request: { url: 'https://gw.example.com/r' } }, list: ['http://[::1]:9/'] };
    expect(destinationsIn(config, 'config').map((d) => d.field)).toEqual(['config.request.url', 'config.pull.request.url', 'config.list.0']);
    expect(destinationsIn({ host: 'smtp.example.com', port: 465 }, 'config')).toEqual([{ field: 'config.host', host: 'smtp.example.com', origin: 'smtp.example.com:465' }]);
  });

  /** The 400's fields, or null when the settings are taken. */
  async function refusal(promise: Promise<unknown>) {
    try {
      await promise;
    } catch (error) {
      if (error instanceof HttpError) return { status: error.status, details: error.details };
      throw error;
    }
    return null;
  }

  it('refuses an account pointing at an internal destination with a 400 naming the field: URLs, SMTP hosts, names resolving inside', async () => {
    const guard = production({ 'metadata.example.com': ['169.254.169.254'], 'oapi.dingtalk.com': ['8.8.8.8'], 'smtp.example.com': ['8.8.8.8'] });
    const smtp = (host: string) => ({ host, port: 25, from: 'noreply@example.com' });
    for (const host of ['127.0.0.1', '169.254.169.254', '10.0.0.1', '::1', 'fe80::1', 'localhost.', '2130706433']) {
      expect([host, await refusal(checkAccountSettings(smtpAdapter, { config: smtp(host) }, guard))]).toEqual([host, {
        status: 400, details: { fields: [{ field: 'config.host', reason: expect.stringContaining('VENDOR_URLS_ALLOW_PRIVATE') }] },
      }]);
    }
    expect(await refusal(checkAccountSettings(dingtalkAdapter, { config: { baseUrl: 'http://metadata.example.com' } }, guard))).toEqual({
      status: 400, details: { fields: [{ field: 'config.baseUrl', reason: expect.stringContaining('resolves to 169.254.169.254 is link-local') }] },
    });
    expect(await refusal(checkAccountSettings(dingtalkAdapter, { config: { baseUrl: 'http://[64:ff9b::7f00:1]' } }, guard))).toMatchObject({ status: 400 });
    expect(await refusal(checkAccountSettings(dingtalkAdapter, { config: { baseUrl: 'file:///etc/passwd' } }, guard))).toEqual({
      status: 400, details: { fields: [{ field: 'config.baseUrl', reason: expect.stringContaining('http:// or https://') }] },
    });
    expect(await refusal(checkAccountSettings(dingtalkAdapter, { config: { baseUrl: 'https://oapi.dingtalk.com' } }, guard))).toBeNull();
    expect(await refusal(checkAccountSettings(smtpAdapter, { config: smtp('smtp.example.com') }, guard))).toBeNull();
    // A name that does not resolve now is taken; the connection checks it again.
    expect(await refusal(checkAccountSettings(smtpAdapter, { config: smtp('smtp.unresolvable.example') }, guard))).toBeNull();
    expect((await checkAccountSettings(dingtalkAdapter, { config: { baseUrl: 'http://127.0.0.1:4010' } }, testOutbound.guard)).config).toMatchObject({ baseUrl: 'http://127.0.0.1:4010' });
  });

  it('a change of where an account sends needs the secrets again (400 naming secrets); other changes do not', () => {
    const stored = { endpoint: 'https://sms.example.com', timeoutMs: 5000 };
    const attempt = (changed: Record<string, unknown>, secretsGiven: boolean) => refusalSync(() => requireSecretsForNewDestination(stored, changed, secretsGiven));
    expect(attempt({ endpoint: 'https://evil.example.net', timeoutMs: 5000 }, false)).toEqual({
      status: 400, details: { fields: [{ field: 'secrets', reason: expect.stringContaining('config.endpoint changes where the account sends') }] },
    });
    expect(attempt({ endpoint: 'https://sms.example.com:8443', timeoutMs: 5000 }, false)).toMatchObject({ status: 400 });
    expect(attempt({ endpoint: 'https://evil.example.net' }, true)).toBeNull();
    expect(attempt({ endpoint: 'https://sms.example.com/v2', timeoutMs: 9000 }, false)).toBeNull();
    expect(refusalSync(() => requireSecretsForNewDestination({ host: 'smtp.example.com', port: 465 }, { host: 'smtp.example.com', port: 25 }, false))).toMatchObject({ status: 400 });
  });
});

function refusalSync(run: () => void) {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, details: error.details };
    throw error;
  }
  return null;
}

describe("a vendor's own words as Herald keeps them", () => {
  it('is a bounded excerpt without markup or control characters, wherever a VendorError carries it', () => {
    const body = `<html><body><h1>Internal</h1>${'secret '.repeat(200)}\u0000\u202e</body></html>`;
    const error = new VendorError('VENDOR_REJECTED', 'VENDOR_REJECTED', 'HTTP_403', body);
    expect(error.vendorText.length).toBeLessThanOrEqual(VENDOR_TEXT_MAX_CHARS);
    expect(error.vendorText).toMatch(/^Internal secret secret .*…$/);
    expect(error.message).not.toContain('<');
    expect(vendorExcerpt('  OK\r\n  sent ')).toBe('OK sent');
  });
});
