import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSandboxVendor, type ListeningSandbox, type SandboxVendor } from '../../src/sandbox/sandbox-vendor';
import { createSandboxAdapter } from '../../src/vendors/sandbox';
import type { OutgoingMessage, SentMessage, VendorAccount } from '../../src/vendors/types';
import { VendorError } from '../../src/vendors/vendor-error';
import { testOutbound } from '../support/outbound';

const sandboxAdapter = createSandboxAdapter(testOutbound);

const APP_KEY = 'test-app';
const APP_SECRET = 'test-secret';
const RECEIPT_DELAY_MS = 50;

/** A local receipt callback: records every push body; can fail the next N pushes. */
interface PushReceiver {
  url: string;
  bodies: unknown[];
  failNext: number;
  server: Server;
}

async function startPushReceiver(): Promise<PushReceiver> {
  const receiver = { bodies: [] as unknown[], failNext: 0 } as PushReceiver;
  receiver.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (receiver.failNext > 0) {
        receiver.failNext -= 1;
        res.writeHead(503).end();
        return;
      }
      receiver.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/v1/receipts/sandbox`;
  return receiver;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('waitFor timed out');
    await sleep(20);
  }
}

let receiver: PushReceiver;
let vendor: SandboxVendor;
let server: ListeningSandbox;
let account: VendorAccount;
let sendCounter = 0;

function accountWith(config: Record<string, unknown>, secrets: Record<string, string> = {}): VendorAccount {
  return { ...account, config: { ...account.config, ...config }, secrets: { ...account.secrets, ...secrets } };
}

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  sendCounter += 1;
  return {
    sendId: `send-test-${sendCounter}`,
    reference: `send-test-${sendCounter}`,
    receiver: '+8613800138000',
    content: 'Your code is 1234',
    subject: null,
    vendorTemplateId: null,
    variables: {},
    ...overrides,
  };
}

/** The sandbox pulls by message id alone; receiver and time are what other vendors need. */
function sentMessages(...vendorMessageIds: string[]): SentMessage[] {
  return vendorMessageIds.map((vendorMessageId) => ({ vendorMessageId, receiver: '+8613800138000', sentAt: new Date() }));
}

async function sendError(msg: OutgoingMessage, on: VendorAccount = account): Promise<VendorError> {
  const error = await sandboxAdapter.send(on, msg).then(
    () => new Error('expected the send to fail'),
    (caught: unknown) => caught,
  );
  if (!(error instanceof VendorError)) throw error;
  return error;
}

function pushedReceiptsFor(messageId: string): unknown[] {
  return receiver.bodies.filter((body) => JSON.stringify(body).includes(messageId));
}

/** Sends a plain message and waits for its pushed receipt: any push due for a message sent before it has arrived by then. */
async function awaitLaterPush(): Promise<void> {
  const { vendorMessageId } = await sandboxAdapter.send(account, message());
  await waitFor(() => (pushedReceiptsFor(vendorMessageId).length > 0 ? true : undefined));
}

beforeAll(async () => {
  receiver = await startPushReceiver();
  vendor = createSandboxVendor({
    receiptDelayMs: RECEIPT_DELAY_MS,
    receiptCallbackUrl: receiver.url,
    appKey: APP_KEY,
    appSecret: APP_SECRET,
  });
  server = await vendor.listen(0, '127.0.0.1');
  account = {
    id: 'acc-sandbox',
    name: 'Sandbox',
    provider: 'sandbox',
    channel: 'SMS',
    config: { endpoint: `http://127.0.0.1:${server.port}`, timeoutMs: 2_000 },
    secrets: { appKey: APP_KEY, appSecret: APP_SECRET },
  };
});

afterAll(async () => {
  await server.close();
  await closeServer(receiver.server);
});

beforeEach(() => {
  vendor.faults.clear();
  receiver.failNext = 0;
});

describe('send', () => {
  it('accepts a signed send and treats the same clientRef as the same send', async () => {
    const msg = message({ vendorTemplateId: 'SMS_001' });
    const first = await sandboxAdapter.send(account, msg);
    const again = await sandboxAdapter.send(account, msg);

    expect(first.vendorMessageId).toMatch(/^sbx-[0-9a-f-]{36}$/);
    expect(first.vendorCode).toBe('OK');
    expect(again.vendorMessageId).toBe(first.vendorMessageId);
    const seen = vendor.sent().filter((record) => record.clientRef === msg.sendId);
    expect(seen).toEqual([expect.objectContaining({
      to: msg.receiver, content: msg.content, templateId: 'SMS_001', messageId: first.vendorMessageId,
    })]);
  });

  it('rejects a wrong secret as VENDOR_REJECTED', async () => {
    const error = await sendError(message(), accountWith({}, { appSecret: 'wrong' }));
    expect(error).toMatchObject({ errorClass: 'VENDOR_REJECTED', reason: 'VENDOR_REJECTED', vendorCode: 'AUTH_FAILED' });
  });

  it('rejects an account without a valid endpoint as VENDOR_REJECTED', async () => {
    const error = await sendError(message(), accountWith({ endpoint: 'not a url' }));
    expect(error).toMatchObject({ errorClass: 'VENDOR_REJECTED', vendorCode: 'CONFIG_INVALID' });
  });

  it('refuses a receiver that is not E.164 as RECEIVER_INVALID', async () => {
    const error = await sendError(message({ receiver: '13800138000' }));
    expect(error).toMatchObject({ errorClass: 'RECEIVER_INVALID', reason: 'INVALID_RECEIVER', vendorCode: 'INVALID_NUMBER' });
  });

  it.each([
    ['5xx', 'RETRYABLE', 'UNKNOWN', 'INTERNAL_ERROR'],
    ['429', 'RETRYABLE', 'UNKNOWN', 'RATE_LIMITED'],
    ['auth', 'VENDOR_REJECTED', 'VENDOR_REJECTED', 'AUTH_FAILED'],
    ['balance', 'VENDOR_REJECTED', 'VENDOR_REJECTED', 'INSUFFICIENT_BALANCE'],
    ['template', 'VENDOR_REJECTED', 'VENDOR_REJECTED', 'TEMPLATE_NOT_APPROVED'],
    ['invalid_number', 'RECEIVER_INVALID', 'INVALID_RECEIVER', 'INVALID_NUMBER'],
    ['blacklisted', 'RECEIVER_INVALID', 'BLACKLISTED', 'BLACKLISTED'],
    ['unsubscribed', 'RECEIVER_INVALID', 'UNSUBSCRIBED', 'UNSUBSCRIBED'],
  ] as const)('fault %s → %s / %s (%s), once', async (kind, errorClass, reason, vendorCode) => {
    vendor.faults.inject(kind);
    const msg = message();

    const error = await sendError(msg);
    expect(error).toMatchObject({ errorClass, reason, vendorCode });
    expect(vendor.sent().some((record) => record.clientRef === msg.sendId)).toBe(false);

    await expect(sandboxAdapter.send(account, msg)).resolves.toHaveProperty('vendorMessageId');
  });

  it('applies queued faults to the next N calls in order', async () => {
    vendor.faults.inject('5xx', 2);
    vendor.faults.inject('balance');
    const msg = message();

    expect((await sendError(msg)).vendorCode).toBe('INTERNAL_ERROR');
    expect((await sendError(msg)).vendorCode).toBe('INTERNAL_ERROR');
    expect((await sendError(msg)).vendorCode).toBe('INSUFFICIENT_BALANCE');
    await expect(sandboxAdapter.send(account, msg)).resolves.toHaveProperty('vendorMessageId');
  });

  it('fails every call with always() until cleared', async () => {
    vendor.faults.always('5xx');
    for (let i = 0; i < 3; i += 1) expect((await sendError(message())).errorClass).toBe('RETRYABLE');

    vendor.faults.clear();
    await expect(sandboxAdapter.send(account, message())).resolves.toHaveProperty('vendorMessageId');
  });

  it('turns a request held past the adapter timeout after it was sent into AMBIGUOUS TIMEOUT', async () => {
    vendor.faults.inject('timeout'); // held for the default 30 s, released by server.close()
    const error = await sendError(message(), accountWith({ timeoutMs: 200 }));

    expect(error).toMatchObject({ errorClass: 'AMBIGUOUS', reason: 'UNKNOWN', vendorCode: 'TIMEOUT' });
  });

  it('classifies a refused connection as RETRYABLE', async () => {
    const closed = await createSandboxVendor({ receiptDelayMs: 0, receiptCallbackUrl: null, appKey: 'k', appSecret: 's' })
      .listen(0, '127.0.0.1');
    await closed.close();

    const error = await sendError(message(), accountWith({ endpoint: `http://127.0.0.1:${closed.port}` }));
    expect(error).toMatchObject({ errorClass: 'RETRYABLE', reason: 'UNKNOWN', vendorCode: 'CONNECTION_ERROR' });
  });
});

describe('status query by clientRef (GET /v1/sms/status)', () => {
  it('finds an accepted send by its clientRef, with its messageId; a clientRef never accepted is NONE', async () => {
    const sent = message();
    const { vendorMessageId } = await sandboxAdapter.send(account, sent);
    const lookup = await sandboxAdapter.findByReference!(account, { reference: sent.reference, receiver: sent.receiver, sentAt: new Date() });
    expect(lookup).toMatchObject({ found: 'ACCEPTED', accepted: { vendorMessageId } });
    expect(await sandboxAdapter.findByReference!(account, { reference: 'never-sent', receiver: sent.receiver, sentAt: new Date() })).toEqual({ found: 'NONE' });
  });
});

describe('receipts', () => {
  it('pushes a DELIVRD receipt, carrying the clientRef, to the callback URL', async () => {
    const sent = message();
    const { vendorMessageId } = await sandboxAdapter.send(account, sent);

    const [body] = await waitFor(() => {
      const pushed = pushedReceiptsFor(vendorMessageId);
      return pushed.length > 0 ? pushed : undefined;
    });

    expect(sandboxAdapter.parsePushedReceipts!(body, account)).toEqual([{
      vendorMessageId,
      reference: sent.reference,
      receiver: '+8613800138000',
      status: 'DELIVERED',
      reason: null,
      vendorCode: 'DELIVRD',
      vendorText: 'delivered',
      deliveredAt: expect.any(Date),
    }]);
  });

  it('retries a failed push', async () => {
    receiver.failNext = 2;
    const { vendorMessageId } = await sandboxAdapter.send(account, message());

    await waitFor(() => (pushedReceiptsFor(vendorMessageId).length > 0 ? true : undefined));
    expect(receiver.failNext).toBe(0);
  });

  it.each([
    ['+8613800130000', 'CARRIER_BLOCKED', 'MK:0005'],
    ['+8613800130001', 'POWERED_OFF_OR_NO_SIGNAL', 'MK:0001'],
  ] as const)('gives magic receiver %s an UNDELIVERED receipt (%s)', async (receiver, reason, vendorCode) => {
    const { vendorMessageId } = await sandboxAdapter.send(account, message({ receiver }));

    const [receipt] = await waitFor(async () => {
      const pulled = await sandboxAdapter.pullReceipts!(account, sentMessages(vendorMessageId));
      return pulled.length > 0 ? pulled : undefined;
    });

    expect(receipt).toMatchObject({ status: 'UNDELIVERED', reason, vendorCode, receiver, deliveredAt: null });
  });

  it('pulls only receipts that exist yet (slow_receipt)', async () => {
    vendor.faults.inject('slow_receipt', 1, { factor: 10 });
    const slow = await sandboxAdapter.send(account, message());
    const normal = await sandboxAdapter.send(account, message());

    await waitFor(async () => {
      const pulled = await sandboxAdapter.pullReceipts!(account, sentMessages(slow.vendorMessageId, normal.vendorMessageId));
      return pulled.length === 1 ? pulled : undefined;
    });
    const both = await waitFor(async () => {
      const pulled = await sandboxAdapter.pullReceipts!(account, sentMessages(slow.vendorMessageId, normal.vendorMessageId));
      return pulled.length === 2 ? pulled : undefined;
    });

    expect(both.map((r) => r.vendorMessageId).sort()).toEqual([slow.vendorMessageId, normal.vendorMessageId].sort());
    expect(both.every((r) => r.status === 'DELIVERED')).toBe(true);
  });

  it('does not call the vendor to pull nothing', async () => {
    await expect(sandboxAdapter.pullReceipts!(accountWith({ endpoint: 'http://127.0.0.1:1' }), [])).resolves.toEqual([]);
  });

  it('rejects an unsigned pull as VENDOR_REJECTED', async () => {
    await expect(sandboxAdapter.pullReceipts!(accountWith({}, { appSecret: 'wrong' }), sentMessages('sbx-x')))
      .rejects.toMatchObject({ errorClass: 'VENDOR_REJECTED', vendorCode: 'AUTH_FAILED' });
  });

  it('keeps a lost_receipt pullable but never pushes it', async () => {
    vendor.faults.inject('lost_receipt');
    const { vendorMessageId } = await sandboxAdapter.send(account, message());

    await waitFor(async () => {
      const pulled = await sandboxAdapter.pullReceipts!(account, sentMessages(vendorMessageId));
      return pulled.length > 0 ? pulled : undefined;
    });
    await awaitLaterPush();

    expect(pushedReceiptsFor(vendorMessageId)).toEqual([]);
  });

  it('produces no receipt at all for no_receipt', async () => {
    vendor.faults.inject('no_receipt');
    const { vendorMessageId } = await sandboxAdapter.send(account, message());

    await awaitLaterPush();

    await expect(sandboxAdapter.pullReceipts!(account, sentMessages(vendorMessageId))).resolves.toEqual([]);
    expect(pushedReceiptsFor(vendorMessageId)).toEqual([]);
  });

  it('pushes the receipt before answering the send for receipt_before_answer', async () => {
    vendor.faults.inject('receipt_before_answer');
    const { vendorMessageId } = await sandboxAdapter.send(account, message());

    expect(pushedReceiptsFor(vendorMessageId)).toHaveLength(1);
  });

  it.each([
    ['not an object', 'nope'],
    ['no receipts array', { receipt: [] }],
    ['a receipt without messageId', { receipts: [{ to: '+8613800138000', status: 'DELIVRD', errCode: 'DELIVRD', errMsg: 'ok', doneTime: new Date().toISOString() }] }],
    ['an unknown status', { receipts: [{ messageId: 'sbx-1', to: '+8613800138000', status: 'OK', errCode: '0', errMsg: 'ok', doneTime: new Date().toISOString() }] }],
    ['a bad doneTime', { receipts: [{ messageId: 'sbx-1', to: '+8613800138000', status: 'DELIVRD', errCode: '0', errMsg: 'ok', doneTime: 'yesterday' }] }],
  ])('throws on a malformed push body: %s', (_label, body) => {
    expect(() => sandboxAdapter.parsePushedReceipts!(body, account)).toThrow();
  });
});

describe('fault control over HTTP', () => {
  const controlUrl = (): string => `http://127.0.0.1:${server.port}/_control/faults`;

  it('queues a fault with POST and clears with DELETE', async () => {
    const posted = await fetch(controlUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'balance', count: 2 }),
    });
    expect(posted.status).toBe(200);
    expect(((await posted.json()) as { queued: unknown[] }).queued).toHaveLength(2);
    expect((await sendError(message())).vendorCode).toBe('INSUFFICIENT_BALANCE');

    const deleted = await fetch(controlUrl(), { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ code: 'OK', queued: [], always: null });
    await expect(sandboxAdapter.send(account, message())).resolves.toHaveProperty('vendorMessageId');
  });

  it('refuses an unknown fault kind', async () => {
    const posted = await fetch(controlUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'meteor' }),
    });
    expect(posted.status).toBe(400);
    expect(await posted.json()).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
