import { receiptPushUrl } from '../../src/security/receipt-token';
import { startAliyunFake } from '../fakes/aliyun-sms-server';
import type { Fault, FaultQueue, ListeningFake, ReceiptBook } from '../fakes/fake-vendor';
import { startTencentFake } from '../fakes/tencent-sms-server';
import { startHerald, type RunningHerald } from '../support/herald';
import { finalSend, freshReceiver, seededAccountAsFailover, sendOne, useTemplate } from '../support/vendor-accounts';

/**
 * Ambiguous vendor outcomes against the Tencent and Aliyun fakes, through the whole of Herald:
 * account A is the fake (first in the route), account B the seeded sandbox behind it. A call to A
 * whose answer comes after the client's timeout, or whose connection is cut once A took it, ends
 * with one message (found by Tencent's PullSmsSendStatusByPhoneNumber SessionContext, Aliyun's
 * QuerySendDetails OutId); a call A never took is failed over once the verify time ran out.
 */
interface FakeUnderTest extends ListeningFake {
  faults: FaultQueue;
  receipts: ReceiptBook;
  setCallbackUrl(url: string | null): void;
}

const vendors = [
  {
    provider: 'tencent',
    vendorTemplateId: '1234567:code',
    start: () => startTencentFake({ secretId: 'AKIDtestHerald0001', secretKey: 'tencent-test-secret-key', smsSdkAppId: '1400006666', receiptDelayMs: 100 }),
    config: (endpoint: string) => ({ smsSdkAppId: '1400006666', signName: 'Herald', endpoint, timeoutMs: 1_000 }),
    secrets: { secretId: 'AKIDtestHerald0001', secretKey: 'tencent-test-secret-key' },
  },
  {
    provider: 'aliyun',
    vendorTemplateId: 'SMS_154950909',
    start: () => startAliyunFake({ accessKeyId: 'LTAItestHerald0001', accessKeySecret: 'aliyun-test-access-key-secret', receiptDelayMs: 100 }),
    config: (endpoint: string) => ({ signName: '阿里云短信测试', endpoint, timeoutMs: 1_000 }),
    secrets: { accessKeyId: 'LTAItestHerald0001', accessKeySecret: 'aliyun-test-access-key-secret' },
  },
] as const;

/** Held longer than the account's 1 s timeout. */
const SLOW: Fault = { kind: 'slow_answer', ms: 2_500 };
const HELD: Fault = { kind: 'timeout', ms: 2_500 };

describe.each(vendors)('ambiguous vendor outcomes ($provider fake)', (vendor) => {
  let herald: RunningHerald;
  let fake: FakeUnderTest;
  let accountA: string;
  let accountB: string;
  const template = `ambiguous_${vendor.provider}`;

  beforeAll(async () => {
    fake = await vendor.start();
    // A short receipt window: a send no vendor confirmed asks again only this long before it fails.
    herald = await startHerald({ RECEIPT_WINDOW_SECONDS: '6' });
    const { prisma, secrets } = herald.deps;
    accountB = await seededAccountAsFailover(herald);
    accountA = (await prisma.account.create({
      data: {
        name: `${vendor.provider}-a`, channel: 'SMS', provider: vendor.provider, weight: 100, priority: 1,
        config: vendor.config(fake.endpoint), secretCiphertext: secrets.seal(vendor.secrets),
      },
    })).id;
    fake.setCallbackUrl(receiptPushUrl(herald.baseUrl, herald.deps.config.RECEIPT_TOKEN_KEY, { id: accountA, provider: vendor.provider }));
    await useTemplate(herald, template, 'Your code is {code}.', { [vendor.provider]: vendor.vendorTemplateId });
    // A short verify time: a call the vendor never took is failed over within the test.
    await prisma.template.updateMany({ where: { code: template }, data: { verifySeconds: 4 } });
  }, 120_000);

  afterAll(async () => {
    fake?.setCallbackUrl(null);
    await herald?.stop();
    await fake?.close();
  });

  afterEach(async () => {
    fake.faults.clear();
    await herald.deps.prisma.account.updateMany({ where: { id: { in: [accountA, accountB] } }, data: { enabled: true } });
    await herald.deps.redis.del(`circuit:{${accountA}}:failures`, `circuit:{${accountA}}:open`);
  });

  /** Messages each vendor accepted for the send (Herald's reference is the send id on a first run). */
  function atVendors(sendId: string): { a: number; b: number } {
    return {
      a: fake.receipts.accepted().filter((message) => message.outId === sendId).length,
      b: herald.vendor.sent().filter((record) => record.clientRef === sendId).length,
    };
  }

  async function outcomeOf(sendId: string): Promise<{ status: string; account: string | null }> {
    await finalSend(herald, sendId, 60_000);
    const row = await herald.deps.prisma.send.findUniqueOrThrow({ where: { id: sendId }, select: { status: true, accountId: true } });
    return { status: row.status, account: row.accountId };
  }

  const send = () => sendOne(herald, template, freshReceiver(), { code: '5150' });

  it('one account, timeout then accepted → DELIVERED through A, one message', async () => {
    await herald.deps.prisma.account.update({ where: { id: accountB }, data: { enabled: false } });
    fake.faults.inject(SLOW);
    const sendId = await send();
    expect(await outcomeOf(sendId)).toEqual({ status: 'DELIVERED', account: accountA });
    expect(atVendors(sendId)).toEqual({ a: 1, b: 0 });
  }, 90_000);

  it('two accounts, timeout then accepted → DELIVERED through A, nothing at B', async () => {
    fake.faults.inject(SLOW);
    const sendId = await send();
    expect(await outcomeOf(sendId)).toEqual({ status: 'DELIVERED', account: accountA });
    expect(atVendors(sendId)).toEqual({ a: 1, b: 0 });
  }, 90_000);

  it('two accounts, connection cut after A took it → DELIVERED through A, nothing at B', async () => {
    fake.faults.inject({ kind: 'cut_after_accept' });
    const sendId = await send();
    expect(await outcomeOf(sendId)).toEqual({ status: 'DELIVERED', account: accountA });
    expect(atVendors(sendId)).toEqual({ a: 1, b: 0 });
  }, 90_000);

  it('one account, connection cut after A took it → DELIVERED through A, one message', async () => {
    await herald.deps.prisma.account.update({ where: { id: accountB }, data: { enabled: false } });
    fake.faults.inject({ kind: 'cut_after_accept' });
    const sendId = await send();
    expect(await outcomeOf(sendId)).toEqual({ status: 'DELIVERED', account: accountA });
    expect(atVendors(sendId)).toEqual({ a: 1, b: 0 });
  }, 90_000);

  it('two accounts, timeout and A never took it → failed over to B once the verify time ran out, one message', async () => {
    fake.faults.inject(HELD);
    const sendId = await send();
    expect(await outcomeOf(sendId)).toEqual({ status: 'DELIVERED', account: accountB });
    expect(atVendors(sendId)).toEqual({ a: 0, b: 1 });
  }, 90_000);

  it('one account, timeout and A never took it → FAILED / ALL_VENDORS_FAILED, nothing sent', async () => {
    await herald.deps.prisma.account.update({ where: { id: accountB }, data: { enabled: false } });
    fake.faults.inject(HELD);
    const sendId = await send();
    expect(await outcomeOf(sendId)).toEqual({ status: 'FAILED', account: null });
    expect(atVendors(sendId)).toEqual({ a: 0, b: 0 });
  }, 90_000);
});
