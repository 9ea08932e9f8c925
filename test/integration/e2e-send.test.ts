import { FINAL_STATUSES } from '../../src/shared/states';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

/** The counters one delivered SMS through the sandbox adds to, as Prometheus prints them. */
const ONE_SEND_COUNTERS = [
  'herald_sends_accepted_total{channel="SMS"}',
  'herald_sends_final_total{channel="SMS",vendor="sandbox",status="DELIVERED",reason="none"}',
  'herald_vendor_call_duration_seconds_count{provider="sandbox",account="sandbox-primary",outcome="ACCEPTED"}',
  'herald_receipts_total{provider="sandbox",status="DELIVERED",reason="none"}',
  'herald_dedup_outcomes_total{outcome="PASS"}',
  'herald_shield_outcomes_total{action="SEND"}',
  'herald_http_requests_total{route="/v1/messages",method="POST",status="202"}',
];

describe('one SMS, end to end (API → Temporal → sandbox vendor → receipt)', () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald();
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  /** Each counter's value now (0 when not printed yet). */
  async function counters(): Promise<number[]> {
    const lines = (await fetch(`${herald.baseUrl}/metrics`).then((r) => r.text())).split('\n');
    return ONE_SEND_COUNTERS.map((name) => Number(lines.find((line) => line.startsWith(`${name} `))?.slice(name.length + 1) ?? 0));
  }

  it('goes ACCEPTED → SENT → DELIVERED with attempt and receipt rows, findable by receiver', async () => {
    // Sends of the file's earlier tests (in any order) have settled: the counters move for this send alone.
    await eventually(async () => ((await herald.deps.prisma.send.count({ where: { status: { notIn: [...FINAL_STATUSES] } } })) === 0 ? true : undefined));
    const countersBefore = await counters();
    const accepted = await herald.request('POST', '/v1/messages', {
      templateCode: 'welcome_sms',
      receivers: ['+86 138-0013-8000'],
      variables: { name: 'Li', order: 'A-1001' },
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body.sends).toHaveLength(1);
    const { sendId, receiver } = accepted.body.sends[0];
    expect(receiver).toBe('+8613800138000');

    const delivered = await eventually(async () => {
      const send = await herald.request('GET', `/v1/sends/${sendId}`);
      return send.body.status === 'DELIVERED' ? send.body : undefined;
    });
    expect(delivered.vendor).toBe('sandbox');
    expect(delivered.attempts).toEqual([expect.objectContaining({ outcome: 'ACCEPTED', provider: 'sandbox', account: 'sandbox-primary' })]);
    expect(delivered.receipts).toEqual([expect.objectContaining({ status: 'DELIVERED', source: 'PUSH' })]);
    expect(delivered.workflowId).toBe(`send-${sendId}`);

    const { prisma } = herald.deps;
    const row = await prisma.send.findUniqueOrThrow({ where: { id: sendId }, include: { attempts: true, receipts: true } });
    expect(row).toMatchObject({ status: 'DELIVERED', receiverRaw: '+86 138-0013-8000', content: 'Hello Li, your order A-1001 has shipped.', segments: 1 });
    expect(row.attempts).toHaveLength(1);
    expect(row.receipts).toHaveLength(1);
    expect(herald.vendor.sent().map((s) => s.clientRef)).toContain(sendId);

    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of herald.temporal.client.workflow.list({ query: `HeraldReceiver = "+8613800138000"` })) ids.push(wf.workflowId);
      return ids.includes(`send-${sendId}`) ? ids : undefined;
    });
    expect(found).toContain(`send-${sendId}`);

    const message = await herald.request('GET', `/v1/messages/${accepted.body.messageId}`);
    expect(message.body.statusCounts).toEqual({ DELIVERED: 1 });

    expect(await counters()).toEqual(countersBefore.map((value) => value + 1));
    expect(await fetch(`${herald.baseUrl}/metrics`).then((r) => r.text())).toMatch(/^herald_outbox_backlog \d+$/m);
  });

  it('rejects a tab inside a number with a 400 that names it, sends nothing, and logs the raw text', async () => {
    const before = herald.vendor.sent().length;
    const answer = await herald.request('POST', '/v1/messages', {
      templateCode: 'welcome_sms',
      receivers: ['+8613800138001', '+86138\t00138002'],
      variables: { name: 'Li', order: 'A-1002' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('INVALID_RECEIVERS');
    expect(answer.body.error.details.invalid).toEqual([
      { field: 'receivers[1]', index: 1, raw: '+86138\t00138002', reason: 'receiver contains a tab at position 7' },
    ]);
    const logged = await eventually(() =>
      herald.deps.prisma.apiRequestLog.findFirst({ where: { status: 400, receiversRaw: { has: '+86138\t00138002' } } }).then((r) => r ?? undefined),
    );
    expect(logged.path).toBe('/v1/messages');
    expect(herald.vendor.sent()).toHaveLength(before);
    expect(await herald.deps.prisma.send.count({ where: { receiver: '+8613800138001' } })).toBe(0);
  });

  it('answers a bad body with a 400 naming each bad field, an unknown template with a 404', async () => {
    const bad = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: 'x', variables: { name: ['nested'] } });
    expect(bad.status).toBe(400);
    const fields = bad.body.error.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['receivers', 'variables.name']));

    const missing = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: ['+8613800138000'], variables: { name: 'Li' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.missing).toEqual([{ field: 'variables.order', reason: 'template welcome_sms uses {order}' }]);

    const nul = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: ['+86138\u000000138000'], variables: { name: 'a\u0000', order: '1' } });
    expect(nul.status).toBe(400);
    expect(nul.body.error.details.fields).toEqual([
      { field: 'receivers[0]', reason: 'must not contain the NUL character' },
      { field: 'variables.name', reason: 'must not contain the NUL character' },
    ]);
    expect(
      await eventually(() => herald.deps.prisma.apiRequestLog.findFirst({ where: { receiversRaw: { has: '+86138\\u000000138000' } } }).then((r) => r ?? undefined)),
    ).toMatchObject({ status: 400 });

    const unknown = await herald.request('POST', '/v1/messages', { templateCode: 'nope', receivers: ['+8613800138000'] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('TEMPLATE_NOT_FOUND');

    const noKey = await fetch(`${herald.baseUrl}/v1/sends/00000000-0000-0000-0000-000000000000`);
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });

  it('returns the first answer for a repeated Idempotency-Key and a 409 for a different body', async () => {
    const body = { templateCode: 'welcome_sms', receivers: ['+8613800138003'], variables: { name: 'Wu', order: 'B-7' } };
    const first = await herald.request('POST', '/v1/messages', body, { 'idempotency-key': 'order-B-7' });
    const again = await herald.request('POST', '/v1/messages', body, { 'idempotency-key': 'order-B-7' });
    expect(first.status).toBe(202);
    expect(again.body.messageId).toBe(first.body.messageId);
    expect(again.body.replayed).toBe(true);
    expect(await herald.deps.prisma.send.count({ where: { receiver: '+8613800138003' } })).toBe(1);

    const changed = await herald.request('POST', '/v1/messages', { ...body, variables: { name: 'Wu', order: 'B-8' } }, { 'idempotency-key': 'order-B-7' });
    expect(changed.status).toBe(409);
  });

  it('answers concurrent repeats of one Idempotency-Key with one message and one set of sends', async () => {
    const receivers = ['+8613800138004', '+8613800138005'];
    const body = { templateCode: 'welcome_sms', receivers, variables: { name: 'Qi', order: 'C-9' } };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => herald.request('POST', '/v1/messages', body, { 'idempotency-key': 'order-C-9' })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
    expect(new Set(answers.map((a) => a.body.messageId)).size).toBe(1);
    expect(answers.filter((a) => a.body.replayed === false)).toHaveLength(1);
    const sendIds = answers[0].body.sends.map((s: { sendId: string }) => s.sendId);
    for (const answer of answers) expect(answer.body.sends.map((s: { sendId: string }) => s.sendId)).toEqual(sendIds);

    expect(await herald.deps.prisma.send.count({ where: { receiver: { in: receivers } } })).toBe(2);
    await eventually(async () => {
      const done = await herald.deps.prisma.send.count({ where: { id: { in: sendIds }, status: 'DELIVERED' } });
      return done === 2 ? true : undefined;
    });
    const atVendor = herald.vendor.sent().filter((s) => receivers.includes(s.to));
    expect(atVendor).toHaveLength(2);
  });

  it('refuses a template whose stored night-shield settings are unreadable, naming them, and accepts nothing', async () => {
    const team = await herald.deps.prisma.team.findUniqueOrThrow({ where: { name: 'demo' } });
    await herald.deps.prisma.template.create({
      data: { code: 'hand_edited', name: 'Edited in SQL', teamId: team.id, channel: 'SMS', messageType: 'NOTICE', content: 'Hi {name}', shieldPolicy: 'DEFER', quietStart: '24:00', timeZone: 'Asia/Shangai' },
    });
    const before = await herald.deps.prisma.send.count();
    const answer = await herald.request('POST', '/v1/messages', { templateCode: 'hand_edited', receivers: ['+8613800138006'], variables: { name: 'Li' } });
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('TEMPLATE_MISCONFIGURED');
    expect(answer.body.error.details.problems.map((p: { field: string }) => p.field)).toEqual(['template.quietStart', 'template.timeZone']);
    expect(await herald.deps.prisma.send.count()).toBe(before);
  });

  it('reports readiness of Postgres, Redis and Temporal', async () => {
    const ready = await fetch(`${herald.baseUrl}/readyz`).then((r) => r.json());
    expect(ready).toEqual({ status: 'ready', checks: { postgres: { ok: true }, redis: { ok: true }, temporal: { ok: true } } });
  });
});
