import { deliverableReceiver, ledgerOf } from '../support/exactly-once';
import { startHerald, type RunningHerald } from '../support/herald';

/**
 * Vendor faults through the whole stack (API → workflow → sandbox vendor):
 * each ends in the right state, with one vendor message at most. The same
 * faults against each real vendor's wire format are in tencent-sms.test.ts and
 * aliyun-sms.test.ts; failover between two vendors in failover.test.ts.
 */
describe('fault: vendor misbehaves', () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    // A short receipt window so a send without any receipt expires within the test.
    herald = await startHerald({ RECEIPT_WINDOW_SECONDS: '8' });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  afterEach(() => herald.vendor.faults.clear());

  async function sendOne(): Promise<string> {
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'verify_code', receivers: [deliverableReceiver()], variables: { code: '5150' } });
    expect(accepted.status).toBe(202);
    return String(accepted.body.sends[0].sendId);
  }

  async function attemptsOf(sendId: string): Promise<Array<{ outcome: string; vendorCode: string | null }>> {
    return herald.deps.prisma.sendAttempt.findMany({ where: { sendId }, orderBy: { startedAt: 'asc' }, select: { outcome: true, vendorCode: true } });
  }

  it('a 429 burst: retried on the same account, then DELIVERED once', async () => {
    herald.vendor.faults.inject('429', 2);
    const sendId = await sendOne();
    expect((await ledgerOf(herald, [sendId])).get(sendId)).toMatchObject({ status: 'DELIVERED', vendorMessages: 1, acceptedAttempts: 1 });
    expect((await attemptsOf(sendId)).map((a) => a.outcome)).toEqual(['FAILED', 'FAILED', 'ACCEPTED']);
  });

  it('a vendor timeout: the held call is AMBIGUOUS, the vendor says it has no such message, the same account is asked again and DELIVERS once', async () => {
    herald.vendor.faults.inject('timeout', 1, { timeoutMs: 10_000 });
    const sendId = await sendOne();
    expect((await ledgerOf(herald, [sendId])).get(sendId)).toMatchObject({ status: 'DELIVERED', vendorMessages: 1, acceptedAttempts: 1 });
    expect(await attemptsOf(sendId)).toEqual([{ outcome: 'AMBIGUOUS', vendorCode: 'TIMEOUT' }, { outcome: 'ACCEPTED', vendorCode: 'OK' }]);
  });

  it('a 5xx storm: the retry budget is used, then FAILED / ALL_VENDORS_FAILED with nothing sent', async () => {
    herald.vendor.faults.always('5xx');
    const sendId = await sendOne();
    expect((await ledgerOf(herald, [sendId])).get(sendId)).toMatchObject({ status: 'FAILED', vendorMessages: 0, acceptedAttempts: 0 });
    const row = await herald.deps.prisma.send.findUniqueOrThrow({ where: { id: sendId } });
    expect(row.reason).toBe('ALL_VENDORS_FAILED');
    // The vendor-call preset's maximumAttempts (src/workflows/activity-options.ts).
    expect(await attemptsOf(sendId)).toHaveLength(3);
  });

  it('a lost receipt push: the receipt is pulled, DELIVERED once', async () => {
    herald.vendor.faults.inject('lost_receipt', 1);
    const sendId = await sendOne();
    expect((await ledgerOf(herald, [sendId])).get(sendId)).toMatchObject({ status: 'DELIVERED', vendorMessages: 1 });
    const receipts = await herald.deps.prisma.receipt.findMany({ where: { sendId }, select: { source: true } });
    expect(receipts).toEqual([{ source: 'POLL' }]);
  });

  it('no receipt at all: EXPIRED / NO_RECEIPT when the window ends, sent once', async () => {
    herald.vendor.faults.inject('no_receipt', 1);
    const sendId = await sendOne();
    expect((await ledgerOf(herald, [sendId])).get(sendId)).toMatchObject({ status: 'EXPIRED', vendorMessages: 1, acceptedAttempts: 1 });
    const row = await herald.deps.prisma.send.findUniqueOrThrow({ where: { id: sendId } });
    expect(row.reason).toBe('NO_RECEIPT');
  });
});
