import type { ErrorClass, Reason } from '../../src/shared/states';
import { createTencentSmsAdapter } from '../../src/vendors/tencent-sms';
import type { OutgoingMessage, VendorAccount } from '../../src/vendors/types';
import { VendorError } from '../../src/vendors/vendor-error';
import { startTencentFake, type TencentFake } from '../fakes/tencent-sms-server';
import { createAudience } from '../support/audiences';
import { eventually, startHerald, type RunningHerald } from '../support/herald';
import { finalSend, freshReceiver, sendOne, useOnlyAccount, useTemplate } from '../support/vendor-accounts';
import { receiptPushUrl } from '../../src/security/receipt-token';
import { testOutbound } from '../support/outbound';

const tencentSmsAdapter = createTencentSmsAdapter(testOutbound);

const SECRET_ID = 'AKIDtestHerald0001';
const SECRET_KEY = 'tencent-test-secret-key';
const SDK_APP_ID = '1400006666';

let fake: TencentFake;
/** The account's config JSON, as stored in the account row. */
let accountConfig: Record<string, string | number>;
let account: VendorAccount;
let sendCounter = 0;

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  sendCounter += 1;
  return {
    sendId: `send-tencent-${sendCounter}`,
    reference: `send-tencent-${sendCounter}`,
    receiver: '+8613800138000',
    content: 'Hello Li, your order A-1 has shipped.',
    subject: null,
    vendorTemplateId: '1234567:name,order',
    variables: { name: 'Li', order: 'A-1' },
    ...overrides,
  };
}

async function sendError(msg: OutgoingMessage, on: VendorAccount = account): Promise<VendorError> {
  const error: unknown = await tencentSmsAdapter.send(on, msg).then(() => null, (e: unknown) => e);
  if (!(error instanceof VendorError)) throw new Error(`expected a VendorError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  fake = await startTencentFake({ secretId: SECRET_ID, secretKey: SECRET_KEY, smsSdkAppId: SDK_APP_ID, receiptDelayMs: 50 });
  accountConfig = { smsSdkAppId: SDK_APP_ID, signName: 'Herald', region: 'ap-guangzhou', endpoint: fake.endpoint, timeoutMs: 1000 };
  account = {
    id: 'acct-tencent', name: 'tencent-test', provider: 'tencent', channel: 'SMS',
    config: accountConfig,
    secrets: { secretId: SECRET_ID, secretKey: SECRET_KEY },
  };
});

afterAll(async () => {
  await fake?.close();
});

beforeEach(() => fake.faults.clear());

describe('Tencent SMS adapter against the fake Tencent API', () => {
  it('sends a correctly signed SendSms with positional parameters and the sendId as SessionContext', async () => {
    const msg = message();
    const accepted = await tencentSmsAdapter.send(account, msg);
    expect(accepted.vendorCode).toBe('Ok');
    expect(accepted.vendorMessageId).toMatch(/^2433:/);
    expect(fake.sendRequests.at(-1)).toEqual({
      SmsSdkAppId: SDK_APP_ID, SignName: 'Herald', TemplateId: '1234567', TemplateParamSet: ['Li', 'A-1'],
      PhoneNumberSet: ['+8613800138000'], SessionContext: msg.sendId,
    });
    expect(fake.calls.at(-1)).toEqual({ action: 'SendSms', errorCode: null });
  });

  it('is VENDOR_REJECTED when the secret key is wrong (the fake recomputes TC3-HMAC-SHA256)', async () => {
    const error = await sendError(message(), { ...account, secrets: { secretId: SECRET_ID, secretKey: 'not-the-key' } });
    expect([error.errorClass, error.reason, error.vendorCode]).toEqual(['VENDOR_REJECTED', 'VENDOR_REJECTED', 'AuthFailure.SignatureFailure']);
  });

  it('is VENDOR_REJECTED for an unknown SecretId', async () => {
    const error = await sendError(message(), { ...account, secrets: { secretId: 'AKIDunknown', secretKey: SECRET_KEY } });
    expect([error.errorClass, error.vendorCode]).toEqual(['VENDOR_REJECTED', 'AuthFailure.SecretIdNotFound']);
  });

  // The vendor's documented codes, each answered by the fake the way Tencent answers it (request error or per number).
  const codes: Array<[string, ErrorClass, Reason]> = [
    ['FailedOperation.InsufficientBalanceInSmsPackage', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['FailedOperation.TemplateIncorrectOrUnapproved', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['FailedOperation.SignatureIncorrectOrUnapproved', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['InvalidParameterValue.IncorrectPhoneNumber', 'RECEIVER_INVALID', 'INVALID_RECEIVER'],
    ['FailedOperation.PhoneNumberInBlacklist', 'RECEIVER_INVALID', 'BLACKLISTED'],
    ['FailedOperation.PhoneNumberParseFail', 'RECEIVER_INVALID', 'INVALID_RECEIVER'],
    ['LimitExceeded.PhoneNumberDailyLimit', 'RECEIVER_INVALID', 'FREQUENCY_CAP'],
    ['LimitExceeded.PhoneNumberThirtySecondLimit', 'RECEIVER_INVALID', 'FREQUENCY_CAP'],
    ['LimitExceeded.PhoneNumberOneHourLimit', 'RECEIVER_INVALID', 'FREQUENCY_CAP'],
    ['RequestLimitExceeded', 'RETRYABLE', 'UNKNOWN'],
    ['AuthFailure.SecretIdNotFound', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['AuthFailure.SignatureFailure', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['InternalError.Timeout', 'RETRYABLE', 'UNKNOWN'],
    ['InternalError.OtherError', 'RETRYABLE', 'UNKNOWN'],
    ['FailedOperation.SomethingNew', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
  ];
  it.each(codes)('%s → %s / %s', async (code, errorClass, reason) => {
    fake.faults.inject({ kind: 'code', code });
    const error = await sendError(message());
    expect([error.errorClass, error.reason, error.vendorCode]).toEqual([errorClass, reason, code]);
  });

  it('a rejected number of the fake itself (not E.164) is RECEIVER_INVALID', async () => {
    const error = await sendError(message({ receiver: '13800138000' }));
    expect([error.errorClass, error.reason]).toEqual(['RECEIVER_INVALID', 'INVALID_RECEIVER']);
  });

  it('a timeout is AMBIGUOUS (Tencent may have taken it)', async () => {
    fake.faults.inject({ kind: 'timeout', ms: 5_000 });
    const error = await sendError(message());
    expect([error.errorClass, error.vendorCode]).toEqual(['AMBIGUOUS', 'TIMEOUT']);
  });

  it.each([500, 502, 503, 429])('HTTP %i is RETRYABLE', async (status) => {
    fake.faults.inject({ kind: 'http_status', status });
    const error = await sendError(message());
    expect([error.errorClass, error.vendorCode]).toEqual(['RETRYABLE', `HTTP_${status}`]);
  });

  it('a refused connection is RETRYABLE', async () => {
    const error = await sendError(message(), { ...account, config: { ...accountConfig, endpoint: 'http://127.0.0.1:1' } });
    expect([error.errorClass, error.vendorCode]).toEqual(['RETRYABLE', 'CONNECTION_ERROR']);
  });

  it('a template without a Tencent id or with a missing variable is VENDOR_REJECTED before any call', async () => {
    const calls = fake.calls.length;
    expect((await sendError(message({ vendorTemplateId: null }))).vendorCode).toBe('TEMPLATE_NOT_REGISTERED');
    expect((await sendError(message({ variables: { name: 'Li' } }))).vendorCode).toBe('CONFIG_INVALID');
    expect(fake.calls.length).toBe(calls);
  });

  it('pulls receipts by phone number, only those of the asked sends, with the carrier code mapped', async () => {
    fake.faults.inject({ kind: 'undelivered', code: 'MK:0023' });
    const receiver = '+8613900139000';
    const sentAt = new Date();
    const off = await tencentSmsAdapter.send(account, message({ receiver }));
    const other = await tencentSmsAdapter.send(account, message({ receiver }));
    const pulled = await eventually(async () => {
      const found = await tencentSmsAdapter.pullReceipts!(account, [{ vendorMessageId: off.vendorMessageId, receiver, sentAt }]);
      return found.length > 0 ? found : undefined;
    }, 5_000, 50);
    expect(pulled).toEqual([expect.objectContaining({
      vendorMessageId: off.vendorMessageId, receiver, status: 'UNDELIVERED', reason: 'POWERED_OFF_OR_NO_SIGNAL', vendorCode: 'MK:0023',
    })]);
    // The by-number pull only reads: the other send's receipt is still there for its own poll.
    const again = await tencentSmsAdapter.pullReceipts!(account, [{ vendorMessageId: other.vendorMessageId, receiver, sentAt }]);
    expect(again).toEqual([expect.objectContaining({ vendorMessageId: other.vendorMessageId, status: 'DELIVERED', reason: null })]);
  });

  it('pulls nothing for a message whose receipt never comes', async () => {
    fake.faults.inject({ kind: 'no_receipt' });
    const sentAt = new Date();
    const accepted = await tencentSmsAdapter.send(account, message());
    // A message sent after it has its receipt: the first one's would be there by now.
    const later = await tencentSmsAdapter.send(account, message());
    await eventually(async () => {
      const found = await tencentSmsAdapter.pullReceipts!(account, [{ vendorMessageId: later.vendorMessageId, receiver: '+8613800138000', sentAt }]);
      return found.length > 0 ? found : undefined;
    }, 5_000, 50);
    await expect(tencentSmsAdapter.pullReceipts!(account, [{ vendorMessageId: accepted.vendorMessageId, receiver: '+8613800138000', sentAt }]))
      .resolves.toEqual([]);
  });
});

describe('Tencent SMS end to end through Herald', () => {
  let herald: RunningHerald;
  const TEMPLATE = 'tencent_e2e_sms';

  beforeAll(async () => {
    herald = await startHerald();
    const accountId = await useOnlyAccount(herald, { name: 'tencent-e2e', provider: 'tencent', config: accountConfig, secrets: account.secrets });
    fake.setCallbackUrl(receiptPushUrl(herald.baseUrl, herald.deps.config.RECEIPT_TOKEN_KEY, { id: accountId, provider: 'tencent' }));
    await useTemplate(herald, TEMPLATE, 'Hello {name}, your order {order} has shipped.', { tencent: '1234567:name,order' });
  }, 120_000);

  afterAll(async () => {
    fake.setCallbackUrl(null);
    await herald?.stop();
  });

  // The account with the right secret, whatever an earlier test did to it (the wrong-secret test changes it).
  beforeEach(() => useOnlyAccount(herald, { name: 'tencent-e2e', provider: 'tencent', config: accountConfig, secrets: account.secrets }));

  it('a pushed receipt makes the send DELIVERED, and Tencent gets the answer it expects', async () => {
    const sendId = await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'T-1' });
    const send = await finalSend(herald, sendId);
    expect([send.status, send.vendor]).toEqual(['DELIVERED', 'tencent']);
    // The push's own answer reaches the fake after Herald recorded the final state it carried.
    const push = await eventually(async () => fake.receipts.pushes.find((p) => JSON.stringify(p.body).includes(String(send.vendorMessageId))));
    expect(push).toMatchObject({ status: 200 });
    expect(JSON.parse(push.answer)).toEqual({ result: 0, errmsg: 'OK' });
    const receipt = await herald.deps.prisma.receipt.findFirstOrThrow({ where: { sendId } });
    expect(receipt.source).toBe('PUSH');
  });

  it('a pushed failure makes the send UNDELIVERED with the reason of its code', async () => {
    fake.faults.inject({ kind: 'undelivered', code: 'DB:0144' });
    const sendId = await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'T-2' });
    const send = await finalSend(herald, sendId);
    expect([send.status, send.reason, send.vendorCode]).toEqual(['UNDELIVERED', 'BLACKLISTED', 'DB:0144']);
  });

  it('a lost push is made up for by the pull (PullSmsSendStatusByPhoneNumber)', async () => {
    const deliveredReceipts = async () =>
      (await herald.deps.metrics.receipts.get()).values.find((v) => v.labels.provider === 'tencent' && v.labels.status === 'DELIVERED')?.value ?? 0;
    const countedBefore = await deliveredReceipts();
    fake.faults.inject({ kind: 'lost_receipt' });
    const sendId = await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'T-3' });
    const send = await finalSend(herald, sendId);
    expect(await deliveredReceipts()).toBe(countedBefore + 1); // polled receipts count in herald_receipts_total too
    expect(send.status).toBe('DELIVERED');
    const receipt = await herald.deps.prisma.receipt.findFirstOrThrow({ where: { sendId } });
    expect(receipt.source).toBe('POLL');
    expect(fake.calls.some((c) => c.action === 'PullSmsSendStatusByPhoneNumber' && c.errorCode === null)).toBe(true);
  });

  it('a receipt pushed before the send answer is matched later', async () => {
    fake.faults.inject({ kind: 'receipt_before_answer' });
    const sendId = await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'T-4' });
    expect((await finalSend(herald, sendId)).status).toBe('DELIVERED');
  });

  it('a campaign send fills the Tencent template with its own audience row\'s variables', async () => {
    const team = await herald.deps.prisma.team.findUniqueOrThrow({ where: { name: 'demo' } });
    const rows = [
      { line: 2, receiver: freshReceiver(), variables: { name: 'Wang', order: 'C-2' } },
      { line: 3, receiver: freshReceiver(), variables: { name: 'Zhao', order: 'C-3' } },
    ];
    const audienceId = await createAudience(herald.deps.prisma, { teamId: team.id, variableColumns: ['name', 'order'], rows });
    const at = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
    const created = await herald.request('POST', '/v1/campaigns', { name: 'tencent campaign', templateCode: TEMPLATE, audienceId, schedule: { at } });
    expect(created.status).toBe(201);
    expect((await herald.request('POST', `/v1/campaigns/${String(created.body.id)}/trigger`)).status).toBe(202);
    const sends = await eventually(async () => {
      const found = await herald.deps.prisma.send.findMany({ where: { receiver: { in: rows.map((r) => r.receiver) }, status: 'DELIVERED' } });
      return found.length === rows.length ? found : undefined;
    }, 60_000);
    expect(sends.map((s) => s.provider)).toEqual(['tencent', 'tencent']);
    for (const row of rows) {
      const request = fake.sendRequests.find((r) => Array.isArray(r.PhoneNumberSet) && r.PhoneNumberSet.includes(row.receiver));
      expect(request).toMatchObject({ TemplateId: '1234567', TemplateParamSet: [row.variables.name, row.variables.order] });
    }
  });

  it('a blacklisted number stops with BLACKLISTED; a wrong secret fails the send as VENDOR_REJECTED', async () => {
    fake.faults.inject({ kind: 'code', code: 'FailedOperation.PhoneNumberInBlacklist' });
    const blacklisted = await finalSend(herald, await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'T-5' }));
    expect([blacklisted.status, blacklisted.reason]).toEqual(['FAILED', 'BLACKLISTED']);

    await useOnlyAccount(herald, { name: 'tencent-e2e', provider: 'tencent', config: accountConfig, secrets: { secretId: SECRET_ID, secretKey: 'wrong' } });
    const rejected = await finalSend(herald, await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'T-6' }));
    expect(rejected.status).toBe('FAILED');
    const attempts = await herald.deps.prisma.sendAttempt.findMany({ where: { sendId: rejected.sendId } });
    expect(attempts.map((a) => [a.errorClass, a.vendorCode])).toEqual([['VENDOR_REJECTED', 'AuthFailure.SignatureFailure']]);
  });
});
