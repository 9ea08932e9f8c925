import { randomUUID } from 'node:crypto';
import { recordFinalOnPush } from '../../src/receipts/final-on-push';
import type { ReceiptNotice } from '../../src/shared/contract';
import { startHerald, type RunningHerald } from '../support/herald';
import { useTemplate } from '../support/vendor-accounts';

/**
 * A pushed receipt that decides its send is written as the send's final state where it is stored,
 * only for the run that owns the SENT row with that acceptance of its first leg; every other case is
 * left to the workflow (docs/ops-replay-and-retry.md#how-the-records-follow-the-runs).
 */
describe('a pushed receipt recorded as the final state where it is stored', () => {
  let running: RunningHerald;
  let account: { id: string; provider: string; channel: 'SMS' };
  let message: { id: string; templateId: string };

  beforeAll(async () => {
    running = await startHerald({}, { runWorker: false });
    const { prisma } = running.deps;
    await useTemplate(running, 'final_on_push', 'Notice: {text}', {});
    const row = await prisma.account.upsert({
      where: { name: 'final-on-push' },
      create: { name: 'final-on-push', channel: 'SMS', provider: 'sandbox', enabled: false },
      update: { enabled: false },
    });
    account = { id: row.id, provider: row.provider, channel: 'SMS' };
    const apiKey = await prisma.apiKey.findFirstOrThrow();
    const template = await prisma.template.findFirstOrThrow({ where: { code: 'final_on_push' } });
    const created = await prisma.message.create({ data: { apiKeyId: apiKey.id, teamId: apiKey.teamId, templateId: template.id, requestHash: 'final-on-push', receiverCount: 6 } });
    message = { id: created.id, templateId: template.id };
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
  });

  /** A send a vendor accepted for run `runId`, waiting for its receipt. */
  async function sentSend(runId: string) {
    const vendorMessageId = `vm-${randomUUID()}`;
    const send = await running.deps.prisma.send.create({
      data: {
        messageId: message.id, templateId: message.templateId, channel: 'SMS', receiver: '+8613800000001', receiverRaw: '-', content: '-',
        status: 'SENT', runId, accountId: account.id, provider: account.provider, vendorMessageId, sentAt: new Date(),
      },
    });
    return { sendId: send.id, vendorMessageId };
  }

  function notice(vendorMessageId: string, overrides: Partial<ReceiptNotice> = {}): ReceiptNotice {
    return { vendorMessageId, status: 'DELIVERED', reason: null, vendorCode: 'DELIVRD', vendorText: 'ok', deliveredAt: null, ...overrides };
  }

  const record = (sendId: string, runId: string | null, receipt: ReceiptNotice) =>
    recordFinalOnPush(running.deps.prisma, running.deps.metrics, account, { sendId, runId, notice: receipt });

  const rowOf = (sendId: string) => running.deps.prisma.send.findUniqueOrThrow({ where: { id: sendId }, select: { status: true, reason: true, vendorCode: true, runId: true, finishedAt: true } });

  it('writes the final state for the run that owns the SENT row, once; a push of a state the run has already is not signalled', async () => {
    const { sendId, vendorMessageId } = await sentSend('run-1');
    const undelivered = notice(vendorMessageId, { status: 'UNDELIVERED', reason: 'CARRIER_BLOCKED', vendorCode: 'MK:0001' });
    expect(await record(sendId, 'run-1', undelivered)).toEqual({ recordedBy: 'run-1', signal: true });
    expect(await rowOf(sendId)).toMatchObject({ status: 'UNDELIVERED', reason: 'CARRIER_BLOCKED', vendorCode: 'MK:0001', runId: 'run-1', finishedAt: expect.any(Date) });
    // The same state again (a duplicate push; or the vendor step wrote it, having found the receipt): the run knows it.
    expect(await record(sendId, 'run-1', undelivered)).toEqual({ recordedBy: null, signal: false });
    // A contradiction finds the row final: the first one stands, and the workflow hears of it (it keeps the first).
    expect(await record(sendId, 'run-1', notice(vendorMessageId))).toEqual({ recordedBy: null, signal: true });
    expect((await rowOf(sendId)).status).toBe('UNDELIVERED');
  });

  it('leaves the row to the workflow: a run a reset replaced, another acceptance, a receipt to re-route, a re-route leg, an unmatched run', async () => {
    const replaced = await sentSend('run-2');
    const leftToTheWorkflow = { recordedBy: null, signal: true };
    expect(await record(replaced.sendId, 'run-1', notice(replaced.vendorMessageId))).toEqual(leftToTheWorkflow);

    const other = await sentSend('run-1');
    expect(await record(other.sendId, 'run-1', notice('vm-of-an-earlier-acceptance'))).toEqual(leftToTheWorkflow);

    const reroutable = await sentSend('run-1');
    expect(await record(reroutable.sendId, 'run-1', notice(reroutable.vendorMessageId, { status: 'UNDELIVERED', reason: 'ROUTE_FAILED', vendorCode: 'COMFAIL' }))).toEqual(leftToTheWorkflow);

    const leg2 = await sentSend('run-1');
    await running.deps.prisma.sendAttempt.create({
      data: { sendId: leg2.sendId, accountId: account.id, provider: account.provider, attemptNo: 2, leg: 2, outcome: 'ACCEPTED', vendorMessageId: leg2.vendorMessageId, startedAt: new Date(), durationMs: 5, runId: 'run-1' },
    });
    expect(await record(leg2.sendId, 'run-1', notice(leg2.vendorMessageId))).toEqual(leftToTheWorkflow);

    const untracked = await sentSend('run-1');
    expect(await record(untracked.sendId, null, notice(untracked.vendorMessageId))).toEqual(leftToTheWorkflow);

    for (const { sendId } of [replaced, other, reroutable, leg2, untracked]) expect(await rowOf(sendId)).toMatchObject({ status: 'SENT', finishedAt: null });
  });
});
