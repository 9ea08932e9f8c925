import type { ErrorClass, Reason } from '../../src/shared/states';
import { receiptPushUrl } from '../../src/security/receipt-token';
import { createTwilioAdapter } from '../../src/vendors/twilio/adapter';
import type { OutgoingMessage, VendorAccount } from '../../src/vendors/types';
import { VendorError } from '../../src/vendors/vendor-error';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio-server';
import { freePort } from '../support/child-process';
import { eventually, startHerald, type RunningHerald } from '../support/herald';
import { testOutbound } from '../support/outbound';
import { finalSend, sendOne, useOnlyAccount, useTemplate } from '../support/vendor-accounts';

const ACCOUNT_SID = `AC${'1f'.repeat(16)}`;
const AUTH_TOKEN = 'twilio-test-auth-token';
const FROM = '+14155550100';
const CALLBACK = 'https://herald.example.com/v1/receipts/twilio/token-of-the-account';

const twilioAdapter = createTwilioAdapter(testOutbound, () => CALLBACK);

let fake: TwilioFake;
let config: Record<string, string | number>;
let account: VendorAccount;
let sends = 0;

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  sends += 1;
  return { sendId: `send-twilio-${sends}`, reference: `send-twilio-${sends}`, receiver: '+14155550123', content: 'Hello Li, your order A-1 has shipped.', subject: null, vendorTemplateId: null, variables: {}, ...overrides };
}

async function sendError(msg: OutgoingMessage, on: VendorAccount = account): Promise<VendorError> {
  const error: unknown = await twilioAdapter.send(on, msg).then(() => null, (e: unknown) => e);
  if (!(error instanceof VendorError)) throw new Error(`expected a VendorError, got ${String(error)}`);
  return error;
}

/** A status callback as Twilio posts it, signed for `url` with `token`. */
function push(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return { rawBody: Buffer.from(new URLSearchParams(form).toString()), header: (name: string) => headers[name.toLowerCase()], url };
}

beforeAll(async () => {
  fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callbackDelayMs: 20 });
  config = { from: FROM, baseUrl: fake.endpoint, timeoutMs: 1000 };
  account = { id: 'acct-twilio', name: 'twilio-test', provider: 'twilio', channel: 'SMS', config, secrets: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } };
});

afterAll(async () => {
  await fake?.close();
});

beforeEach(() => fake.faults.clear());

describe('Twilio adapter (the twilio package) against the fake Twilio API', () => {
  it('creates the message form-encoded with basic auth: To, Body, From and the account\u2019s StatusCallback', async () => {
    const accepted = await twilioAdapter.send(account, message());
    expect(accepted.vendorMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(accepted.vendorCode).toBe('queued');
    expect(fake.createRequests.at(-1)).toEqual({ To: '+14155550123', Body: 'Hello Li, your order A-1 has shipped.', From: FROM, StatusCallback: CALLBACK });
    expect(fake.calls.at(-1)).toEqual({ method: 'POST', path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, errorCode: null });
  });

  it('sends through a Messaging Service when the account names one', async () => {
    const service = `MG${'2e'.repeat(16)}`;
    await twilioAdapter.send({ ...account, config: { ...config, from: undefined, messagingServiceSid: service } }, message());
    expect(fake.createRequests.at(-1)).toMatchObject({ MessagingServiceSid: service });
    expect(fake.createRequests.at(-1)).not.toHaveProperty('From');
  });

  it('is VENDOR_REJECTED 20003 with a wrong Auth Token (the fake checks basic auth)', async () => {
    const error = await sendError(message(), { ...account, secrets: { accountSid: ACCOUNT_SID, authToken: 'not-the-token' } });
    expect([error.errorClass, error.vendorCode]).toEqual(['VENDOR_REJECTED', '20003']);
  });

  it.each<[string, ErrorClass, Reason]>([
    ['21211', 'RECEIVER_INVALID', 'INVALID_RECEIVER'],
    ['21614', 'RECEIVER_INVALID', 'INVALID_RECEIVER'],
    ['21610', 'RECEIVER_INVALID', 'UNSUBSCRIBED'],
    ['21612', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['21408', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['20429', 'RETRYABLE', 'UNKNOWN'],
  ])('classifies Twilio error %s as %s %s', async (code, errorClass, reason) => {
    fake.faults.inject({ kind: 'code', code });
    const error = await sendError(message());
    expect([error.errorClass, error.reason, error.vendorCode]).toEqual([errorClass, reason, code]);
  });

  it('retries a 5xx without a known code; a timeout is AMBIGUOUS (retried by the send, Twilio has no query by reference); never shows the receiver in the text', async () => {
    fake.faults.inject({ kind: 'http_status', status: 503 });
    expect((await sendError(message())).errorClass).toBe('RETRYABLE');
    fake.faults.inject({ kind: 'timeout', ms: 3000 });
    const timedOut = await sendError(message());
    expect([timedOut.errorClass, timedOut.vendorCode]).toEqual(['AMBIGUOUS', 'TIMEOUT']);
    fake.faults.inject({ kind: 'code', code: '21211' });
    expect((await sendError(message({ receiver: '+14155550199' }))).vendorText).not.toContain('14155550199');
  });

  it('refuses an account without a sender or with a malformed Account SID as CONFIG_INVALID, naming the field', async () => {
    const noSender = await sendError(message(), { ...account, config: { baseUrl: fake.endpoint } });
    expect([noSender.errorClass, noSender.vendorCode]).toEqual(['VENDOR_REJECTED', 'CONFIG_INVALID']);
    expect(noSender.vendorText).toContain('config.from');
    const badSid = await sendError(message(), { ...account, secrets: { accountSid: 'not-a-sid', authToken: AUTH_TOKEN } });
    expect(badSid.vendorText).toContain('secrets.accountSid');
  });

  it('pulls the message status: nothing while on its way, then the final status with its error code', async () => {
    fake.faults.inject({ kind: 'undelivered', code: '30003' });
    const sent = await twilioAdapter.send(account, message());
    const pull = () => twilioAdapter.pullReceipts?.(account, [{ vendorMessageId: sent.vendorMessageId, receiver: '+14155550123', sentAt: new Date() }]) ?? Promise.resolve([]);
    expect(await pull()).toEqual([]);
    const [receipt] = await eventually(async () => {
      const pulled = await pull();
      return pulled.length > 0 ? pulled : undefined;
    });
    expect(receipt).toMatchObject({ vendorMessageId: sent.vendorMessageId, status: 'UNDELIVERED', reason: 'POWERED_OFF_OR_NO_SIGNAL', vendorCode: '30003', receiver: '+14155550123' });
  });

  it('reads status callbacks: intermediate statuses are no receipt, final ones are, with the reason of their ErrorCode', () => {
    const base = { MessageSid: 'SM0001', To: '+14155550123', AccountSid: ACCOUNT_SID };
    expect(twilioAdapter.parsePushedReceipts?.({ ...base, MessageStatus: 'sent' }, account)).toEqual([]);
    expect(twilioAdapter.parsePushedReceipts?.({ ...base, MessageStatus: 'delivered' }, account)).toEqual([expect.objectContaining({ status: 'DELIVERED', reason: null, vendorCode: 'delivered' })]);
    for (const [code, reason] of [['30003', 'POWERED_OFF_OR_NO_SIGNAL'], ['30005', 'INVALID_RECEIVER'], ['30007', 'SPAM_INTERCEPTED'], ['21610', 'UNSUBSCRIBED'], ['30099', 'UNKNOWN']]) {
      expect(twilioAdapter.parsePushedReceipts?.({ ...base, MessageStatus: 'undelivered', ErrorCode: code }, account)).toEqual([expect.objectContaining({ status: 'UNDELIVERED', reason, vendorCode: code })]);
    }
    expect(() => twilioAdapter.parsePushedReceipts?.({ MessageStatus: 'delivered' }, account)).toThrow();
  });

  it('checks X-Twilio-Signature with the package\u2019s validateRequest over the account\u2019s receipt URL and form', () => {
    const form = { MessageSid: 'SM0002', MessageStatus: 'delivered', To: '+14155550123' };
    const signature = fake.sign(CALLBACK, form);
    expect(twilioAdapter.verifyPush?.(account, push(CALLBACK, form, { 'x-twilio-signature': signature }))).toBeNull();
    expect(twilioAdapter.verifyPush?.(account, push(CALLBACK, { ...form, MessageStatus: 'undelivered' }, { 'x-twilio-signature': signature }))).toBe('X-Twilio-Signature does not verify');
    expect(twilioAdapter.verifyPush?.(account, push(`${CALLBACK}x`, form, { 'x-twilio-signature': signature }))).toBe('X-Twilio-Signature does not verify');
    expect(twilioAdapter.verifyPush?.({ ...account, secrets: { accountSid: ACCOUNT_SID, authToken: 'another-token' } }, push(CALLBACK, form, { 'x-twilio-signature': signature }))).toBe('X-Twilio-Signature does not verify');
    expect(twilioAdapter.verifyPush?.(account, push(CALLBACK, form))).toBe('no X-Twilio-Signature');
  });

  it('reads an inbound STOP (keyword or Advanced Opt-Out) as an opt-out of its sender, anything else as none', () => {
    const inbound = { MessageSid: 'SM0003', SmsStatus: 'received', From: '+14155550124', To: FROM };
    expect(twilioAdapter.parsePushedOptOuts?.({ ...inbound, Body: ' stop ' })).toEqual(['+14155550124']);
    expect(twilioAdapter.parsePushedOptOuts?.({ ...inbound, Body: 'Arrêt', OptOutType: 'STOP' })).toEqual(['+14155550124']);
    expect(twilioAdapter.parsePushedOptOuts?.({ ...inbound, Body: 'thanks!' })).toEqual([]);
    expect(twilioAdapter.parsePushedOptOuts?.({ MessageSid: 'SM0004', MessageStatus: 'delivered', From: FROM })).toEqual([]);
  });
});

describe('Twilio through the whole of Herald', () => {
  const TEMPLATE = 'twilio_e2e';
  let herald: RunningHerald;
  let accountId: string;
  let receiptUrl: string;
  let counter = 0;
  const receiver = () => `+1415555${String(2000 + (counter += 1)).padStart(4, '0')}`;

  beforeAll(async () => {
    // The API on a port of its own: PUBLIC_BASE_URL, the StatusCallback Herald gives Twilio, is then where it listens.
    herald = await startHerald({ API_PORT: String(await freePort()) });
    accountId = await useOnlyAccount(herald, { name: 'twilio-e2e', provider: 'twilio', config, secrets: account.secrets });
    receiptUrl = receiptPushUrl(herald.deps.config.PUBLIC_BASE_URL, herald.deps.config.RECEIPT_TOKEN_KEY, { id: accountId, provider: 'twilio' });
    expect(receiptUrl.startsWith(herald.baseUrl)).toBe(true);
    await useTemplate(herald, TEMPLATE, 'Hello {name}, your order {order} has shipped.', {});
  }, 120_000);

  afterAll(async () => herald?.stop());

  it('a signed status callback to the account\u2019s receipt URL makes the send DELIVERED', async () => {
    const sendId = await sendOne(herald, TEMPLATE, receiver(), { name: 'Li', order: 'TW-1' });
    const send = await finalSend(herald, sendId);
    expect([send.status, send.vendor]).toEqual(['DELIVERED', 'twilio']);
    expect(fake.createRequests.at(-1)).toMatchObject({ StatusCallback: receiptUrl, Body: 'Hello Li, your order TW-1 has shipped.' });
    const answered = () => fake.callbacks.filter((callback) => callback.form.MessageSid === send.vendorMessageId).map((callback) => [callback.form.MessageStatus, callback.status]);
    // The fake notes a callback when Herald's answer to it is back: a moment after Herald recorded the receipt.
    expect(await eventually(async () => (answered().length >= 2 ? answered() : undefined))).toEqual([['sent', 200], ['delivered', 200]]);
    expect(await herald.deps.prisma.receipt.findMany({ where: { sendId }, select: { status: true, source: true } })).toEqual([{ status: 'DELIVERED', source: 'PUSH' }]);
  });

  it('an undelivered callback ends the send UNDELIVERED with the reason of its ErrorCode', async () => {
    fake.faults.inject({ kind: 'undelivered', code: '30006' });
    const send = await finalSend(herald, await sendOne(herald, TEMPLATE, receiver(), { name: 'Li', order: 'TW-2' }));
    expect([send.status, send.reason, send.vendorCode]).toEqual(['UNDELIVERED', 'INVALID_RECEIVER', '30006']);
  });

  it('refuses a callback with a wrong or missing signature with 403 and stores nothing', async () => {
    const sendId = await sendOne(herald, TEMPLATE, receiver(), { name: 'Li', order: 'TW-3' });
    const send = await finalSend(herald, sendId);
    const form = { MessageSid: String(send.vendorMessageId), MessageStatus: 'undelivered', ErrorCode: '30007', To: send.receiver };
    for (const signature of [fake.sign(`${receiptUrl}?forged=1`, form), '']) {
      const answer = await fetch(receiptUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) }, body: new URLSearchParams(form).toString() });
      expect(answer.status).toBe(403);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('INVALID_RECEIPT_SIGNATURE');
    }
    expect(await herald.deps.prisma.receipt.count({ where: { sendId, status: 'UNDELIVERED' } })).toBe(0);
  });

  it('pulls the status when the callback is lost', async () => {
    fake.faults.inject({ kind: 'lost_receipt' });
    const sendId = await sendOne(herald, TEMPLATE, receiver(), { name: 'Li', order: 'TW-4' });
    const send = await finalSend(herald, sendId);
    expect(send.status).toBe('DELIVERED');
    expect((await herald.deps.prisma.receipt.findFirstOrThrow({ where: { sendId } })).source).toBe('POLL');
  });

  it('21610 (the receiver replied STOP) ends the send FAILED UNSUBSCRIBED and puts them on the team\u2019s suppression list', async () => {
    const to = receiver();
    fake.faults.inject({ kind: 'code', code: '21610' });
    const send = await finalSend(herald, await sendOne(herald, TEMPLATE, to, { name: 'Li', order: 'TW-5' }));
    expect([send.status, send.reason]).toEqual(['FAILED', 'UNSUBSCRIBED']);
    const entry = await herald.deps.prisma.suppression.findFirstOrThrow({ where: { receiver: to } });
    expect(entry).toMatchObject({ reason: 'UNSUBSCRIBED', source: 'RECEIPT', channel: 'SMS' });
    expect(entry.detail).toContain('twilio refusal 21610');
    const next = await finalSend(herald, await sendOne(herald, TEMPLATE, to, { name: 'Li', order: 'TW-6' }));
    expect(next.status).toBe('SUPPRESSED');
  });

  it('an inbound STOP to the account\u2019s number suppresses the sender for the teams that sent to them there', async () => {
    const to = receiver();
    expect((await finalSend(herald, await sendOne(herald, TEMPLATE, to, { name: 'Li', order: 'TW-7' }))).status).toBe('DELIVERED');
    expect(await fake.inbound(receiptUrl, { from: to, to: FROM, body: 'STOP' })).toBe(200);
    const entry = await herald.deps.prisma.suppression.findFirstOrThrow({ where: { receiver: to } });
    expect(entry).toMatchObject({ reason: 'UNSUBSCRIBED', source: 'RECEIPT', createdBy: accountId });
    // A receiver Herald never sent to through the account: nobody's list.
    const stranger = receiver();
    expect(await fake.inbound(receiptUrl, { from: stranger, to: FROM, body: 'STOP' })).toBe(200);
    expect(await herald.deps.prisma.suppression.count({ where: { receiver: stranger } })).toBe(0);
  });

  it('checks the account when it is saved: a sender is required, the base URL passes the outbound guard', async () => {
    const body = { name: 'twilio-admin-check', provider: 'twilio', secrets: account.secrets };
    const noSender = await herald.request('POST', '/v1/admin/accounts', { ...body, config: { baseUrl: fake.endpoint } });
    expect(noSender.status).toBe(400);
    expect(noSender.body.error.details.fields).toEqual([{ field: 'config.from', reason: expect.stringContaining('messagingServiceSid') }]);
    const saved = await herald.request('POST', '/v1/admin/accounts', { ...body, config: { from: FROM, baseUrl: fake.endpoint }, enabled: false });
    expect(saved).toMatchObject({ status: 201, body: { channel: 'SMS', provider: 'twilio', secrets: { names: ['accountSid', 'authToken'] } } });
    expect(saved.body.receiptUrl).toContain('/v1/receipts/twilio/');
  });
});
