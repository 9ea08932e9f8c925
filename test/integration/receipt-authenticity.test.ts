import { createHmac, randomUUID } from 'node:crypto';
import { receiptPushUrl } from '../../src/security/receipt-token';
import { startHerald, type RunningHerald } from '../support/herald';

/**
 * Receipt pushes beyond the URL token: a per-account source allowlist
 * (Tencent and Aliyun sign nothing), and the http-gateway's own push signature.
 * This Herald trusts a proxy on loopback (TRUST_PROXY), so X-Forwarded-For
 * names the source; receipt-token.test.ts shows it is ignored by default.
 */
describe('receipt push authenticity', () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald({ TRUST_PROXY: 'loopback', SANDBOX_RECEIPT_DELAY_MS: '60000' });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  /** Saves an account through the admin API (its config checked by the provider's schema); its receipt URL. */
  async function savedAccount(provider: string, config: Record<string, unknown>, secrets: Record<string, string>): Promise<string> {
    const saved = await herald.request('POST', '/v1/admin/accounts', { name: `${provider}-auth-${randomUUID().slice(0, 8)}`, provider, config, secrets, enabled: false });
    expect(saved.status).toBe(201);
    return receiptPushUrl(herald.baseUrl, herald.deps.config.RECEIPT_TOKEN_KEY, { id: saved.body.id as string, provider });
  }

  async function push(url: string, body: string, headers: Record<string, string> = {}) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: response.status, body: (await response.json()) };
  }

  async function storedReceipts(vendorMessageId: string): Promise<number> {
    return herald.deps.prisma.receipt.count({ where: { vendorMessageId } });
  }

  const tencentReport = (sid: string) => JSON.stringify([{
    user_receive_time: '2026-11-23 10:00:00', nationcode: '86', mobile: '13800150001', report_status: 'SUCCESS', errmsg: 'DELIVRD', description: 'ok', sid,
  }]);
  const tencentConfig = { smsSdkAppId: '1400009999', signName: 'Herald', endpoint: 'http://127.0.0.1:9' };
  const tencentSecrets = { secretId: 'AKIDauth', secretKey: 'auth-secret' };

  it('an account with receiptSources refuses a push from elsewhere (403, not stored) and takes one from a listed source', async () => {
    const url = await savedAccount('tencent', { ...tencentConfig, receiptSources: ['203.0.113.0/24'] }, tencentSecrets);
    const refusedSid = `auth-${randomUUID()}`;
    expect(await push(url, tencentReport(refusedSid))).toEqual({
      status: 403, body: { error: { code: 'RECEIPT_SOURCE_REFUSED', message: 'this source may not push receipts for the account' } },
    });
    expect(await push(url, tencentReport(refusedSid), { 'x-forwarded-for': '198.51.100.1' })).toMatchObject({ status: 403 });
    expect(await storedReceipts(refusedSid)).toBe(0);

    const takenSid = `auth-${randomUUID()}`;
    expect(await push(url, tencentReport(takenSid), { 'x-forwarded-for': '203.0.113.77' })).toEqual({ status: 200, body: { result: 0, errmsg: 'OK' } });
    expect(await storedReceipts(takenSid)).toBe(1);
  });

  it('an account without receiptSources takes pushes from anywhere (the token is the check)', async () => {
    const url = await savedAccount('aliyun', { signName: '测试', endpoint: 'http://127.0.0.1:9' }, { accessKeyId: 'LTAIauth', accessKeySecret: 'auth-secret' });
    const bizId = `${Date.now()}^0`;
    const report = JSON.stringify([{ phone_number: '13800150002', success: true, err_code: 'DELIVERED', err_msg: 'ok', biz_id: bizId, report_time: '2026-11-23 10:00:00' }]);
    expect(await push(url, report)).toMatchObject({ status: 200 });
    expect(await storedReceipts(bizId)).toBe(1);
  });

  it('the admin API refuses receiptSources that are not addresses or CIDRs, naming the field', async () => {
    const saved = await herald.request('POST', '/v1/admin/accounts', {
      name: `tencent-bad-${randomUUID().slice(0, 8)}`, provider: 'tencent', config: { ...tencentConfig, receiptSources: ['10.0.0.0/40'] }, secrets: tencentSecrets,
    });
    expect(saved.status).toBe(400);
    expect(JSON.stringify(saved.body)).toContain('receiptSources');
  });

  describe('http-gateway push signature (receiptPush.signature)', () => {
    const SECRET = 'gateway-push-secret';
    let url: string;

    const gatewayConfig = {
      request: { url: 'http://127.0.0.1:9/send', body: { encoding: 'json', fields: { to: '{receiver}', text: '{content}' } } },
      response: { messageIdPath: 'id' },
      receiptPush: {
        reports: { itemsPath: 'reports', messageIdPath: 'id', statusPath: 'state', delivered: ['DELIVERED'], undelivered: ['FAILED'], errorCodePath: 'err' },
        signature: { algorithm: 'sha256', secret: 'pushKey', header: 'X-Gateway-Signature', encoding: 'hex', prefix: 'sha256=', timestampHeader: 'X-Gateway-Timestamp', separator: '.' },
      },
    };

    function signed(body: string, timestamp = String(Math.floor(Date.now() / 1000)), key = SECRET): Record<string, string> {
      const signature = createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex');
      return { 'x-gateway-signature': `sha256=${signature}`, 'x-gateway-timestamp': timestamp };
    }

    const report = (id: string) => JSON.stringify({ reports: [{ id, state: 'DELIVERED' }] });

    beforeAll(async () => {
      url = await savedAccount('http-gateway', gatewayConfig, { pushKey: SECRET });
    });

    it('a push whose HMAC verifies over the raw body is stored', async () => {
      const id = `gw-${randomUUID()}`;
      const body = report(id);
      expect(await push(url, body, signed(body))).toEqual({ status: 200, body: { code: 'OK', received: 1 } });
      const receipt = await herald.deps.prisma.receipt.findFirstOrThrow({ where: { vendorMessageId: id } });
      expect([receipt.provider, receipt.status, receipt.source]).toEqual(['http-gateway', 'DELIVERED', 'PUSH']);
    });

    it('a wrong key, a changed body, no signature or a stale timestamp: 403, nothing stored', async () => {
      const id = `gw-${randomUUID()}`;
      const body = report(id);
      const refused = { status: 403, body: { error: { code: 'INVALID_RECEIPT_SIGNATURE', message: 'the push signature does not verify' } } };
      expect(await push(url, body, signed(body, undefined, 'not-the-key'))).toEqual(refused);
      // Same JSON, other bytes: the signature covers the bytes as sent.
      expect(await push(url, body.replace('{"reports"', '{ "reports"'), signed(body))).toEqual(refused);
      expect(await push(url, body)).toEqual(refused);
      const stale = String(Math.floor(Date.now() / 1000) - 3600);
      expect(await push(url, body, signed(body, stale))).toEqual(refused);
      expect(await storedReceipts(id)).toBe(0);
    });
  });
});
