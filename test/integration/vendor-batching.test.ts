import { createSandboxVendor, type ListeningSandbox, type SandboxVendor } from '../../src/sandbox/sandbox-vendor';
import { receiptPushUrl } from '../../src/security/receipt-token';
import { createAliyunSmsAdapter } from '../../src/vendors/aliyun-sms';
import { createSandboxAdapter } from '../../src/vendors/sandbox';
import { createTencentSmsAdapter } from '../../src/vendors/tencent-sms';
import type { BatchOutcome, OutgoingMessage, VendorAccount } from '../../src/vendors/types';
import { VendorError } from '../../src/vendors/vendor-error';
import { startAliyunFake, type AliyunFake } from '../fakes/aliyun-sms-server';
import { startTencentFake, type TencentFake } from '../fakes/tencent-sms-server';
import { eventually, startHerald, type RunningHerald } from '../support/herald';
import { finalSend, freshReceiver, useOnlyAccount, useTemplate } from '../support/vendor-accounts';
import { testOutbound } from '../support/outbound';

const sandboxAdapter = createSandboxAdapter(testOutbound);
const tencentSmsAdapter = createTencentSmsAdapter(testOutbound);
const aliyunSmsAdapter = createAliyunSmsAdapter(testOutbound);

const TENCENT = { secretId: 'AKIDbatchHerald0001', secretKey: 'tencent-batch-secret', smsSdkAppId: '1400007777' };
const ALIYUN = { accessKeyId: 'LTAIbatchHerald0001', accessKeySecret: 'aliyun-batch-secret' };

let tencent: TencentFake;
let aliyun: AliyunFake;
let tencentAccount: VendorAccount;
let aliyunAccount: VendorAccount;
let counter = 0;

function messages(receivers: string[], overrides: Partial<OutgoingMessage> = {}): OutgoingMessage[] {
  return receivers.map((receiver) => {
    counter += 1;
    return {
      sendId: `send-batch-${counter}`, reference: `send-batch-${counter}`, receiver, content: 'Hello Li, your order A-1 has shipped.', subject: null,
      vendorTemplateId: '1234567:name,order', variables: { name: 'Li', order: 'A-1' }, ...overrides,
    };
  });
}

function freshReceivers(n: number): string[] {
  return Array.from({ length: n }, () => freshReceiver());
}

function acceptedIds(outcomes: BatchOutcome[]): string[] {
  return outcomes.map((outcome) => ('accepted' in outcome ? outcome.accepted.vendorMessageId : `error ${outcome.error.vendorCode}`));
}

beforeAll(async () => {
  tencent = await startTencentFake({ ...TENCENT, receiptDelayMs: 50 });
  aliyun = await startAliyunFake({ ...ALIYUN, receiptDelayMs: 50 });
  tencentAccount = {
    id: 'acct-tencent-batch', name: 'tencent-batch', provider: 'tencent', channel: 'SMS',
    config: { smsSdkAppId: TENCENT.smsSdkAppId, signName: 'Herald', region: 'ap-guangzhou', endpoint: tencent.endpoint, timeoutMs: 1000 },
    secrets: { secretId: TENCENT.secretId, secretKey: TENCENT.secretKey },
  };
  aliyunAccount = {
    id: 'acct-aliyun-batch', name: 'aliyun-batch', provider: 'aliyun', channel: 'SMS',
    config: { signName: '阿里云短信测试', endpoint: aliyun.endpoint, timeoutMs: 1000 },
    secrets: ALIYUN,
  };
});

afterAll(async () => {
  await tencent?.close();
  await aliyun?.close();
});

beforeEach(() => {
  tencent.faults.clear();
  aliyun.faults.clear();
});

describe('batch calls of the adapters against the fakes (signatures checked)', () => {
  it('Tencent: one SendSms with every number and one TemplateParamSet; each number its own SerialNo or its own code', async () => {
    const receivers = freshReceivers(3);
    const [, invalid] = receivers as [string, string, string];
    tencent.rejectNumber(invalid, 'FailedOperation.PhoneNumberInBlacklist');
    const outcomes = await tencentSmsAdapter.batch!.send(tencentAccount, messages(receivers));
    expect(tencent.sendRequests.at(-1)).toEqual({
      SmsSdkAppId: TENCENT.smsSdkAppId, SignName: 'Herald', TemplateId: '1234567', TemplateParamSet: ['Li', 'A-1'], PhoneNumberSet: receivers,
    });
    expect(tencent.calls.at(-1)).toEqual({ action: 'SendSms', errorCode: null });
    const ids = acceptedIds(outcomes);
    expect(ids[0]).toMatch(/^2433:/);
    expect(ids[2]).toMatch(/^2433:/);
    expect(ids[0]).not.toBe(ids[2]);
    const refused = outcomes[1] as { error: VendorError };
    expect([refused.error.errorClass, refused.error.reason, refused.error.vendorCode]).toEqual(['RECEIVER_INVALID', 'BLACKLISTED', 'FailedOperation.PhoneNumberInBlacklist']);
  });

  it('Tencent: a request error fails the whole call', async () => {
    tencent.faults.inject({ kind: 'http_status', status: 503 });
    const error: unknown = await tencentSmsAdapter.batch!.send(tencentAccount, messages(freshReceivers(2))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VendorError);
    expect([(error as VendorError).errorClass, (error as VendorError).vendorCode]).toEqual(['RETRYABLE', 'HTTP_503']);
  });

  it('Aliyun: one SendBatchSms (JSON arrays of numbers, signatures, params); one BizId, each send `<BizId>|<receiver>`; pull finds each', async () => {
    const receivers = freshReceivers(2);
    const batch = messages(receivers, { vendorTemplateId: 'SMS_154950909' });
    const sentAt = new Date();
    const outcomes = await aliyunSmsAdapter.batch!.send(aliyunAccount, batch);
    const request = aliyun.batchRequests.at(-1)!;
    expect(JSON.parse(request.PhoneNumberJson)).toEqual(receivers.map((r) => r.slice(3)));
    expect(JSON.parse(request.SignNameJson)).toEqual(['阿里云短信测试', '阿里云短信测试']);
    expect(JSON.parse(request.TemplateParamJson)).toEqual([{ name: 'Li', order: 'A-1' }, { name: 'Li', order: 'A-1' }]);
    expect(request.TemplateCode).toBe('SMS_154950909');
    expect(aliyun.calls.at(-1)).toEqual({ action: 'SendBatchSms', errorCode: null });
    const ids = acceptedIds(outcomes);
    const bizId = ids[0].split('|')[0];
    expect(bizId).toMatch(/^\d+\^0$/);
    expect(ids).toEqual(receivers.map((r) => `${bizId}|${r}`));
    const pulled = await eventually(async () => {
      const found = await aliyunSmsAdapter.pullReceipts!(aliyunAccount, receivers.map((receiver, i) => ({ vendorMessageId: ids[i], receiver, sentAt })));
      return found.length === 2 ? found : undefined;
    }, 5_000, 50);
    expect(pulled.map((r) => [r.vendorMessageId, r.receiver, r.status])).toEqual(receivers.map((r, i) => [ids[i], r, 'DELIVERED']));
  });

  it('Aliyun: a refusal (one Code for the call) fails the whole call', async () => {
    aliyun.faults.inject({ kind: 'code', code: 'isv.AMOUNT_NOT_ENOUGH' });
    const error: unknown = await aliyunSmsAdapter.batch!.send(aliyunAccount, messages(freshReceivers(2), { vendorTemplateId: 'SMS_1' })).catch((e: unknown) => e);
    expect([(error as VendorError).errorClass, (error as VendorError).vendorCode]).toEqual(['VENDOR_REJECTED', 'isv.AMOUNT_NOT_ENOUGH']);
  });

  describe('sandbox vendor', () => {
    let vendor: SandboxVendor;
    let server: ListeningSandbox;
    let account: VendorAccount;

    beforeAll(async () => {
      vendor = createSandboxVendor({ receiptDelayMs: 50, receiptCallbackUrl: null, appKey: 'batch-app', appSecret: 'batch-secret' });
      server = await vendor.listen(0, '127.0.0.1');
      account = {
        id: 'acct-sandbox-batch', name: 'sandbox-batch', provider: 'sandbox', channel: 'SMS',
        config: { endpoint: `http://127.0.0.1:${server.port}` }, secrets: { appKey: 'batch-app', appSecret: 'batch-secret' },
      };
    });

    afterAll(async () => {
      await server?.close();
    });

    it('POST /v1/sms/send-batch: one result per receiver; a receiver fault refuses the first only; clientRef stays idempotent', async () => {
      vendor.faults.inject('blacklisted');
      const batch = messages(freshReceivers(3), { vendorTemplateId: null });
      const outcomes = await sandboxAdapter.batch!.send(account, batch);
      expect((outcomes[0] as { error: VendorError }).error.reason).toBe('BLACKLISTED');
      const ids = acceptedIds(outcomes).slice(1);
      ids.forEach((id) => expect(id).toMatch(/^sbx-/));
      expect(acceptedIds(await sandboxAdapter.batch!.send(account, batch.slice(1)))).toEqual(ids);
      const pulled = await eventually(async () => {
        const found = await sandboxAdapter.pullReceipts!(account, ids.map((vendorMessageId) => ({ vendorMessageId, receiver: '', sentAt: new Date() })));
        return found.length === 2 ? found : undefined;
      }, 5_000, 50);
      expect(pulled.map((r) => r.status)).toEqual(['DELIVERED', 'DELIVERED']);
    });

    it('a call fault (5xx) fails the whole call', async () => {
      vendor.faults.inject('5xx');
      const error: unknown = await sandboxAdapter.batch!.send(account, messages(freshReceivers(2), { vendorTemplateId: null })).catch((e: unknown) => e);
      expect([(error as VendorError).errorClass, (error as VendorError).vendorCode]).toEqual(['RETRYABLE', 'INTERNAL_ERROR']);
    });
  });
});

describe('batched sends end to end through Herald', () => {
  let herald: RunningHerald;
  const TEMPLATE = 'batch_e2e_sms';

  /** One message to these receivers; the sendIds in receiver order. */
  async function sendToAll(receivers: string[], order: string): Promise<string[]> {
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: TEMPLATE, receivers, variables: { name: 'Li', order } });
    if (accepted.status !== 202) throw new Error(`send refused: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    return (accepted.body.sends as Array<{ sendId: string }>).map((send) => send.sendId);
  }

  async function attemptsOf(sendId: string) {
    const attempts = await herald.deps.prisma.sendAttempt.findMany({ where: { sendId }, orderBy: { startedAt: 'asc' } });
    return attempts.map((a) => [a.outcome, a.errorClass, a.vendorCode]);
  }

  beforeAll(async () => {
    // A wide window: the sends of one message reach the vendor step within it even on a busy machine.
    herald = await startHerald({ VENDOR_BATCH_WINDOW_MS: '1500' });
    await useTemplate(herald, TEMPLATE, 'Hello {name}, your order {order} has shipped.', { tencent: '1234567:name,order', aliyun: 'SMS_154950909' });
  }, 120_000);

  afterAll(async () => {
    tencent.setCallbackUrl(null);
    aliyun.setCallbackUrl(null);
    await herald?.stop();
  });

  describe('Tencent', () => {
    beforeAll(async () => {
      const accountId = await useOnlyAccount(herald, { name: 'tencent-batch-e2e', provider: 'tencent', config: tencentAccount.config as Record<string, string | number>, secrets: tencentAccount.secrets });
      tencent.setCallbackUrl(receiptPushUrl(herald.baseUrl, herald.deps.config.RECEIPT_TOKEN_KEY, { id: accountId, provider: 'tencent' }));
    }, 30_000);

    it('N sends of one message → one vendor request; each send SENT with its own id, then DELIVERED', async () => {
      const receivers = freshReceivers(5);
      const before = tencent.sendRequests.length;
      const sendIds = await sendToAll(receivers, 'B-1');
      const sends = await Promise.all(sendIds.map((id) => finalSend(herald, id)));
      expect(sends.map((s) => s.status)).toEqual(Array(5).fill('DELIVERED'));
      expect(tencent.sendRequests.slice(before).map((r) => (r.PhoneNumberSet as string[]).length)).toEqual([5]);
      expect(new Set(sends.map((s) => s.vendorMessageId)).size).toBe(5);
      for (const id of sendIds) expect(await attemptsOf(id)).toEqual([['ACCEPTED', null, 'Ok']]);
    });

    it('one invalid number in the batch: that send FAILED with its own reason, the others DELIVERED', async () => {
      const receivers = freshReceivers(4);
      tencent.rejectNumber(receivers[2], 'InvalidParameterValue.IncorrectPhoneNumber');
      const before = tencent.sendRequests.length;
      const sends = await Promise.all((await sendToAll(receivers, 'B-2')).map((id) => finalSend(herald, id)));
      expect(sends.map((s) => [s.status, s.reason])).toEqual([
        ['DELIVERED', null], ['DELIVERED', null], ['FAILED', 'INVALID_RECEIVER'], ['DELIVERED', null],
      ]);
      expect(tencent.sendRequests.length - before).toBe(1);
      expect(await attemptsOf(sends[2]!.sendId as string)).toEqual([['FAILED', 'RECEIVER_INVALID', 'InvalidParameterValue.IncorrectPhoneNumber']]);
    });

    it('a whole-batch 5xx: each send records the failure and is retried like a single send', async () => {
      tencent.faults.inject({ kind: 'http_status', status: 502 });
      const sendIds = await sendToAll(freshReceivers(3), 'B-3');
      const sends = await Promise.all(sendIds.map((id) => finalSend(herald, id)));
      expect(sends.map((s) => s.status)).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED']);
      for (const id of sendIds) expect(await attemptsOf(id)).toEqual([['FAILED', 'RETRYABLE', 'HTTP_502'], ['ACCEPTED', null, 'Ok']]);
    });
  });

  describe('Aliyun', () => {
    beforeAll(async () => {
      const accountId = await useOnlyAccount(herald, { name: 'aliyun-batch-e2e', provider: 'aliyun', config: aliyunAccount.config as Record<string, string | number>, secrets: aliyunAccount.secrets });
      aliyun.setCallbackUrl(receiptPushUrl(herald.baseUrl, herald.deps.config.RECEIPT_TOKEN_KEY, { id: accountId, provider: 'aliyun' }));
    }, 30_000);

    it('N sends → one SendBatchSms; the pushed receipts (BizId + number) find each send', async () => {
      const receivers = freshReceivers(4);
      const before = aliyun.batchRequests.length;
      const sendIds = await sendToAll(receivers, 'B-4');
      const sends = await Promise.all(sendIds.map((id) => finalSend(herald, id)));
      expect(sends.map((s) => s.status)).toEqual(Array(4).fill('DELIVERED'));
      expect(aliyun.batchRequests.length - before).toBe(1);
      const receipts = await herald.deps.prisma.receipt.findMany({ where: { sendId: { in: sendIds } } });
      expect(receipts.map((r) => r.source)).toEqual(Array(4).fill('PUSH'));
      expect(sends.map((s) => String(s.vendorMessageId).split('|')[1])).toEqual(receivers);
    });

    it('receipts pushed before the batch answer (one BizId, several numbers) are each claimed by their send', async () => {
      aliyun.faults.inject({ kind: 'receipt_before_answer' });
      const sendIds = await sendToAll(freshReceivers(3), 'B-6');
      const sends = await Promise.all(sendIds.map((id) => finalSend(herald, id)));
      expect(sends.map((s) => s.status)).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED']);
      const receipts = await herald.deps.prisma.receipt.findMany({ where: { sendId: { in: sendIds } } });
      expect(receipts.map((r) => r.source)).toEqual(['PUSH', 'PUSH', 'PUSH']);
    });

    it('a whole-batch refusal fails over nowhere (one account): every send FAILED VENDOR_REJECTED with its own attempt', async () => {
      aliyun.faults.inject({ kind: 'code', code: 'isv.AMOUNT_NOT_ENOUGH' });
      const sendIds = await sendToAll(freshReceivers(3), 'B-5');
      const sends = await Promise.all(sendIds.map((id) => finalSend(herald, id)));
      expect(sends.map((s) => s.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
      for (const id of sendIds) expect(await attemptsOf(id)).toEqual([['FAILED', 'VENDOR_REJECTED', 'isv.AMOUNT_NOT_ENOUGH']]);
    });
  });
});
