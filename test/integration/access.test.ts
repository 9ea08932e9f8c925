import { randomUUID } from 'node:crypto';
import { createCaller, type TestCaller } from '../support/callers';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

/** Scopes, team isolation and failed-auth answers over real HTTP, Postgres, Redis and Temporal. */
describe('who may do what', () => {
  let herald: RunningHerald;
  let outsider: TestCaller;
  let opsOnly: TestCaller;
  const betaTemplate = `beta_notice_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    herald = await startHerald();
    outsider = await createCaller(herald.deps.prisma, 'beta', ['send']);
    opsOnly = await createCaller(herald.deps.prisma, 'demo', ['ops']);
    await herald.deps.prisma.template.create({
      data: { code: betaTemplate, name: 'Beta notice', teamId: outsider.teamId, channel: 'SMS', messageType: 'NOTICE', content: 'Beta {n}', dedupContentSeconds: 0 },
    });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  const welcome = (receiver: string) => ({ templateCode: 'welcome_sms', receivers: [receiver], variables: { name: 'Li', order: receiver.slice(-4) } });

  it('answers every failed authentication alike (401, no hint why) and records it', async () => {
    const revoked = await createCaller(herald.deps.prisma, 'demo', ['send']);
    await herald.deps.prisma.apiKey.update({ where: { id: revoked.apiKeyId }, data: { revokedAt: new Date() } });
    const attempts: Array<Record<string, string>> = [
      { authorization: '' },
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: `Bearer ${herald.apiKey}x` },
      { authorization: 'Bearer hk_nobody_0000000000000000' },
      revoked.auth,
    ];
    const before = await herald.deps.prisma.apiRequestLog.count({ where: { status: 401 } });
    for (const headers of attempts) {
      const answer = await herald.request('POST', '/v1/messages', welcome('+8613800140001'), headers);
      expect(answer).toEqual({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'missing or invalid API key' } } });
    }
    await eventually(async () => ((await herald.deps.prisma.apiRequestLog.count({ where: { status: 401 } })) - before >= attempts.length ? true : undefined));
    expect(await herald.deps.prisma.send.count({ where: { receiver: '+8613800140001' } })).toBe(0);
  });

  it('refuses the sending routes to a key without the send scope (403 naming the scope only)', async () => {
    const accepted = await herald.request('POST', '/v1/messages', welcome('+8613800140002'));
    expect(accepted.status).toBe(202);
    const sendId: string = accepted.body.sends[0].sendId;
    const forbidden = { error: { code: 'FORBIDDEN', message: 'this API key lacks the send scope' } };
    const routes: Array<[string, string, unknown?]> = [
      ['POST', '/v1/messages', welcome('+8613800140003')],
      ['GET', `/v1/messages/${accepted.body.messageId}`],
      ['POST', `/v1/messages/${accepted.body.messageId}/cancel`],
      ['GET', `/v1/sends/${sendId}`],
      ['POST', `/v1/sends/${sendId}/cancel`],
      ['POST', `/v1/sends/${sendId}/send-now`],
    ];
    for (const [method, path, body] of routes) {
      expect(await herald.request(method, path, body, opsOnly.auth)).toEqual({ status: 403, body: forbidden });
    }
    expect(await herald.deps.prisma.send.count({ where: { receiver: '+8613800140003' } })).toBe(0);
    const logged = await eventually(() => herald.deps.prisma.apiRequestLog.findFirst({ where: { status: 403, apiKeyId: opsOnly.apiKeyId } }).then((r) => r ?? undefined));
    expect(logged.error).toMatchObject({ code: 'FORBIDDEN' });
  });

  it("answers another team's template exactly like an unknown one, by code and by id", async () => {
    const demoTemplate = await herald.deps.prisma.template.findFirstOrThrow({ where: { code: 'welcome_sms' } });
    const foreignByCode = await herald.request('POST', '/v1/messages', welcome('+8613800140004'), outsider.auth);
    const unknownByCode = await herald.request('POST', '/v1/messages', { ...welcome('+8613800140004'), templateCode: 'no_such_template' }, outsider.auth);
    expect(foreignByCode.status).toBe(404);
    expect(foreignByCode.body).toEqual({ error: { code: 'TEMPLATE_NOT_FOUND', message: 'no template welcome_sms', details: { field: 'templateCode' } } });
    expect(unknownByCode.body).toEqual({ error: { code: 'TEMPLATE_NOT_FOUND', message: 'no template no_such_template', details: { field: 'templateCode' } } });

    const byId = (templateId: string) => ({ templateId, receivers: ['+8613800140004'], variables: { name: 'Li', order: '1' } });
    const foreignById = await herald.request('POST', '/v1/messages', byId(demoTemplate.id), outsider.auth);
    const unknownId = randomUUID();
    const unknownById = await herald.request('POST', '/v1/messages', byId(unknownId), outsider.auth);
    expect(foreignById.body).toEqual({ error: { code: 'TEMPLATE_NOT_FOUND', message: `no template ${demoTemplate.id}`, details: { field: 'templateId' } } });
    expect(unknownById.body).toEqual({ error: { code: 'TEMPLATE_NOT_FOUND', message: `no template ${unknownId}`, details: { field: 'templateId' } } });
    expect(await herald.deps.prisma.send.count({ where: { receiver: '+8613800140004' } })).toBe(0);

    // The owner team may still use it, and the other team's own template is not open to the demo team either.
    expect((await herald.request('POST', '/v1/messages', { templateCode: betaTemplate, receivers: ['+8613800140004'], variables: { n: '1' } })).status).toBe(404);
    expect((await herald.request('POST', '/v1/messages', { templateCode: betaTemplate, receivers: ['+8613800140004'], variables: { n: '1' } }, outsider.auth)).status).toBe(202);
  });

  it('lets a team send with a template shared with it', async () => {
    const demoTemplate = await herald.deps.prisma.template.findFirstOrThrow({ where: { code: 'welcome_sms' } });
    await herald.deps.prisma.templateShare.create({ data: { templateId: demoTemplate.id, teamId: outsider.teamId } });
    try {
      const shared = await herald.request('POST', '/v1/messages', welcome('+8613800140005'), outsider.auth);
      expect(shared.status).toBe(202);
      const message = await herald.deps.prisma.message.findUniqueOrThrow({ where: { id: shared.body.messageId } });
      expect(message.teamId).toBe(outsider.teamId);
    } finally {
      await herald.deps.prisma.templateShare.delete({ where: { templateId_teamId: { templateId: demoTemplate.id, teamId: outsider.teamId } } });
    }
    expect((await herald.request('POST', '/v1/messages', welcome('+8613800140006'), outsider.auth)).status).toBe(404);
  });

  it("answers another team's sends and messages with 404 and leaves them alone", async () => {
    const accepted = await herald.request('POST', '/v1/messages', welcome('+8613800140007'));
    const sendId: string = accepted.body.sends[0].sendId;
    const messageId: string = accepted.body.messageId;
    const notFound: Array<[string, string, string]> = [
      ['GET', `/v1/sends/${sendId}`, 'SEND_NOT_FOUND'],
      ['POST', `/v1/sends/${sendId}/cancel`, 'SEND_NOT_FOUND'],
      ['POST', `/v1/sends/${sendId}/send-now`, 'SEND_NOT_FOUND'],
      ['GET', `/v1/messages/${messageId}`, 'MESSAGE_NOT_FOUND'],
      ['POST', `/v1/messages/${messageId}/cancel`, 'MESSAGE_NOT_FOUND'],
    ];
    for (const [method, path, code] of notFound) {
      const answer = await herald.request(method, path, undefined, outsider.auth);
      expect({ path, status: answer.status, code: answer.body.error.code }).toEqual({ path, status: 404, code });
      const unknown = await herald.request(method, path.replace(path.includes('/sends/') ? sendId : messageId, randomUUID()), undefined, outsider.auth);
      expect(unknown.status).toBe(404);
    }
    const delivered = await eventually(async () => {
      const send = await herald.request('GET', `/v1/sends/${sendId}`);
      return send.body.status === 'DELIVERED' ? send.body : undefined;
    });
    expect(delivered.reason).toBeNull();
  });

  it('records when a key was last used, at most once a minute', async () => {
    const caller = await createCaller(herald.deps.prisma, 'demo', ['send']);
    const lastUsed = () => herald.deps.prisma.apiKey.findUniqueOrThrow({ where: { id: caller.apiKeyId } }).then((k) => k.lastUsedAt);
    expect(await lastUsed()).toBeNull();
    await herald.request('GET', `/v1/sends/${randomUUID()}`, undefined, caller.auth);
    const first = await eventually(async () => (await lastUsed()) ?? undefined);
    await herald.request('GET', `/v1/sends/${randomUUID()}`, undefined, caller.auth);
    await herald.request('GET', `/v1/sends/${randomUUID()}`, undefined, caller.auth);
    expect(await lastUsed()).toEqual(first);

    // A stored time older than a minute is refreshed by the next use.
    const longAgo = new Date(Date.now() - 5 * 60_000);
    await herald.deps.prisma.apiKey.update({ where: { id: caller.apiKeyId }, data: { lastUsedAt: longAgo } });
    await herald.request('GET', `/v1/sends/${randomUUID()}`, undefined, caller.auth);
    const refreshed = await eventually(async () => {
      const at = await lastUsed();
      return at && at.getTime() > longAgo.getTime() ? at : undefined;
    });
    expect(refreshed.getTime()).toBeGreaterThanOrEqual(first.getTime());
  });
});
