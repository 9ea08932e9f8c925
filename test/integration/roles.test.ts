import { randomBytes } from 'node:crypto';
import { SEED_SANDBOX_ACCOUNT } from '../../src/db/seed';
import { createCaller, type TestCaller } from '../support/callers';
import { startHerald, type RunningHerald } from '../support/herald';

/**
 * Platform admin apart from team admin (src/api/scopes.ts): a team's admin
 * manages its own templates and keys, never vendor accounts, their receipt
 * URLs, approval, billing or the audit log; every management change is in the
 * audit log, secrets by name only.
 */
describe('roles: platform admin and team admin', () => {
  let herald: RunningHerald;
  let teamBAdmin: TestCaller;
  let accountId: string;
  const suffix = randomBytes(3).toString('hex');

  beforeAll(async () => {
    herald = await startHerald();
    teamBAdmin = await createCaller(herald.deps.prisma, `team-b-${suffix}`, ['send', 'admin']);
    accountId = (await herald.deps.prisma.account.findUniqueOrThrow({ where: { name: SEED_SANDBOX_ACCOUNT } })).id;
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  const asTeamB = (method: string, path: string, body?: unknown) => herald.request(method, path, body, teamBAdmin.auth);
  const asPlatform = (method: string, path: string, body?: unknown) => herald.request(method, path, body);

  it("refuses a team admin every vendor account route: no PATCH of another team's account, no receipt URL token", async () => {
    const before = await herald.deps.prisma.account.findUniqueOrThrow({ where: { id: accountId } });
    const attempts = [
      await asTeamB('GET', '/v1/admin/accounts'),
      await asTeamB('GET', `/v1/admin/accounts/${accountId}`),
      await asTeamB('PATCH', `/v1/admin/accounts/${accountId}`, { config: { endpoint: 'https://collector.example.net' } }),
      await asTeamB('PATCH', `/v1/admin/accounts/${accountId}`, { weight: 5 }),
      await asTeamB('POST', `/v1/admin/accounts/${accountId}/disable`),
      await asTeamB('POST', '/v1/admin/accounts', { name: `b-${suffix}`, provider: 'sandbox', config: { endpoint: 'http://127.0.0.1:9' }, secrets: { appKey: 'a', appSecret: 'b' } }),
    ];
    for (const answer of attempts) {
      expect(answer).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'this API key lacks the platform scope' } } });
      expect(JSON.stringify(answer.body)).not.toContain('/v1/receipts/');
    }
    expect(await herald.deps.prisma.account.findUniqueOrThrow({ where: { id: accountId } })).toEqual(before);
  });

  it('refuses a team admin billing, approval, the global suppression list and the audit log', async () => {
    expect((await asTeamB('GET', '/v1/reports/billing?month=2026-11')).status).toBe(403);
    expect((await asTeamB('GET', '/v1/admin/audit-log')).status).toBe(403);
    expect((await asTeamB('GET', '/v1/admin/suppressions')).status).toBe(403);
    expect((await asTeamB('POST', '/v1/admin/suppressions', { channel: 'SMS', receiver: '+8613800000123', reason: 'BLACKLISTED', global: true })).status).toBe(403);
    expect((await asTeamB('GET', '/v1/admin/templates?allTeams=true')).status).toBe(403);
  });

  it('lets a platform key without admin manage the global list and the approval queue, never a team admin the global list', async () => {
    const issued = await asPlatform('POST', '/v1/admin/api-keys', { name: `platform-only-${suffix}`, scopes: ['platform'] });
    const platformOnly = { authorization: `Bearer ${issued.body.key as string}` };
    expect((await herald.request('GET', '/v1/admin/templates?allTeams=true', undefined, platformOnly)).status).toBe(200);
    expect(await herald.request('GET', '/v1/admin/templates', undefined, platformOnly)).toMatchObject({ status: 403, body: { error: { message: 'this API key lacks the admin scope' } } });

    const entry = { channel: 'SMS', receiver: '+8613800000124', reason: 'BLACKLISTED', global: true };
    const added = await herald.request('POST', '/v1/admin/suppressions', entry, platformOnly);
    expect(added).toMatchObject({ status: 201, body: { scope: 'GLOBAL' } });
    expect(await herald.request('POST', '/v1/admin/suppressions', { ...entry, global: false }, platformOnly)).toMatchObject({ status: 403, body: { error: { message: 'this API key lacks the admin scope' } } });
    expect(await asTeamB('DELETE', `/v1/admin/suppressions/${added.body.id}`)).toMatchObject({ status: 403, body: { error: { message: 'this API key lacks the platform scope' } } });
    expect((await herald.request('DELETE', `/v1/admin/suppressions/${added.body.id}`, undefined, platformOnly)).status).toBe(204);
  });

  it('lets a team admin grant only team scopes; ops and platform keys come from a platform admin', async () => {
    for (const scopes of [['platform'], ['ops'], ['send', 'ops']]) {
      expect(await asTeamB('POST', '/v1/admin/api-keys', { name: 'escalate', scopes })).toMatchObject({
        status: 403, body: { error: { code: 'FORBIDDEN', details: { field: 'scopes' } } },
      });
    }
    expect((await asTeamB('POST', '/v1/admin/api-keys', { name: 'team key', scopes: ['send', 'admin'] })).status).toBe(201);
    expect((await asPlatform('POST', '/v1/admin/api-keys', { name: 'operator', scopes: ['ops'] })).status).toBe(201);
  });

  it('template codes are unique per team: another team may use a code, and its codes cannot be probed through 409', async () => {
    const template = { code: 'welcome_sms', name: 'B welcome', channel: 'SMS', messageType: 'NOTICE', content: 'Hi {name}, from team B.' };
    const created = await asTeamB('POST', '/v1/admin/templates', template);
    expect(created).toMatchObject({ status: 201, body: { code: 'welcome_sms', status: 'PENDING_APPROVAL', teamId: teamBAdmin.teamId } });
    expect(await asTeamB('POST', '/v1/admin/templates', template)).toMatchObject({ status: 409, body: { error: { code: 'TEMPLATE_CODE_TAKEN' } } });

    // Approval is the platform's content review: the team's own admin cannot approve it.
    expect((await asTeamB('POST', `/v1/admin/templates/${created.body.id}/approve`)).status).toBe(403);
    const pending = await asPlatform('GET', '/v1/admin/templates?allTeams=true&status=PENDING_APPROVAL');
    expect(pending.body.templates.map((t: { id: string }) => t.id)).toContain(created.body.id);
    expect(await asPlatform('POST', `/v1/admin/templates/${created.body.id}/approve`)).toMatchObject({ status: 200, body: { status: 'ACTIVE' } });

    // Team B's send by code uses team B's own template, not the demo team's.
    const sent = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: ['+8613700007311'], variables: { name: 'Li' } }, teamBAdmin.auth);
    expect(sent.status).toBe(202);
    const message = await herald.deps.prisma.message.findUniqueOrThrow({ where: { id: sent.body.messageId } });
    expect(message.templateId).toBe(created.body.id);

    const audit = await asPlatform('GET', `/v1/admin/audit-log?targetType=template&targetId=${created.body.id}`);
    expect(audit.body.entries).toEqual([expect.objectContaining({
      action: 'template.approve', apiKeyName: 'demo sender', targetTeamId: teamBAdmin.teamId,
      changes: { code: 'welcome_sms', status: { from: 'PENDING_APPROVAL', to: 'ACTIVE' } },
    })]);
  });

  it('a change of where an account sends needs its secrets again; the audit log records it without secret values', async () => {
    const name = `moved-${suffix}`;
    const created = await asPlatform('POST', '/v1/admin/accounts', {
      name, provider: 'sandbox', enabled: false, config: { endpoint: 'http://127.0.0.1:9', timeoutMs: 1000 }, secrets: { appKey: 'key-one', appSecret: 'secret-value-one' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(await asPlatform('PATCH', `/v1/admin/accounts/${id}`, { config: { endpoint: 'http://127.0.0.1:10', timeoutMs: 1000 } })).toMatchObject({
      status: 400, body: { error: { code: 'INVALID_REQUEST', details: { fields: [{ field: 'secrets', reason: expect.stringContaining('config.endpoint') }] } } },
    });
    expect((await asPlatform('PATCH', `/v1/admin/accounts/${id}`, { config: { endpoint: 'http://127.0.0.1:9', timeoutMs: 3000 } })).status).toBe(200);
    expect((await asPlatform('PATCH', `/v1/admin/accounts/${id}`, {
      config: { endpoint: 'http://127.0.0.1:10', timeoutMs: 3000 }, secrets: { appKey: 'key-two', appSecret: 'secret-value-two' },
    })).status).toBe(200);
    expect((await asPlatform('POST', `/v1/admin/accounts/${id}/enable`)).status).toBe(200);
    await asPlatform('POST', `/v1/admin/accounts/${id}/disable`);

    const audit = await asPlatform('GET', `/v1/admin/audit-log?targetType=account&targetId=${id}`);
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(['account.disable', 'account.enable', 'account.update', 'account.update', 'account.create']);
    expect(audit.body.entries[2].changes).toEqual({
      config: { from: { endpoint: 'http://127.0.0.1:9', timeoutMs: 3000 }, to: { endpoint: 'http://127.0.0.1:10', timeoutMs: 3000 } },
      secrets: { set: ['appKey', 'appSecret'] },
    });
    expect(JSON.stringify(audit.body)).not.toMatch(/secret-value|key-one|key-two/);
  });

  it('records issuing and revoking keys, by whom', async () => {
    const issued = await asTeamB('POST', '/v1/admin/api-keys', { name: `audited-${suffix}`, scopes: ['send'] });
    await asTeamB('POST', `/v1/admin/api-keys/${issued.body.id}/revoke`);
    const audit = await asPlatform('GET', `/v1/admin/audit-log?targetType=api_key&targetId=${issued.body.id}`);
    expect(audit.body.entries).toEqual([
      expect.objectContaining({ action: 'api_key.revoke', apiKeyId: teamBAdmin.apiKeyId, teamId: teamBAdmin.teamId }),
      expect.objectContaining({ action: 'api_key.issue', apiKeyId: teamBAdmin.apiKeyId, changes: expect.objectContaining({ scopes: ['send'] }) }),
    ]);
    expect(JSON.stringify(audit.body)).not.toContain(issued.body.key);
  });
});
