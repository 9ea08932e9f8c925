import { deliverableReceiver, expectDeliveredOnce, ledgerOf } from '../support/exactly-once';
import { eventually, startHerald, type RunningHerald } from '../support/herald';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server';

const TEMPLATE = 'fault_redis_notice';

/**
 * Fault: Redis stopped. Herald runs against a private redis-server that the
 * test kills (SIGKILL) and starts again on the same port, empty, as after a
 * crash without persistence. Dedup fails open (recorded on the send), and
 * resumes when Redis is back.
 */
describe('fault: Redis stopped', () => {
  let redis: PrivateRedis;
  let herald: RunningHerald;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    herald = await startHerald({ REDIS_URL: redis.url });
    const team = await herald.deps.prisma.team.findFirstOrThrow();
    const template = {
      name: 'Fault test notice', teamId: team.id, channel: 'SMS', messageType: 'NOTICE', content: 'Parcel {parcel} is on its way.',
      shieldPolicy: 'NONE', dedupContentSeconds: 300, dedupContentMax: 1, status: 'ACTIVE',
    };
    await herald.deps.prisma.template.upsert({ where: { teamId_code: { teamId: team.id, code: TEMPLATE } }, create: { code: TEMPLATE, ...template }, update: template });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
    await redis?.stop();
  });

  /** The same message twice to one new receiver, one after the other; the two send ids. */
  async function sendTwice(): Promise<[string, string]> {
    const body = { templateCode: TEMPLATE, receivers: [deliverableReceiver()], variables: { parcel: 'P-42' } };
    const first = await herald.request('POST', '/v1/messages', body);
    expect(first.status).toBe(202);
    await ledgerOf(herald, [String(first.body.sends[0].sendId)]);
    const second = await herald.request('POST', '/v1/messages', body);
    expect(second.status).toBe(202);
    return [String(first.body.sends[0].sendId), String(second.body.sends[0].sendId)];
  }

  async function readiness(): Promise<{ status: string; redisOk: boolean }> {
    const answer = (await fetch(`${herald.baseUrl}/readyz`).then((r) => r.json())) as { status: string; checks: { redis: { ok: boolean } } };
    return { status: answer.status, redisOk: answer.checks.redis.ok };
  }

  async function expectDeduped(sendId: string): Promise<void> {
    const ledger = await ledgerOf(herald, [sendId]);
    expect(ledger.get(sendId)).toMatchObject({ status: 'DEDUPED', vendorMessages: 0, acceptedAttempts: 0, workflowRuns: 1 });
    const row = await herald.deps.prisma.send.findUniqueOrThrow({ where: { id: sendId } });
    expect(row).toMatchObject({ reason: 'CONTENT_DUPLICATE', dedupSkipped: false });
  }

  it('sends without dedup while Redis is down (recorded as dedup_skipped), and dedups again when it is back', async () => {
    const { prisma } = herald.deps;
    const [before, beforeRepeat] = await sendTwice();
    await expectDeliveredOnce(herald, [before]);
    await expectDeduped(beforeRepeat);

    await redis.stop();
    await eventually(async () => ((await readiness()).redisOk ? undefined : true));
    expect(await readiness()).toEqual({ status: 'degraded', redisOk: false });

    const duringOutage = await sendTwice();
    // Fail open: both are sent (dedup could not be asked), and each send says so.
    await expectDeliveredOnce(herald, duringOutage);
    const skipped = await prisma.send.findMany({ where: { id: { in: duringOutage } }, select: { dedupSkipped: true, reasonDetail: true } });
    expect(skipped).toEqual([
      { dedupSkipped: true, reasonDetail: expect.any(String) },
      { dedupSkipped: true, reasonDetail: expect.any(String) },
    ]);

    await redis.start();
    await eventually(async () => ((await readiness()).status === 'ready' ? true : undefined));
    const [after, afterRepeat] = await sendTwice();
    await expectDeliveredOnce(herald, [after]);
    await expectDeduped(afterRepeat);
    expect(await prisma.send.count({ where: { id: { in: [after, afterRepeat] }, dedupSkipped: true } })).toBe(0);
  }, 150_000);
});
