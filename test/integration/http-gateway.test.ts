import { createHttpGatewayAdapter } from '../../src/vendors/http-gateway/adapter';
import type { OutgoingMessage, SentMessage, VendorAccount } from '../../src/vendors/types';
import { VendorError } from '../../src/vendors/vendor-error';
import { acmeGatewayConfig, startFakeHttpGateway, type FakeHttpGateway } from '../fakes/http-gateway';
import { testOutbound } from '../support/outbound';

const httpGatewayAdapter = createHttpGatewayAdapter(testOutbound);

const SECRETS = { appKey: 'acme-app-1', appSecret: 'acme-secret-1' };
let gateway: FakeHttpGateway;

beforeAll(async () => {
  gateway = await startFakeHttpGateway(SECRETS);
});

afterAll(async () => {
  await gateway.close();
});

function account(config: Record<string, unknown>, secrets: Record<string, string> = SECRETS): VendorAccount {
  return { id: 'acc-acme', name: 'acme-test', provider: 'http-gateway', channel: 'SMS', config, secrets };
}

/** A message the gateway accepted just now (the gateway's report API is asked by id only). */
function sentAs(vendorMessageId: string): SentMessage {
  return { vendorMessageId, receiver: '+8613800138000', sentAt: new Date() };
}

function sms(content: string, variables: Record<string, string> = {}, receiver = '+8613800138000'): OutgoingMessage {
  return { sendId: 'send-gw-1', reference: 'send-gw-1', receiver, content, subject: null, vendorTemplateId: null, variables };
}

async function failure(promise: Promise<unknown>): Promise<VendorError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  if (!(error instanceof VendorError)) throw new Error(`expected a VendorError, got ${String(error)}`);
  return error;
}

describe('http-gateway: a gateway described only by account config', () => {
  it.each(['json', 'form'] as const)('sends a %s body the fake can verify (HMAC) and reads the message id', async (encoding) => {
    const accepted = await httpGatewayAdapter.send(account(acmeGatewayConfig(gateway.url, encoding)), sms('Your code is 123456'));
    const received = gateway.accepted.at(-1)!;
    expect(accepted).toEqual({ vendorMessageId: received.id, vendorCode: '200', vendorText: expect.any(String) });
    expect(received.fields).toMatchObject({ to: '+8613800138000', text: 'Your code is 123456', ref: 'send-gw-1' });
    expect(received.contentType).toContain(encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded');
  });

  it('template values are data: quotes, braces, & and = cannot change the request', async () => {
    const hostile = 'x", "to": "+10000000000", "y": "{receiver}&to=+10000000000';
    for (const encoding of ['json', 'form'] as const) {
      await httpGatewayAdapter.send(account(acmeGatewayConfig(gateway.url, encoding)), sms(hostile, { name: '"}' }));
      const received = gateway.accepted.at(-1)!;
      expect(received.fields.to).toBe('+8613800138000');
      expect(received.fields.text).toBe(hostile);
      if (encoding === 'json') expect(received.fields.vars).toEqual({ name: '"}' });
    }
  });

  it('a wrong signing secret is refused by the gateway: VENDOR_REJECTED by the code table', async () => {
    const before = gateway.badSignatures;
    const error = await failure(httpGatewayAdapter.send(account(acmeGatewayConfig(gateway.url), { ...SECRETS, appSecret: 'wrong' }), sms('hi')));
    expect(error).toMatchObject({ errorClass: 'VENDOR_REJECTED', reason: 'VENDOR_REJECTED', vendorCode: 'E_SIGNATURE', vendorText: 'signature mismatch' });
    expect(gateway.badSignatures).toBe(before + 1);
  });

  it('the gateway\'s own codes land in the class and reason of the config\'s table', async () => {
    expect(await failure(httpGatewayAdapter.send(account(acmeGatewayConfig(gateway.url)), sms('hi', {}, '12345'))))
      .toMatchObject({ errorClass: 'RECEIVER_INVALID', reason: 'INVALID_RECEIVER', vendorCode: 'E_MOBILE', vendorText: 'invalid mobile' });
    gateway.failNext({ status: 200, code: 'E_BLACKLIST', message: 'number in blacklist' });
    expect(await failure(httpGatewayAdapter.send(account(acmeGatewayConfig(gateway.url)), sms('hi'))))
      .toMatchObject({ errorClass: 'RECEIVER_INVALID', reason: 'BLACKLISTED', vendorCode: 'E_BLACKLIST' });
    gateway.failNext({ status: 200, code: 'E_BALANCE', message: 'balance too low' });
    expect(await failure(httpGatewayAdapter.send(account(acmeGatewayConfig(gateway.url)), sms('hi'))))
      .toMatchObject({ errorClass: 'VENDOR_REJECTED', reason: 'VENDOR_REJECTED', vendorCode: 'E_BALANCE' });
    gateway.failNext({ status: 200, code: 'E_BUSY', message: 'try later' });
    expect(await failure(httpGatewayAdapter.send(account(acmeGatewayConfig(gateway.url)), sms('hi'))))
      .toMatchObject({ errorClass: 'RETRYABLE', reason: 'UNKNOWN', vendorCode: 'E_BUSY' });
  });

  it('unlisted codes fall back to the HTTP status: 5xx and 429 RETRYABLE, other refusals VENDOR_REJECTED', async () => {
    gateway.failNext({ status: 503, code: 'E_MAINTENANCE', message: 'maintenance' });
    expect(await failure(httpGatewayAdapter.send(account(acmeGatewayConfig(gateway.url)), sms('hi')))).toMatchObject({ errorClass: 'RETRYABLE', vendorCode: 'E_MAINTENANCE' });
    gateway.failNext({ status: 429, code: 'E_THROTTLED', message: 'slow down' });
    expect(await failure(httpGatewayAdapter.send(account(acmeGatewayConfig(gateway.url)), sms('hi')))).toMatchObject({ errorClass: 'RETRYABLE', vendorCode: 'E_THROTTLED' });
    gateway.failNext({ status: 200, code: 'E_NEW_CODE', message: 'something new' });
    expect(await failure(httpGatewayAdapter.send(account(acmeGatewayConfig(gateway.url)), sms('hi')))).toMatchObject({ errorClass: 'VENDOR_REJECTED', vendorCode: 'E_NEW_CODE' });
  });

  it('a hung gateway is an AMBIGUOUS TIMEOUT (the send retries it: a gateway has no query by reference)', async () => {
    gateway.failNext('hang');
    expect(await failure(httpGatewayAdapter.send(account(acmeGatewayConfig(gateway.url)), sms('hi')))).toMatchObject({ errorClass: 'AMBIGUOUS', vendorCode: 'TIMEOUT' });
  });

  it('acceptanceIsDelivery makes the acceptance the final receipt', async () => {
    const accepted = await httpGatewayAdapter.send(account({ ...acmeGatewayConfig(gateway.url), acceptanceIsDelivery: true }), sms('hi'));
    expect(accepted.finalReceipt).toMatchObject({ status: 'DELIVERED', vendorMessageId: accepted.vendorMessageId });
  });

  it('pulls delivery reports as described: delivered, undelivered with the mapped reason, pending left out', async () => {
    const config = acmeGatewayConfig(gateway.url);
    const delivered = await httpGatewayAdapter.send(account(config), sms('hi', {}, '+8613800138011'));
    gateway.setReport('+8613800138012', { state: 'UNDELIV', err: 'MK:0005', desc: 'blocked by carrier' });
    const blocked = await httpGatewayAdapter.send(account(config), sms('hi', {}, '+8613800138012'));
    gateway.setReport('+8613800138013', { state: 'PENDING', err: '', desc: '' });
    const pending = await httpGatewayAdapter.send(account(config), sms('hi', {}, '+8613800138013'));

    const receipts = await httpGatewayAdapter.pullReceipts!(account(config), [delivered.vendorMessageId, blocked.vendorMessageId, pending.vendorMessageId, 'acme-unknown'].map(sentAs));
    expect(receipts).toEqual([
      expect.objectContaining({ vendorMessageId: delivered.vendorMessageId, status: 'DELIVERED', reason: null, deliveredAt: expect.any(Date) }),
      expect.objectContaining({ vendorMessageId: blocked.vendorMessageId, status: 'UNDELIVERED', reason: 'CARRIER_BLOCKED', vendorCode: 'MK:0005', vendorText: 'blocked by carrier' }),
    ]);
  });

  it('a report call the gateway refuses is a classified error, and an account without receiptPull asks nothing', async () => {
    const config = acmeGatewayConfig(gateway.url);
    await expect(httpGatewayAdapter.pullReceipts!(account(config, { ...SECRETS, appSecret: 'wrong' }), [sentAs('acme-1')])).rejects.toMatchObject({ errorClass: 'VENDOR_REJECTED', vendorCode: 'HTTP_401' });
    const calls = gateway.reportCalls;
    expect(await httpGatewayAdapter.pullReceipts!(account({ ...config, receiptPull: undefined }), [sentAs('acme-1')])).toEqual([]);
    expect(gateway.reportCalls).toBe(calls);
  });
});
