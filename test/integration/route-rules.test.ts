import { createAccountDirectory } from '../../src/activities/account-directory';
import { createCircuitBreaker } from '../../src/activities/circuit-breaker';
import { createRoutingActivities } from '../../src/activities/routing';
import { SEED_SANDBOX_ACCOUNT } from '../../src/db/seed';
import { createRouteRuleDirectory } from '../../src/routing/route-rule-directory';
import { activitySettingsFromConfig } from '../../src/worker/create-worker';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

/**
 * Routes by destination through the whole of Herald: rules written through
 * the management API (validated, audit-logged, platform only), read by the
 * workers without a restart, longest prefix first; diagnose and the trace
 * name the rule that chose a send's route.
 */
describe('route rules by destination', () => {
  let herald: RunningHerald;
  let primary: string;
  let backup: string;
  let robot: string;

  beforeAll(async () => {
    herald = await startHerald();
    const { prisma } = herald.deps;
    const seeded = await prisma.account.findUniqueOrThrow({ where: { name: SEED_SANDBOX_ACCOUNT } });
    primary = seeded.id;
    // A second sandbox account that is never chosen first by weight: only a rule sends to it first.
    backup = (await prisma.account.create({
      data: { name: 'sandbox-backup', channel: 'SMS', provider: 'sandbox', weight: 0, priority: 50, config: seeded.config ?? {}, secretCiphertext: seeded.secretCiphertext },
    })).id;
    robot = (await prisma.account.create({ data: { name: 'robot-ops', channel: 'CHAT', provider: 'dingtalk', config: { baseUrl: 'http://127.0.0.1:9' } } })).id;
  }, 120_000);

  afterAll(async () => herald?.stop());

  beforeEach(() => herald.deps.prisma.routeRule.deleteMany());

  async function createRule(body: Record<string, unknown>) {
    return herald.request('POST', '/v1/admin/routes', body);
  }

  /** Sends one welcome SMS to `receiver` and answers the account it went through once the vendor accepted it. */
  async function routedAccount(receiver: string): Promise<{ sendId: string; accountId: string }> {
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: [receiver], variables: { name: 'Li', order: 'RR-1' } });
    expect(accepted.status).toBe(202);
    const sendId: string = accepted.body.sends[0].sendId;
    const accountId = await eventually(async () => (await herald.deps.prisma.send.findUniqueOrThrow({ where: { id: sendId } })).accountId ?? undefined);
    return { sendId, accountId };
  }

  it('routes a send by the longest matching prefix; a send no rule matches takes the channel default route', async () => {
    const china = await createRule({ channel: 'SMS', prefix: '+86', accounts: [primary] });
    expect(china).toMatchObject({ status: 201, body: { prefix: '+86', messageType: null, description: 'SMS to +86, any message type', accounts: [{ id: primary, name: SEED_SANDBOX_ACCOUNT }] } });
    const cmcc = await createRule({ channel: 'SMS', prefix: '+86139', accounts: [backup] });
    expect(cmcc.status).toBe(201);

    expect((await routedAccount('+8613912370001')).accountId).toBe(backup);
    expect((await routedAccount('+8613812370002')).accountId).toBe(primary);
    // +1 matches no rule: every enabled SMS account, and only the primary has a weight.
    const other = await routedAccount('+14155550123');
    expect(other.accountId).toBe(primary);
    expect((await herald.deps.prisma.send.findUniqueOrThrow({ where: { id: other.sendId } })).routePlan).toMatchObject({ rule: null });

    const listed = await herald.request('GET', '/v1/admin/routes');
    expect(listed.body.rules.map((rule: { prefix: string }) => rule.prefix)).toEqual(['+86139', '+86']);
  });

  it("routes by the destination the workflow passes, and a request without one (a workflow started before it was passed) by the send's row", async () => {
    await createRule({ channel: 'SMS', prefix: '+86139', accounts: [backup] });
    const { sendId } = await routedAccount('+8613912370005');
    const { prisma, secrets, logger, redis, routeHealth, config } = herald.deps;
    const routing = createRoutingActivities({
      prisma,
      accounts: createAccountDirectory(prisma, secrets, 0, logger),
      rules: createRouteRuleDirectory(prisma, 0),
      weights: routeHealth.weights,
      circuit: createCircuitBreaker(redis, activitySettingsFromConfig(config).circuit),
      cacheMs: 0,
    });

    const byRow = await routing.planRoute({ sendId, channel: 'SMS' });
    expect(byRow.candidates.map((candidate) => candidate.accountId)).toEqual([backup]);
    const byRequest = await routing.planRoute({ sendId, channel: 'SMS', destination: { receiver: '+8613812370005', messageType: 'NOTICE' } });
    expect(byRequest.plan.rule).toBeNull();
    expect(byRequest.candidates.map((candidate) => candidate.accountId)).toEqual(expect.arrayContaining([primary, backup]));
  });

  it('changes and deletes rules without a restart, each change in the audit log', async () => {
    const rule = (await createRule({ channel: 'SMS', prefix: '+86137', accounts: [primary] })).body;
    expect((await routedAccount('+8613712370011')).accountId).toBe(primary);

    const changed = await herald.request('PATCH', `/v1/admin/routes/${rule.id}`, { accounts: [backup] });
    expect(changed).toMatchObject({ status: 200, body: { accounts: [{ id: backup }] } });
    expect((await routedAccount('+8613712370012')).accountId).toBe(backup);

    expect((await herald.request('DELETE', `/v1/admin/routes/${rule.id}`)).status).toBe(204);
    expect((await herald.request('DELETE', `/v1/admin/routes/${rule.id}`)).body.error.code).toBe('ROUTE_RULE_NOT_FOUND');
    expect((await routedAccount('+8613712370013')).accountId).toBe(primary);

    const audit = await herald.request('GET', `/v1/admin/audit-log?targetType=route_rule&targetId=${rule.id}`);
    expect(audit.body.entries.map((entry: { action: string; changes: unknown }) => [entry.action, entry.changes])).toEqual([
      ['route_rule.delete', { channel: { from: 'SMS', to: null }, prefix: { from: '+86137', to: null }, accounts: { from: [backup], to: null } }],
      ['route_rule.update', { accounts: { from: [primary], to: [backup] } }],
      ['route_rule.create', { channel: { from: null, to: 'SMS' }, prefix: { from: null, to: '+86137' }, accounts: { from: null, to: [primary] } }],
    ]);
  });

  it('says which rule chose the route in diagnose and in the trace', async () => {
    const rule = (await createRule({ channel: 'SMS', prefix: '+86', messageType: 'NOTICE', accounts: [primary, backup] })).body;
    const { sendId } = await routedAccount('+8613712370021');
    await eventually(async () => ((await herald.request('GET', `/v1/sends/${sendId}`)).body.status === 'DELIVERED' ? true : undefined));

    const diagnosis = await herald.request('GET', '/v1/diagnose?receiver=%2B8613712370021');
    const [send] = diagnosis.body.sends;
    expect(send.evidence.route).toMatch(new RegExp(`^route rule ${rule.id} \\(SMS to \\+86, NOTICE\\): sandbox-primary \\(weight 1: .*\\); sandbox-backup \\(weight 0: weight 0: only a failover target`));
    expect(send.steps.find((step: { step: string }) => step.step === 'vendor').detail).toContain(`route: route rule ${rule.id}`);

    const trace = await herald.request('GET', `/v1/sends/${sendId}/trace`);
    const planned = trace.body.events.find((event: { what: string }) => event.what.startsWith('route planned:'));
    expect(planned).toMatchObject({ source: 'records', step: 'vendor', evidence: `send ${sendId} route_plan` });
    expect(planned.what).toContain(`route rule ${rule.id} (SMS to +86, NOTICE)`);
  });

  it('refuses a bad rule with a 400 naming the field: prefix, unknown or other-channel account, ambiguity', async () => {
    const fields = async (body: Record<string, unknown>, method = 'POST', path = '/v1/admin/routes') => {
      const answer = await herald.request(method, path, body);
      expect(answer.status).toBe(400);
      return answer.body.error.details.fields as Array<{ field: string; reason: string }>;
    };
    expect(await fields({ channel: 'SMS', prefix: '86', accounts: [primary] })).toEqual([{ field: 'prefix', reason: expect.stringContaining('must be + and 1 to 15 digits') }]);
    expect(await fields({ channel: 'SMS', prefix: '+999', accounts: [primary] })).toEqual([{ field: 'prefix', reason: '+999 does not start with a country calling code' }]);
    expect(await fields({ channel: 'CHAT', prefix: '+86', accounts: [robot] })).toEqual([{ field: 'prefix', reason: expect.stringContaining('a prefix applies only to SMS') }]);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await fields({ channel: 'SMS', prefix: '+86', accounts: [primary, unknown, robot] })).toEqual([
      { field: 'accounts[1]', reason: `no account ${unknown}` },
      { field: 'accounts[2]', reason: 'account robot-ops sends CHAT, not SMS' },
    ]);
    expect(await fields({ channel: 'SMS', prefix: '+86', accounts: [primary, primary] })).toEqual([{ field: 'accounts', reason: 'lists an account twice' }]);
    expect(await fields({ channel: 'SMS', accounts: [] })).toEqual([{ field: 'accounts', reason: expect.any(String) }]);

    const first = (await createRule({ channel: 'SMS', prefix: '+86', accounts: [primary] })).body;
    expect(await fields({ channel: 'SMS', prefix: '+86', accounts: [backup] })).toEqual([{ field: 'prefix', reason: `route rule ${first.id} already routes SMS to +86, any message type: change that rule instead` }]);
    const second = (await createRule({ channel: 'SMS', prefix: '+86', messageType: 'MARKETING', accounts: [backup] })).body;
    expect(await fields({ messageType: null }, 'PATCH', `/v1/admin/routes/${second.id}`)).toEqual([{ field: 'prefix', reason: expect.stringContaining(`route rule ${first.id} already routes`) }]);
    expect((await herald.request('GET', '/v1/admin/routes')).body.rules).toHaveLength(2);
  });

  it('is a platform admin\u2019s: an ops key may not read or change rules', async () => {
    const issued = await herald.request('POST', '/v1/admin/api-keys', { name: 'operator', scopes: ['ops'] });
    const asOps = { authorization: `Bearer ${issued.body.key}` };
    expect((await herald.request('GET', '/v1/admin/routes', undefined, asOps)).status).toBe(403);
    expect((await herald.request('POST', '/v1/admin/routes', { channel: 'SMS', accounts: [primary] }, asOps)).status).toBe(403);
  });
});
