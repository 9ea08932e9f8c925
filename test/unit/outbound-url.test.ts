import { checkAccountSettings } from '../../src/api/admin/account-settings';
import { HttpError } from '../../src/api/http-error';
import { dingtalkAdapter } from '../../src/vendors/chat/dingtalk';
import { isPrivateHost, outboundUrlSchema, privateUrlFields, privateUrlsAllowed } from '../../src/vendors/outbound-url';

describe('URLs Herald calls from account data', () => {
  it('takes only http and https', () => {
    expect(outboundUrlSchema.safeParse('https://oapi.dingtalk.com').success).toBe(true);
    expect(outboundUrlSchema.safeParse('http://127.0.0.1:8080/x').success).toBe(true);
    for (const url of ['file:///etc/passwd', 'ftp://example.com/', 'gopher://127.0.0.1:6379/_FLUSHALL', 'data:text/plain,hi', 'javascript:alert(1)']) {
      expect(outboundUrlSchema.safeParse(url).success).toBe(false);
    }
  });

  it('knows loopback, private, link-local and unique-local hosts, written any way a URL allows', () => {
    const hostOf = (url: string) => new URL(url).hostname;
    for (const url of [
      'http://localhost/', 'http://api.localhost/', 'http://127.0.0.1/', 'http://127.1.2.3/', 'http://10.1.2.3/', 'http://172.16.0.1/',
      'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data/', 'http://0.0.0.0/', 'http://[::1]/', 'http://[fd00::1]/',
      'http://[fe80::1]/', 'http://[::ffff:127.0.0.1]/', 'http://2130706433/', 'http://0x7f.0.0.1/',
    ]) expect([url, isPrivateHost(hostOf(url))]).toEqual([url, true]);
    for (const url of ['https://oapi.dingtalk.com/', 'http://8.8.8.8/', 'http://172.32.0.1/', 'http://[2001:db8::1]/']) {
      expect([url, isPrivateHost(hostOf(url))]).toEqual([url, false]);
    }
  });

  it('finds private URLs anywhere in an account config, by field path', () => {
    const config = { request: { url: 'http://10.0.0.5/send', headers: { a: 'x' } }, pull: { request: { url: 'https://gw.example.com/r' } }, list: ['http://[::1]:9/'] };
    expect(privateUrlFields(config, 'config')).toEqual(['config.request.url', 'config.list.0']);
  });

  it('allows private URLs by default except in production; the flag decides when set', () => {
    expect(privateUrlsAllowed({ NODE_ENV: 'test', VENDOR_URLS_ALLOW_PRIVATE: undefined })).toBe(true);
    expect(privateUrlsAllowed({ NODE_ENV: 'production', VENDOR_URLS_ALLOW_PRIVATE: undefined })).toBe(false);
    expect(privateUrlsAllowed({ NODE_ENV: 'production', VENDOR_URLS_ALLOW_PRIVATE: 'true' })).toBe(true);
    expect(privateUrlsAllowed({ NODE_ENV: 'development', VENDOR_URLS_ALLOW_PRIVATE: 'false' })).toBe(false);
  });

  it('refuses an account that points at a private host with a 400 naming the field, and a file: URL by its scheme', () => {
    const refusal = (config: Record<string, unknown>) => {
      try {
        checkAccountSettings(dingtalkAdapter, { config }, 'refused');
      } catch (error) {
        if (error instanceof HttpError) return { status: error.status, details: error.details };
        throw error;
      }
      return null;
    };
    expect(refusal({ baseUrl: 'http://169.254.169.254' })).toEqual({
      status: 400, details: { fields: [{ field: 'config.baseUrl', reason: expect.stringContaining('loopback or private address') }] },
    });
    expect(refusal({ baseUrl: 'file:///etc/passwd' })).toEqual({
      status: 400, details: { fields: [{ field: 'config.baseUrl', reason: expect.stringContaining('http:// or https://') }] },
    });
    expect(refusal({ baseUrl: 'https://oapi.dingtalk.com' })).toBeNull();
    expect(checkAccountSettings(dingtalkAdapter, { config: { baseUrl: 'http://127.0.0.1:4010' } }, 'allowed').config).toMatchObject({ baseUrl: 'http://127.0.0.1:4010' });
  });
});
