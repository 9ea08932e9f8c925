import { ACCEPTANCES } from '../../src/billing/acceptances';
import { createSandboxVendor, type ListeningSandbox, type SandboxVendor } from '../../src/sandbox/sandbox-vendor';
import { receiptPushUrl } from '../../src/security/receipt-token';
import { deliverableReceiver } from '../support/exactly-once';
import { eventually, startHerald, type RunningHerald } from '../support/herald';
import { finalSend, seededAccountAsFailover } from '../support/vendor-accounts';

/**
 * A vendor call whose answer does not come back (a timeout or a cut connection after the request
 * left) is AMBIGUOUS: Herald asks the vendor before it moves on, so the receiver gets one message.
 * Account A (a sandbox of its own, first in the route) answers too late; account B (the seeded
 * sandbox) is behind it. Each test counts the messages both vendors accepted for the send.
 */
describe('ambiguous vendor outcomes (sandbox)', () => {
  let herald: RunningHerald;
  let vendorA: SandboxVendor;
  let listeningA: ListeningSandbox;
  let accountA: string;
  let accountB: string;

  beforeAll(async () => {
    herald = await startHerald();
    const { prisma, secrets } = herald.deps;
    const config = herald.settings;
    accountB = await seededAccountAsFailover(herald);
    const created = await prisma.account.create({
      data: {
        name: 'sandbox-a-slow', channel: 'SMS', provider: 'sandbox', weight: 100, priority: 1, config: {},
        secretCiphertext: secrets.seal({ appKey: config.SANDBOX_APP_KEY, appSecret: config.SANDBOX_APP_SECRET }),
      },
    });
    accountA = created.id;
    vendorA = createSandboxVendor({
      receiptDelayMs: 200,
      receiptCallbackUrl: receiptPushUrl(herald.baseUrl, config.RECEIPT_TOKEN_KEY, created),
      appKey: config.SANDBOX_APP_KEY,
      appSecret: config.SANDBOX_APP_SECRET,
    });
    listeningA = await vendorA.listen(0, '127.0.0.1');
    await prisma.account.update({ where: { id: accountA }, data: { config: { endpoint: `http://127.0.0.1:${listeningA.port}`, timeoutMs: 1_000 } } });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
    await listeningA?.close();
  });

  afterEach(async () => {
    vendorA.faults.clear();
    herald.vendor.faults.clear();
    await herald.deps.prisma.account.updateMany({ where: { id: { in: [accountA, accountB] } }, data: { enabled: true } });
    await herald.deps.prisma.template.updateMany({ where: { code: 'verify_code' }, data: { ambiguityPolicy: 'VERIFY', verifySeconds: null } });
    // A's failures so far must not open its circuit for the next test (an open circuit goes last in the route).
    await herald.deps.redis.del(`circuit:{${accountA}}:failures`, `circuit:{${accountA}}:open`);
  });

  async function sendOne(): Promise<string> {
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'verify_code', receivers: [deliverableReceiver()], variables: { code: '5150' } });
    expect(accepted.status).toBe(202);
    return String(accepted.body.sends[0].sendId);
  }

  /** Messages each vendor accepted for the send (its reference is the send id on a first run). */
  function atVendors(sendId: string): { a: number; b: number } {
    return {
      a: vendorA.sent().filter((record) => record.clientRef === sendId).length,
      b: herald.vendor.sent().filter((record) => record.clientRef === sendId).length,
    };
  }

  /** The final state and the account that took the send, from its row. */
  async function outcomeOf(sendId: string): Promise<{ status: string; reason: string | null; account: string | null }> {
    await finalSend(herald, sendId);
    const row = await herald.deps.prisma.send.findUniqueOrThrow({ where: { id: sendId }, select: { status: true, reason: true, accountId: true } });
    return { status: row.status, reason: row.reason, account: row.accountId };
  }

  async function attemptsOf(sendId: string) {
    return herald.deps.prisma.sendAttempt.findMany({
      where: { sendId }, orderBy: { startedAt: 'asc' }, select: { accountId: true, outcome: true, errorClass: true, vendorMessageId: true },
    });
  }

  it('two accounts, timeout then accepted: 5xx, 5xx, then an answer after the timeout on A → DELIVERED through A, nothing at B', async () => {
    vendorA.faults.inject('5xx', 2);
    vendorA.faults.inject('slow_answer', 1, { timeoutMs: 3_000 });
    const sendId = await sendOne();
    expect(await outcomeOf(sendId)).toEqual({ status: 'DELIVERED', reason: null, account: accountA });
    expect(atVendors(sendId)).toEqual({ a: 1, b: 0 });
    const attempts = await attemptsOf(sendId);
    expect(attempts.map((a) => a.outcome)).toEqual(['FAILED', 'FAILED', 'ACCEPTED']);
    expect(attempts[2]).toMatchObject({ accountId: accountA, errorClass: 'AMBIGUOUS', vendorMessageId: vendorA.sent()[vendorA.sent().length - 1]?.messageId });
  }, 90_000);

  it('one account, timeout then accepted: 5xx, 5xx, then an answer after the timeout → DELIVERED, one message (was FAILED / ALL_VENDORS_FAILED)', async () => {
    await herald.deps.prisma.account.update({ where: { id: accountB }, data: { enabled: false } });
    vendorA.faults.inject('5xx', 2);
    vendorA.faults.inject('slow_answer', 1, { timeoutMs: 3_000 });
    const sendId = await sendOne();
    expect(await outcomeOf(sendId)).toEqual({ status: 'DELIVERED', reason: null, account: accountA });
    expect(atVendors(sendId)).toEqual({ a: 1, b: 0 });
  }, 90_000);

  it('two accounts, connection cut after the vendor took it → DELIVERED through A, nothing at B', async () => {
    vendorA.faults.inject('cut_after_accept', 1);
    const sendId = await sendOne();
    expect(await outcomeOf(sendId)).toEqual({ status: 'DELIVERED', reason: null, account: accountA });
    expect(atVendors(sendId)).toEqual({ a: 1, b: 0 });
  }, 90_000);

  it('one account, connection cut after the vendor took it → DELIVERED, one message', async () => {
    await herald.deps.prisma.account.update({ where: { id: accountB }, data: { enabled: false } });
    vendorA.faults.inject('cut_after_accept', 1);
    const sendId = await sendOne();
    expect(await outcomeOf(sendId)).toEqual({ status: 'DELIVERED', reason: null, account: accountA });
    expect(atVendors(sendId)).toEqual({ a: 1, b: 0 });
  }, 90_000);

  it('two accounts, timeout and the vendor has no such message → asked again on A (same reference), DELIVERED once', async () => {
    vendorA.faults.inject('timeout', 1, { timeoutMs: 3_000 });
    const sendId = await sendOne();
    expect((await outcomeOf(sendId)).status).toBe('DELIVERED');
    expect(atVendors(sendId)).toEqual({ a: 1, b: 0 });
    expect((await attemptsOf(sendId)).map((a) => [a.outcome, a.errorClass])).toEqual([['AMBIGUOUS', 'AMBIGUOUS'], ['ACCEPTED', null]]);
  }, 90_000);

  it('two accounts, timeouts until A is used up and A has no such message → failed over to B, one message', async () => {
    vendorA.faults.always('timeout', { timeoutMs: 3_000 });
    const sendId = await sendOne();
    expect(await outcomeOf(sendId)).toEqual({ status: 'DELIVERED', reason: null, account: accountB });
    expect(atVendors(sendId)).toEqual({ a: 0, b: 1 });
  }, 90_000);

  it('one account, timeouts and the vendor has no such message → FAILED / ALL_VENDORS_FAILED, nothing sent', async () => {
    await herald.deps.prisma.account.update({ where: { id: accountB }, data: { enabled: false } });
    vendorA.faults.always('timeout', { timeoutMs: 3_000 });
    const sendId = await sendOne();
    expect(await outcomeOf(sendId)).toEqual({ status: 'FAILED', reason: 'ALL_VENDORS_FAILED', account: null });
    expect(atVendors(sendId)).toEqual({ a: 0, b: 0 });
  }, 90_000);

  it('policy fast: fails over at once (two messages), and A\u2019s late receipt is matched by reference: A\u2019s attempt ACCEPTED, billed', async () => {
    await herald.deps.prisma.template.updateMany({ where: { code: 'verify_code' }, data: { ambiguityPolicy: 'FAST' } });
    vendorA.faults.inject('slow_answer', 1, { timeoutMs: 3_000 });
    const sendId = await sendOne();
    expect(await outcomeOf(sendId)).toEqual({ status: 'DELIVERED', reason: null, account: accountB });
    expect(atVendors(sendId)).toEqual({ a: 1, b: 1 });
    const lateA = await eventually(async () => {
      const attempts = await attemptsOf(sendId);
      return attempts.find((a) => a.accountId === accountA && a.outcome === 'ACCEPTED');
    });
    expect(lateA.vendorMessageId).toBe(vendorA.sent().find((record) => record.clientRef === sendId)?.messageId);
    const receipt = await herald.deps.prisma.receipt.findFirstOrThrow({ where: { accountId: accountA, vendorMessageId: lateA.vendorMessageId ?? '' } });
    expect(receipt.sendId).toBe(sendId);
    // Billing counts both messages: B's acceptance on the send row, A's late one from its attempt.
    const billed = await herald.deps.prisma.$queryRaw<Array<{ account_id: string }>>`SELECT a.account_id FROM ${ACCEPTANCES} a WHERE a.send_id = ${sendId}::uuid`;
    expect(billed.map((row) => row.account_id).sort()).toEqual([accountA, accountB].sort());
  }, 90_000);
});
