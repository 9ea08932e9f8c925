import { createSmtpAdapter } from '../../src/vendors/smtp';
import type { OutgoingMessage, VendorAccount } from '../../src/vendors/types';
import { VendorError } from '../../src/vendors/vendor-error';
import { startFakeSmtpServer, type FakeSmtpServer } from '../fakes/smtp-server';
import { testOutbound } from '../support/outbound';

const CREDENTIALS = { user: 'herald@example.com', pass: 'smtp-pass-1' };
let smtp: FakeSmtpServer;
const smtpAdapter = createSmtpAdapter(testOutbound);

beforeAll(async () => {
  smtp = await startFakeSmtpServer(CREDENTIALS);
});

afterAll(async () => {
  smtpAdapter.close?.();
  await smtp.close();
});

function account(overrides: Partial<{ pass: string; timeoutMs: number }> = {}): VendorAccount {
  return {
    id: 'acc-smtp', name: 'smtp-test', provider: 'smtp', channel: 'EMAIL',
    config: { host: '127.0.0.1', port: smtp.port, from: '"Herald" <noreply@example.com>', timeoutMs: overrides.timeoutMs ?? 2000 },
    secrets: { user: CREDENTIALS.user, pass: overrides.pass ?? CREDENTIALS.pass },
  };
}

function mail(receiver: string, subject: string | null = 'Your order shipped', sendId = 'send-mail-1'): OutgoingMessage {
  return { sendId, reference: sendId, receiver, subject, content: 'Hello Li, order A-1001 is on its way.', vendorTemplateId: null, variables: {} };
}

async function failure(promise: Promise<unknown>): Promise<VendorError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  if (!(error instanceof VendorError)) throw new Error(`expected a VendorError, got ${String(error)}`);
  return error;
}

/** Waits until the fake sees this many open connections (closing is asynchronous on both ends). */
async function waitForOpen(count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (smtp.connections().open !== count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} open SMTP connections, the fake has ${smtp.connections().open}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('smtp adapter against a real SMTP server (smtp-server)', () => {
  it('authenticates, sends, and records the 250 as the final receipt under a per-send Message-ID', async () => {
    const accepted = await smtpAdapter.send(account(), mail('li@example.com'));
    expect(accepted).toMatchObject({
      vendorMessageId: '<send-mail-1@example.com>',
      vendorCode: '250',
      finalReceipt: { status: 'DELIVERED', reason: null, vendorCode: '250' },
    });
    expect(accepted.vendorText).toContain('queued as FAKE');
    const received = smtp.received.at(-1)!;
    expect(received).toMatchObject({ user: CREDENTIALS.user, from: 'noreply@example.com', to: ['li@example.com'] });
    expect(received.raw).toContain('Subject: Your order shipped');
    expect(received.raw).toContain('Message-ID: <send-mail-1@example.com>');
    expect(received.raw).toContain('Hello Li, order A-1001 is on its way.');
  });

  it('wrong password: 535 → VENDOR_REJECTED', async () => {
    const error = await failure(smtpAdapter.send(account({ pass: 'wrong' }), mail('li@example.com')));
    expect(error).toMatchObject({ errorClass: 'VENDOR_REJECTED', reason: 'VENDOR_REJECTED', vendorCode: '535' });
  });

  it.each([
    [550, 'RECEIVER_INVALID', 'INVALID_RECEIVER'],
    [551, 'RECEIVER_INVALID', 'INVALID_RECEIVER'],
    [553, 'RECEIVER_INVALID', 'INVALID_RECEIVER'],
    [552, 'RECEIVER_INVALID', 'INBOX_FULL'],
    [451, 'RETRYABLE', 'UNKNOWN'],
    [421, 'RETRYABLE', 'UNKNOWN'],
    [554, 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
  ])('RCPT answered %i → %s %s, the address masked in the recorded text', async (code, errorClass, reason) => {
    const address = `rcpt${code}@example.com`;
    smtp.answerRecipient(address, { code, text: `${address} refused (${code})` });
    const error = await failure(smtpAdapter.send(account(), mail(address)));
    expect(error).toMatchObject({ errorClass, reason, vendorCode: String(code) });
    expect(error.vendorText).not.toContain(address);
  });

  it('a server that stops answering, or is not there: RETRYABLE', async () => {
    smtp.answerRecipient('hang@example.com', 'hang');
    const hung = await failure(smtpAdapter.send(account({ timeoutMs: 500 }), mail('hang@example.com')));
    expect(hung).toMatchObject({ errorClass: 'RETRYABLE' });

    const gone = { ...account(), config: { ...account().config, port: 1 } };
    expect(await failure(smtpAdapter.send(gone, mail('li@example.com')))).toMatchObject({ errorClass: 'RETRYABLE', vendorCode: 'ECONNREFUSED' });
  });

  it('refuses CR/LF in the subject or the receiver before connecting (no header injection)', async () => {
    const before = smtp.received.length;
    const subject = await failure(smtpAdapter.send(account(), mail('li@example.com', 'Hi\r\nBcc: victim@example.com')));
    expect(subject).toMatchObject({ errorClass: 'VENDOR_REJECTED', vendorCode: 'HEADER_INJECTION' });
    const receiver = await failure(smtpAdapter.send(account(), mail('li@example.com\r\nBcc: victim@example.com')));
    expect(receiver).toMatchObject({ errorClass: 'RECEIVER_INVALID', reason: 'INVALID_RECEIVER', vendorCode: 'HEADER_INJECTION' });
    expect(smtp.received).toHaveLength(before);
  });

  it('N sends over one account share the pool: at most maxConnections connections, every mail received', async () => {
    const pooledAccount = { ...account(), id: 'acc-smtp-pool', config: { ...account().config, maxConnections: 2, maxMessages: 100 } };
    const before = { opened: smtp.connections().opened, received: smtp.received.length };
    const receivers = Array.from({ length: 10 }, (_, i) => `pool${i}@example.com`);
    await Promise.all(receivers.map((receiver, i) => smtpAdapter.send(pooledAccount, mail(receiver, 'Pooled', `send-pool-${i}`))));
    await smtpAdapter.send(pooledAccount, mail('pool-later@example.com', 'Pooled', 'send-pool-later'));
    const opened = smtp.connections().opened - before.opened;
    expect(opened).toBeGreaterThanOrEqual(1);
    expect(opened).toBeLessThanOrEqual(2);
    expect(smtp.received.slice(before.received).flatMap((m) => m.to).sort()).toEqual([...receivers, 'pool-later@example.com'].sort());
  });

  it('a changed account config gets a new pool; the old one is closed; close() closes the rest', async () => {
    const adapter = createSmtpAdapter(testOutbound);
    const first = { ...account(), id: 'acc-smtp-change' };
    const changed = { ...first, config: { ...first.config, from: '"Herald Ops" <ops@example.com>' } };
    const baseline = smtp.connections().open;
    await adapter.send(first, mail('change1@example.com', 'One', 'send-change-1'));
    await adapter.send(first, mail('change2@example.com', 'Two', 'send-change-2'));
    expect(smtp.connections().open - baseline).toBe(1);
    await adapter.send(changed, mail('change3@example.com', 'Three', 'send-change-3'));
    expect(smtp.received.at(-1)).toMatchObject({ from: 'ops@example.com', to: ['change3@example.com'] });
    await waitForOpen(baseline + 1); // the old pool's connection is gone, the new one stays
    adapter.close?.();
    await waitForOpen(baseline);
  });

  it('the config schema refuses a From with a line break, naming the field', () => {
    const parsed = smtpAdapter.configSchema.safeParse({ host: 'smtp.example.com', port: 465, secure: true, from: 'a@example.com\nBcc: x@y.z' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([expect.objectContaining({ path: ['from'], message: 'must not contain a line break' })]);
  });
});
