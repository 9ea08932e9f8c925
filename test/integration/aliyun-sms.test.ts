import type { ErrorClass, Reason } from '../../src/shared/states';
import { createAliyunSmsAdapter } from '../../src/vendors/aliyun-sms';
import type { OutgoingMessage, VendorAccount } from '../../src/vendors/types';
import { VendorError } from '../../src/vendors/vendor-error';
import { startAliyunFake, type AliyunFake } from '../fakes/aliyun-sms-server';
import { eventually, startHerald, type RunningHerald } from '../support/herald';
import { finalSend, freshReceiver, sendOne, useOnlyAccount, useTemplate } from '../support/vendor-accounts';
import { receiptPushUrl } from '../../src/security/receipt-token';
import { testOutbound } from '../support/outbound';

const aliyunSmsAdapter = createAliyunSmsAdapter(testOutbound);

const ACCESS_KEY_ID = 'LTAItestHerald0001';
const ACCESS_KEY_SECRET = 'aliyun-test-access-key-secret';

let fake: AliyunFake;
/** The account's config JSON, as stored in the account row. */
let accountConfig: Record<string, string | number>;
let account: VendorAccount;
let sendCounter = 0;

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  sendCounter += 1;
  return {
    sendId: `send-aliyun-${sendCounter}`,
    reference: `send-aliyun-${sendCounter}`,
    receiver: '+8613800138000',
    content: 'Hello Li, your order A-1 has shipped.',
    subject: null,
    vendorTemplateId: 'SMS_154950909',
    variables: { name: 'Li', order: 'A-1 & (B)*' },
    ...overrides,
  };
}

async function sendError(msg: OutgoingMessage, on: VendorAccount = account): Promise<VendorError> {
  const error: unknown = await aliyunSmsAdapter.send(on, msg).then(() => null, (e: unknown) => e);
  if (!(error instanceof VendorError)) throw new Error(`expected a VendorError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  fake = await startAliyunFake({ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET, receiptDelayMs: 50 });
  accountConfig = { signName: '阿里云短信测试', endpoint: fake.endpoint, timeoutMs: 1000 };
  account = {
    id: 'acct-aliyun', name: 'aliyun-test', provider: 'aliyun', channel: 'SMS',
    config: accountConfig,
    secrets: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET },
  };
});

afterAll(async () => {
  await fake?.close();
});

beforeEach(() => fake.faults.clear());

describe('Aliyun SMS adapter against the fake Aliyun API', () => {
  it('sends a correctly signed SendSms with named TemplateParam JSON, the national number and the sendId as OutId', async () => {
    const msg = message();
    const accepted = await aliyunSmsAdapter.send(account, msg);
    expect(accepted.vendorCode).toBe('OK');
    expect(accepted.vendorMessageId).toMatch(/^\d+\^0$/);
    expect(fake.sendRequests.at(-1)).toEqual({
      PhoneNumbers: '13800138000', SignName: '阿里云短信测试', TemplateCode: 'SMS_154950909',
      TemplateParam: JSON.stringify({ name: 'Li', order: 'A-1 & (B)*' }), OutId: msg.sendId,
    });
    expect(fake.calls.at(-1)).toEqual({ action: 'SendSms', errorCode: null });
  });

  it('sends numbers outside mainland China with their country code and no +', async () => {
    await aliyunSmsAdapter.send(account, message({ receiver: '+85291234567' }));
    expect(fake.sendRequests.at(-1)?.PhoneNumbers).toBe('85291234567');
  });

  it('is VENDOR_REJECTED when the AccessKey secret is wrong (the fake recomputes ACS3-HMAC-SHA256)', async () => {
    const error = await sendError(message(), { ...account, secrets: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: 'not-the-secret' } });
    expect([error.errorClass, error.reason, error.vendorCode]).toEqual(['VENDOR_REJECTED', 'VENDOR_REJECTED', 'SignatureDoesNotMatch']);
  });

  it('is VENDOR_REJECTED for an unknown AccessKeyId', async () => {
    const error = await sendError(message(), { ...account, secrets: { accessKeyId: 'LTAIunknown', accessKeySecret: ACCESS_KEY_SECRET } });
    expect([error.errorClass, error.vendorCode]).toEqual(['VENDOR_REJECTED', 'InvalidAccessKeyId.NotFound']);
  });

  // The vendor's documented codes, each with the HTTP status Aliyun answers it with (isv.* come as 200).
  const codes: Array<[string, ErrorClass, Reason]> = [
    ['isv.MOBILE_NUMBER_ILLEGAL', 'RECEIVER_INVALID', 'INVALID_RECEIVER'],
    ['isv.BLACK_KEY_CONTROL_LIMIT', 'RECEIVER_INVALID', 'BLACKLISTED'],
    ['isv.AMOUNT_NOT_ENOUGH', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['isv.SMS_TEMPLATE_ILLEGAL', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['isv.SMS_SIGNATURE_ILLEGAL', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['isv.BUSINESS_LIMIT_CONTROL', 'RECEIVER_INVALID', 'FREQUENCY_CAP'],
    ['isv.DAY_LIMIT_CONTROL', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['isv.OUT_OF_SERVICE', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['InvalidAccessKeyId.NotFound', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['SignatureDoesNotMatch', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['isp.SYSTEM_ERROR', 'RETRYABLE', 'UNKNOWN'],
    ['Throttling.User', 'RETRYABLE', 'UNKNOWN'],
    ['isv.SOMETHING_NEW', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
  ];
  it.each(codes)('%s → %s / %s', async (code, errorClass, reason) => {
    fake.faults.inject({ kind: 'code', code });
    const error = await sendError(message());
    expect([error.errorClass, error.reason, error.vendorCode]).toEqual([errorClass, reason, code]);
  });

  it('a timeout is AMBIGUOUS (Aliyun may have taken it), and its text does not carry the number', async () => {
    fake.faults.inject({ kind: 'timeout', ms: 5_000 });
    const error = await sendError(message());
    expect([error.errorClass, error.vendorCode]).toEqual(['AMBIGUOUS', 'TIMEOUT']);
    expect(error.vendorText).not.toContain('13800138000');
  });

  it.each([500, 503])('HTTP %i is RETRYABLE', async (status) => {
    fake.faults.inject({ kind: 'http_status', status });
    expect((await sendError(message())).errorClass).toBe('RETRYABLE');
  });

  it('a refused connection is RETRYABLE and its text does not carry the number', async () => {
    const error = await sendError(message(), { ...account, config: { ...accountConfig, endpoint: 'http://127.0.0.1:1' } });
    expect([error.errorClass, error.vendorCode]).toEqual(['RETRYABLE', 'CONNECTION_ERROR']);
    expect(error.vendorText).not.toContain('13800138000');
  });

  it('a template without an Aliyun TemplateCode is VENDOR_REJECTED before any call', async () => {
    const calls = fake.calls.length;
    expect((await sendError(message({ vendorTemplateId: null }))).vendorCode).toBe('TEMPLATE_NOT_REGISTERED');
    expect(fake.calls.length).toBe(calls);
  });

  it('QuerySendDetails finds the receipt by number, Beijing send date and BizId, with Aliyun\'s code mapped', async () => {
    fake.faults.inject({ kind: 'undelivered', code: 'MOBILE_IN_BLACK' });
    const sentAt = new Date();
    const blocked = await aliyunSmsAdapter.send(account, message({ receiver: '+8613900139000' }));
    const pulled = await eventually(async () => {
      const found = await aliyunSmsAdapter.pullReceipts!(account, [{ vendorMessageId: blocked.vendorMessageId, receiver: '+8613900139000', sentAt }]);
      return found.length > 0 ? found : undefined;
    }, 5_000, 50);
    expect(pulled).toEqual([expect.objectContaining({
      vendorMessageId: blocked.vendorMessageId, receiver: '+8613900139000', status: 'UNDELIVERED', reason: 'BLACKLISTED', vendorCode: 'MOBILE_IN_BLACK',
    })]);
  });

  it('QuerySendDetails of a message still waiting for its receipt gives nothing', async () => {
    fake.faults.inject({ kind: 'no_receipt' });
    const sentAt = new Date();
    const accepted = await aliyunSmsAdapter.send(account, message());
    // A message sent after it has its receipt: the first one's would be there by now.
    const later = await aliyunSmsAdapter.send(account, message());
    await eventually(async () => {
      const found = await aliyunSmsAdapter.pullReceipts!(account, [{ vendorMessageId: later.vendorMessageId, receiver: '+8613800138000', sentAt }]);
      return found.length > 0 ? found : undefined;
    }, 5_000, 50);
    await expect(aliyunSmsAdapter.pullReceipts!(account, [{ vendorMessageId: accepted.vendorMessageId, receiver: '+8613800138000', sentAt }]))
      .resolves.toEqual([]);
    expect(fake.calls.at(-1)).toEqual({ action: 'QuerySendDetails', errorCode: null });
  });
});

describe('Aliyun SMS end to end through Herald', () => {
  let herald: RunningHerald;
  const TEMPLATE = 'aliyun_e2e_sms';

  beforeAll(async () => {
    herald = await startHerald();
    const accountId = await useOnlyAccount(herald, { name: 'aliyun-e2e', provider: 'aliyun', config: accountConfig, secrets: account.secrets });
    fake.setCallbackUrl(receiptPushUrl(herald.baseUrl, herald.deps.config.RECEIPT_TOKEN_KEY, { id: accountId, provider: 'aliyun' }));
    await useTemplate(herald, TEMPLATE, 'Hello {name}, your order {order} has shipped.', { aliyun: 'SMS_154950909' });
  }, 120_000);

  afterAll(async () => {
    fake.setCallbackUrl(null);
    await herald?.stop();
  });

  it('a pushed SmsReport makes the send DELIVERED, and Aliyun gets the answer it expects', async () => {
    const sendId = await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'A-1' });
    const send = await finalSend(herald, sendId);
    expect([send.status, send.vendor]).toEqual(['DELIVERED', 'aliyun']);
    // The push's own answer reaches the fake after Herald recorded the final state it carried.
    const push = await eventually(async () => fake.receipts.pushes.find((p) => JSON.stringify(p.body).includes(String(send.vendorMessageId))));
    expect(push).toMatchObject({ status: 200 });
    expect(JSON.parse(push.answer)).toEqual({ code: 0, msg: '成功' });
    expect((await herald.deps.prisma.receipt.findFirstOrThrow({ where: { sendId } })).source).toBe('PUSH');
  });

  it('a pushed failure makes the send UNDELIVERED with the reason of its code', async () => {
    fake.faults.inject({ kind: 'undelivered', code: 'MOBLLE_TERMINAL_ERROR' });
    const send = await finalSend(herald, await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'A-2' }));
    expect([send.status, send.reason, send.vendorCode]).toEqual(['UNDELIVERED', 'INBOX_FULL', 'MOBLLE_TERMINAL_ERROR']);
  });

  it('a lost push is made up for by QuerySendDetails', async () => {
    fake.faults.inject({ kind: 'lost_receipt' });
    const sendId = await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'A-3' });
    expect((await finalSend(herald, sendId)).status).toBe('DELIVERED');
    expect((await herald.deps.prisma.receipt.findFirstOrThrow({ where: { sendId } })).source).toBe('POLL');
  });

  it('a slow receipt still arrives, and one pushed before the send answer is matched later', async () => {
    fake.faults.inject({ kind: 'slow_receipt', delayMs: 1_500 });
    const slow = await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'A-4' });
    fake.faults.inject({ kind: 'receipt_before_answer' });
    const early = await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'A-5' });
    expect((await finalSend(herald, slow)).status).toBe('DELIVERED');
    expect((await finalSend(herald, early)).status).toBe('DELIVERED');
  });

  it('an illegal number stops with INVALID_RECEIVER after one attempt; throttling is retried on the same account', async () => {
    fake.faults.inject({ kind: 'code', code: 'isv.MOBILE_NUMBER_ILLEGAL' });
    const invalid = await finalSend(herald, await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'A-6' }));
    expect([invalid.status, invalid.reason]).toEqual(['FAILED', 'INVALID_RECEIVER']);

    fake.faults.inject({ kind: 'code', code: 'Throttling.User' });
    const sendId = await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'A-7' });
    expect((await finalSend(herald, sendId)).status).toBe('DELIVERED');
    const attempts = await herald.deps.prisma.sendAttempt.findMany({ where: { sendId }, orderBy: { attemptNo: 'asc' } });
    expect(attempts.map((a) => [a.outcome, a.vendorCode])).toEqual([['FAILED', 'Throttling.User'], ['ACCEPTED', 'OK']]);
  });
});
