import { eventually, startHerald, type RunningHerald } from '../support/herald';

/** Scheduled sends against the real Temporal dev server: a short sendAt, cancel before the time, bad sendAt values. */
describe('scheduled sends (sendAt, real Temporal)', () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald();
    const team = await herald.deps.prisma.team.findUniqueOrThrow({ where: { name: 'demo' } });
    await herald.deps.prisma.template.create({
      data: { code: 'scheduled_notice', name: 'Scheduled notice', teamId: team.id, channel: 'SMS', messageType: 'NOTICE', content: 'Reminder {n}', dedupContentSeconds: 0 },
    });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  function schedule(receiver: string, sendAt: string) {
    return herald.request('POST', '/v1/messages', { templateCode: 'scheduled_notice', receivers: [receiver], variables: { n: receiver.slice(-2) }, sendAt });
  }

  it('accepts at once as SCHEDULED and sends at the scheduled time, not before', async () => {
    // Not ending in 0000, 0001 or 0115: the sandbox delivers it.
    const sendAt = new Date(Date.now() + 4_000);
    const accepted = await schedule('+8613900660011', sendAt.toISOString());
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ sendAt: sendAt.toISOString(), sends: [{ status: 'SCHEDULED' }] });
    const sendId: string = accepted.body.sends[0].sendId;

    const waiting = await eventually(async () => {
      const view = await herald.request('GET', `/v1/sends/${sendId}`);
      return view.body.status === 'SCHEDULED' ? view.body : undefined;
    });
    expect(waiting.sendAt).toBe(sendAt.toISOString());
    const diagnosis = await herald.request('GET', '/v1/diagnose?receiver=%2B8613900660011');
    // The vendor may already have it if this machine is slow; the verdict is only SCHEDULED while nothing was sent.
    if (!herald.vendor.sent().some((s) => s.clientRef === sendId)) expect(diagnosis.body.verdict).toBe('SCHEDULED');

    await eventually(async () => {
      const view = await herald.request('GET', `/v1/sends/${sendId}`);
      return view.body.status === 'DELIVERED' ? true : undefined;
    });
    const atVendor = herald.vendor.sent().find((s) => s.clientRef === sendId);
    expect(atVendor).toBeDefined();
    expect(atVendor?.at.getTime()).toBeGreaterThanOrEqual(sendAt.getTime());

    const trace = await herald.request('GET', `/v1/sends/${sendId}/trace`);
    const lines: string[] = (trace.body.events ?? []).map((e: { step: string; what: string }) => `${e.step}: ${e.what}`);
    expect(lines.some((line) => line.startsWith('schedule: timer'))).toBe(true);
  });

  it('cancels a scheduled send before its time; the vendor never sees it', async () => {
    const accepted = await schedule('+8613900660012', new Date(Date.now() + 3_600_000).toISOString());
    const sendId: string = accepted.body.sends[0].sendId;
    const canceled = await herald.request('POST', `/v1/sends/${sendId}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ outcome: 'CANCELED', status: 'CANCELED' });
    const outcome = await herald.temporal.client.workflow.getHandle(`send-${sendId}`).result();
    expect(outcome).toMatchObject({ status: 'CANCELED', reason: 'CANCELED' });
    expect(herald.vendor.sent().map((s) => s.clientRef)).not.toContain(sendId);
  });

  it('refuses a sendAt in the past, too far ahead or without an offset, naming sendAt', async () => {
    const past = await schedule('+8613900660013', new Date(Date.now() - 60_000).toISOString());
    expect(past.status).toBe(400);
    expect(past.body.error).toMatchObject({ code: 'INVALID_SEND_AT', details: { field: 'sendAt' } });
    expect(past.body.error.message).toContain('must be in the future');

    const tooFar = await schedule('+8613900660013', new Date(Date.now() + 36 * 24 * 3_600_000).toISOString());
    expect(tooFar.status).toBe(400);
    expect(tooFar.body.error.message).toContain('at most 35 days ahead');

    const noOffset = await schedule('+8613900660013', '2030-01-01T10:00:00');
    expect(noOffset.status).toBe(400);
    expect(noOffset.body.error.details.fields).toEqual([expect.objectContaining({ field: 'sendAt' })]);
    expect(await herald.deps.prisma.send.count({ where: { receiver: '+8613900660013' } })).toBe(0);
  });
});
