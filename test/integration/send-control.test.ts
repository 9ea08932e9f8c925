import { eventually, startHerald, type RunningHerald } from '../support/herald';
import { quietHoursNow } from '../support/quiet-hours';

describe('cancel and send-now over HTTP (real Temporal)', () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald();
    const team = await herald.deps.prisma.team.findUniqueOrThrow({ where: { name: 'demo' } });
    await herald.deps.prisma.template.create({
      data: { code: 'night_notice', name: 'Deferred notice', teamId: team.id, channel: 'SMS', messageType: 'NOTICE', content: 'Notice {n}', shieldPolicy: 'DEFER', dedupContentSeconds: 0, ...quietHoursNow() },
    });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  async function deferredSend(receiver: string, n: string): Promise<string> {
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'night_notice', receivers: [receiver], variables: { n } });
    expect(accepted.status).toBe(202);
    const sendId: string = accepted.body.sends[0].sendId;
    const send = await eventually(async () => {
      const s = await herald.request('GET', `/v1/sends/${sendId}`);
      return s.body.status === 'DEFERRED' ? s.body : undefined;
    });
    expect(new Date(String(send.deferredUntil)).getTime()).toBeGreaterThan(Date.now());
    return sendId;
  }

  it('cancels a deferred send; the vendor never sees it', async () => {
    const sendId = await deferredSend('+8613800139001', '1');
    const canceled = await herald.request('POST', `/v1/sends/${sendId}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ outcome: 'CANCELED', status: 'CANCELED' });
    const row = await eventually(() => herald.deps.prisma.send.findFirst({ where: { id: sendId, status: 'CANCELED' } }).then((r) => r ?? undefined));
    expect(row.reason).toBe('CANCELED');
    // The workflow itself ended (its timer is gone), so nothing can reach the vendor later.
    const handle = herald.temporal.client.workflow.getHandle(`send-${sendId}`);
    expect(await handle.result()).toMatchObject({ status: 'CANCELED', reason: 'CANCELED' });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    const late = await herald.request('POST', `/v1/sends/${sendId}/send-now`);
    expect(late.status).toBe(409);
    expect(herald.vendor.sent().map((s) => s.clientRef)).not.toContain(sendId);
  });

  it('releases a deferred send at once on send-now', async () => {
    const sendId = await deferredSend('+8613800139002', '2');
    const released = await herald.request('POST', `/v1/sends/${sendId}/send-now`);
    expect(released.body).toMatchObject({ outcome: 'RELEASED' });
    await eventually(async () => {
      const s = await herald.request('GET', `/v1/sends/${sendId}`);
      return s.body.status === 'DELIVERED' ? s.body : undefined;
    });
    const again = await herald.request('POST', `/v1/sends/${sendId}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ outcome: 'ALREADY_FINAL', status: 'DELIVERED' });
  });

  it('cancels every waiting send of a message', async () => {
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'night_notice', receivers: ['+8613800139003', '+8613800139004'], variables: { n: '3' } });
    const ids: string[] = accepted.body.sends.map((s: { sendId: string }) => s.sendId);
    await eventually(async () => ((await herald.deps.prisma.send.count({ where: { id: { in: ids }, status: 'DEFERRED' } })) === 2 ? true : undefined));
    const canceled = await herald.request('POST', `/v1/messages/${accepted.body.messageId}/cancel`);
    expect(canceled.body).toMatchObject({ canceled: 2, notCanceled: 0 });
    await eventually(async () => ((await herald.deps.prisma.send.count({ where: { id: { in: ids }, status: 'CANCELED' } })) === 2 ? true : undefined));
    const results = await Promise.all(ids.map((id) => herald.temporal.client.workflow.getHandle(`send-${id}`).result()));
    expect(results).toEqual([expect.objectContaining({ status: 'CANCELED' }), expect.objectContaining({ status: 'CANCELED' })]);
  });
});
