import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { storeReceipts } from '../../src/receipts/receipt-store';
import { receiptPushUrl } from '../../src/security/receipt-token';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

async function push(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

/** A sandbox delivery report. */
const receipt = (messageId: string, to: string, status: 'DELIVRD' | 'UNDELIV') => ({
  receipts: [{ messageId, to, status, errCode: status === 'DELIVRD' ? 'DELIVRD' : 'MK:0005', errMsg: status, doneTime: new Date().toISOString() }],
});

/** Receipt pushes need the account's secret URL, and touch only that account's sends. */
describe('receipt push URLs with a per-account token', () => {
  let herald: RunningHerald;
  let primaryUrl: string;
  let otherUrl: string;

  beforeAll(async () => {
    // The sandbox's own receipts come a minute late: every receipt in these tests is pushed by the test.
    herald = await startHerald({ SANDBOX_RECEIPT_DELAY_MS: '60000' });
    const { prisma, config } = herald.deps;
    const primary = await prisma.account.findUniqueOrThrow({ where: { name: 'sandbox-primary' } });
    const other = await prisma.account.create({
      data: { name: `sandbox-other-${randomUUID().slice(0, 8)}`, channel: 'SMS', provider: 'sandbox', config: { endpoint: 'http://127.0.0.1:9' }, enabled: false },
    });
    primaryUrl = receiptPushUrl(herald.baseUrl, config.RECEIPT_TOKEN_KEY, primary);
    otherUrl = receiptPushUrl(herald.baseUrl, config.RECEIPT_TOKEN_KEY, other);
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  async function sentSend(receiver: string): Promise<{ sendId: string; vendorMessageId: string }> {
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: [receiver], variables: { name: 'Li', order: receiver.slice(-4) } });
    expect(accepted.status).toBe(202);
    const sendId: string = accepted.body.sends[0].sendId;
    const sent = await eventually(async () => {
      const send = await herald.request('GET', `/v1/sends/${sendId}`);
      return send.body.status === 'SENT' ? send.body : undefined;
    });
    return { sendId, vendorMessageId: String(sent.vendorMessageId) };
  }

  it('refuses pushes without the right token, all alike, and stores nothing', async () => {
    const { vendorMessageId } = await sentSend('+8613800150001');
    const body = receipt(vendorMessageId, '+8613800150001', 'DELIVRD');
    const token = primaryUrl.split('/').pop() ?? '';
    const refused = { error: { code: 'UNAUTHENTICATED', message: 'unknown receipt endpoint' } };
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const url of [
      `${herald.baseUrl}/v1/receipts/sandbox/${flipped}`,
      `${herald.baseUrl}/v1/receipts/sandbox/${token.slice(0, 20)}`,
      `${herald.baseUrl}/v1/receipts/sandbox/${randomUUID()}`,
      `${herald.baseUrl}/v1/receipts/tencent/${token}`,
    ]) {
      expect(await push(url, body)).toEqual({ status: 401, body: refused });
    }
    // The old open URL is gone: without a token it is an ordinary /v1 route that needs an API key.
    expect((await push(`${herald.baseUrl}/v1/receipts/sandbox`, body)).status).toBe(401);
    expect(await herald.deps.prisma.receipt.count({ where: { vendorMessageId } })).toBe(0);
  });

  it("stores a push to another account's URL without touching this account's send", async () => {
    const { sendId, vendorMessageId } = await sentSend('+8613800150002');
    const forged = await push(otherUrl, receipt(vendorMessageId, '+8613800150002', 'DELIVRD'));
    expect(forged).toEqual({ status: 200, body: { code: 'OK', received: 1 } });
    const stored = await herald.deps.prisma.receipt.findFirstOrThrow({ where: { vendorMessageId } });
    expect(stored.sendId).toBeNull();

    // The genuine receipt comes later through the send's own account, and it is the one that counts.
    expect((await push(primaryUrl, receipt(vendorMessageId, '+8613800150002', 'UNDELIV'))).status).toBe(200);
    const final = await eventually(async () => {
      const send = await herald.request('GET', `/v1/sends/${sendId}`);
      return send.body.status === 'SENT' ? undefined : send.body;
    });
    expect(final).toMatchObject({ status: 'UNDELIVERED', reason: 'CARRIER_BLOCKED' });
    expect(final.receipts).toEqual([expect.objectContaining({ status: 'UNDELIVERED', source: 'PUSH' })]);
    expect(await herald.deps.prisma.receipt.count({ where: { vendorMessageId, sendId: null } })).toBe(1);
  });

  /**
   * Prisma whose first lookup of the acceptance misses: the vendor activity committed the vendor id
   * (the send row and its ACCEPTED attempt, in one statement) just after it. The lookup is one query over
   * the send row, earlier runs and re-routed legs (`acceptanceOf`), the store's only raw query.
   */
  function sendCommittedAfterFirstLookup(prisma: PrismaClient): PrismaClient {
    let missed = false;
    return new Proxy(prisma, {
      get(target, property) {
        if (property === '$queryRaw' && !missed) {
          missed = true;
          return async () => [];
        }
        const value = Reflect.get(target, property) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  it('matches a push stored while its send got its vendor id, once, instead of leaving it to the poll', async () => {
    const { sendId, vendorMessageId } = await sentSend('+8613800150004');
    const { prisma } = herald.deps;
    const account = await prisma.account.findUniqueOrThrow({ where: { name: 'sandbox-primary' }, select: { id: true, provider: true } });
    const pushed = { vendorMessageId, receiver: '+8613800150004', status: 'DELIVERED' as const, reason: null, vendorCode: 'DELIVRD', vendorText: 'ok', deliveredAt: new Date() };

    const stored = await storeReceipts(sendCommittedAfterFirstLookup(prisma), account, [pushed], 'PUSH');
    expect(stored.map((s) => s.sendId)).toEqual([sendId]);
    expect(await prisma.receipt.count({ where: { vendorMessageId, sendId } })).toBe(1);

    // Claimed already (by the first push, or by the vendor activity): not matched, so not signalled, again.
    const again = await storeReceipts(sendCommittedAfterFirstLookup(prisma), account, [pushed], 'PUSH');
    expect(again.map((s) => s.sendId)).toEqual([null]);
  });

  it('never writes the token to the request log', async () => {
    const token = primaryUrl.split('/').pop() ?? '';
    await push(primaryUrl, { receipts: [] });
    const rows = await eventually(async () => {
      const found = await herald.deps.prisma.apiRequestLog.findMany({ where: { path: { startsWith: '/v1/receipts/sandbox/' } } });
      return found.length > 0 ? found : undefined;
    });
    expect(rows.every((row) => row.path === '/v1/receipts/sandbox/***')).toBe(true);
    expect(await herald.deps.prisma.apiRequestLog.count({ where: { path: { contains: token } } })).toBe(0);
  });

  it('without TRUST_PROXY, X-Forwarded-For does not change the source a receiptSources list is checked against', async () => {
    const { prisma, config } = herald.deps;
    const listed = await prisma.account.create({
      data: { name: `sandbox-listed-${randomUUID().slice(0, 8)}`, channel: 'SMS', provider: 'sandbox', config: { endpoint: 'http://127.0.0.1:9', receiptSources: ['203.0.113.0/24'] }, enabled: false },
    });
    const url = receiptPushUrl(herald.baseUrl, config.RECEIPT_TOKEN_KEY, listed);
    const messageId = `sbx-${randomUUID()}`;
    const response = await fetch(url, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.5' }, body: JSON.stringify(receipt(messageId, '+8613800150009', 'DELIVRD')),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'RECEIPT_SOURCE_REFUSED' } });
    expect(await prisma.receipt.count({ where: { vendorMessageId: messageId } })).toBe(0);
  });
});

describe("receipt push accounts kept by the API process (API_LOOKUP_CACHE_MS)", () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald({ API_LOOKUP_CACHE_MS: '600000', SANDBOX_RECEIPT_DELAY_MS: '60000' });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  it("takes pushes for an account added after the provider's accounts were kept", async () => {
    const { prisma, config } = herald.deps;
    const primary = await prisma.account.findUniqueOrThrow({ where: { name: 'sandbox-primary' } });
    // The first push keeps the sandbox's accounts in the API process for ten minutes.
    expect((await push(receiptPushUrl(herald.baseUrl, config.RECEIPT_TOKEN_KEY, primary), { receipts: [] })).status).toBe(200);

    const added = await prisma.account.create({
      data: { name: `sandbox-added-${randomUUID().slice(0, 8)}`, channel: 'SMS', provider: 'sandbox', config: { endpoint: 'http://127.0.0.1:9' }, enabled: false },
    });
    const messageId = `sbx-${randomUUID()}`;
    const pushed = await push(receiptPushUrl(herald.baseUrl, config.RECEIPT_TOKEN_KEY, added), receipt(messageId, '+8613800150010', 'DELIVRD'));
    expect(pushed).toEqual({ status: 200, body: { code: 'OK', received: 1 } });
    expect(await prisma.receipt.findFirstOrThrow({ where: { vendorMessageId: messageId } })).toMatchObject({ accountId: added.id });
  });
});
