import { deliverableReceiver, expectDeliveredOnce } from '../support/exactly-once';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

const SENDS = 10;

interface ReadyAnswer {
  status: string;
  checks: Record<string, { ok: boolean }>;
}

/**
 * Fault: Temporal unreachable while requests arrive. Herald's API and worker
 * reach the dev server through a TCP proxy; cutting it refuses every
 * connection, as a stopped server does. The API keeps accepting into the
 * outbox; when Temporal is back, the relay starts the waiting workflows.
 */
describe('fault: Temporal unreachable', () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald({}, { proxyTemporal: true });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  it('accepts with 202 while Temporal is down, says degraded, and completes every send once when it is back', async () => {
    const proxy = herald.temporalProxy;
    if (!proxy) throw new Error('started without a Temporal proxy');
    await proxy.cut();

    const degraded = await fetch(`${herald.baseUrl}/readyz`);
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({ status: 'degraded', checks: { postgres: { ok: true }, redis: { ok: true }, temporal: { ok: false } } });

    const sendIds: string[] = [];
    for (let i = 0; i < SENDS; i += 1) {
      const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'verify_code', receivers: [deliverableReceiver()], variables: { code: String(1000 + i) } });
      expect(accepted.status).toBe(202);
      sendIds.push(String(accepted.body.sends[0].sendId));
    }

    const { prisma } = herald.deps;
    // Nothing could start: every send waits in the outbox.
    await eventually(async () => ((await prisma.outbox.count({ where: { sendId: { in: sendIds }, lastError: { not: null } } })) > 0 ? true : undefined), 30_000);
    expect(await prisma.outbox.count({ where: { sendId: { in: sendIds }, startedAt: null } })).toBe(SENDS);
    expect(await prisma.send.count({ where: { id: { in: sendIds }, status: 'ACCEPTED' } })).toBe(SENDS);
    await proxy.restore();
    // The relay's backoff grew while Temporal was down; what this test proves is that the relay starts them, not when.
    await prisma.outbox.updateMany({ where: { sendId: { in: sendIds } }, data: { nextAttemptAt: new Date() } });
    await expectDeliveredOnce(herald, sendIds, 90_000);
    expect(await prisma.outbox.count({ where: { sendId: { in: sendIds }, startedAt: null } })).toBe(0);

    const ready = await eventually(async () => {
      const answer = (await fetch(`${herald.baseUrl}/readyz`).then((r) => r.json())) as ReadyAnswer;
      return answer.status === 'ready' ? answer : undefined;
    });
    expect(ready.checks.temporal).toEqual({ ok: true });
  }, 180_000);
});
