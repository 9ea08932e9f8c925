import { createSandboxVendor, type ListeningSandbox, type SandboxVendor } from '../../src/sandbox/sandbox-vendor';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

/** Distinctive credentials of a second sandbox vendor: searched for in every answer and in api_request_log. */
const SECRET_APP_KEY = 'admin-test-appkey-7f3kQ9';
const SECRET_APP_SECRET = 'admin-test-secret-Zq81xWv4Lm';

describe('management API (/v1/admin): templates, accounts, API keys', () => {
  let herald: RunningHerald;
  let vendorB: SandboxVendor;
  let listeningB: ListeningSandbox;
  const answers: unknown[] = [];
  let receiverCounter = 0;

  /** A distinct number per send (dedup and the daily cap count per receiver); never ending in 0000/0001. */
  const nextReceiver = () => `+86137${String(20_000_000 + ++receiverCounter * 3 + 2)}`;

  async function admin(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
    const answer = await herald.request(method, `/v1/admin${path}`, body, headers);
    answers.push(answer.body);
    return answer;
  }

  async function sendWith(templateCode: string, receiver = nextReceiver(), headers?: Record<string, string>) {
    return herald.request('POST', '/v1/messages', { templateCode, receivers: [receiver], variables: { name: 'Li', code: '4711', order: 'A-1' } }, headers);
  }

  /** Sends one accepted message; its send id. */
  async function acceptedSendId(templateCode: string): Promise<string> {
    const accepted = await sendWith(templateCode);
    expect(accepted.status).toBe(202);
    return accepted.body.sends[0].sendId as string;
  }

  /** The account a send went out through, once a vendor accepted it. */
  async function accountOf(sendId: string): Promise<string> {
    return eventually(async () => {
      const send = await herald.deps.prisma.send.findUniqueOrThrow({ where: { id: sendId } });
      return send.accountId !== null && ['SENT', 'DELIVERED'].includes(send.status) ? send.accountId : undefined;
    });
  }

  beforeAll(async () => {
    herald = await startHerald();
    vendorB = createSandboxVendor({
      receiptDelayMs: 100,
      // Vendor B does not push: its account exists only later, so its receipts are pulled.
      receiptCallbackUrl: null,
      appKey: SECRET_APP_KEY,
      appSecret: SECRET_APP_SECRET,
    });
    listeningB = await vendorB.listen(0, '127.0.0.1');
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
    await listeningB?.close();
  });

  describe('templates', () => {
    const template = {
      code: 'admin_login_code',
      name: 'Login code',
      channel: 'SMS',
      messageType: 'NOTICE',
      content: 'Hi {name}, your login code is {code}.',
      vendorTemplateIds: { sandbox: 'SBX-T-100' },
      shieldPolicy: 'DEFER',
      quietStart: '23:00',
      quietEnd: '23:00',
      timeZone: 'Europe/Berlin',
    };

    /** A template like the one above under its own code, created through the API: its id. */
    async function createTemplate(code: string): Promise<string> {
      const created = await admin('POST', '/templates', { ...template, code });
      expect(created.status).toBe(201);
      return created.body.id;
    }

    it('creates a template waiting for approval, refuses to send with it, sends once approved', async () => {
      const created = await admin('POST', '/templates', template);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ code: 'admin_login_code', status: 'PENDING_APPROVAL', placeholders: ['name', 'code'], vendorTemplateIds: { sandbox: 'SBX-T-100' } });
      const templateId: string = created.body.id;

      const refused = await sendWith('admin_login_code');
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('TEMPLATE_NOT_APPROVED');

      const approved = await admin('POST', `/templates/${templateId}/approve`);
      expect(approved.status).toBe(200);
      expect(approved.body.status).toBe('ACTIVE');

      const receiver = nextReceiver();
      const accepted = await sendWith('admin_login_code', receiver);
      expect(accepted.status).toBe(202);
      const sendId: string = accepted.body.sends[0].sendId;
      await eventually(async () => ((await herald.deps.prisma.send.findUniqueOrThrow({ where: { id: sendId } })).status === 'DELIVERED' ? true : undefined));
      // The seeded sandbox or vendor B (its accounts made by the accounts tests, in whatever order they ran).
      expect([...herald.vendor.sent(), ...vendorB.sent()].find((s) => s.clientRef === sendId)).toMatchObject({
        to: receiver,
        content: 'Hi Li, your login code is 4711.',
        templateId: 'SBX-T-100',
      });

      const listed = await admin('GET', '/templates?status=ACTIVE');
      expect(listed.body.templates.map((t: { code: string }) => t.code)).toEqual(expect.arrayContaining(['admin_login_code', 'welcome_sms']));
    });

    it('puts a changed template back to approval, and refuses a disabled one', async () => {
      const templateId = await createTemplate('admin_changed_code');
      expect((await admin('POST', `/templates/${templateId}/approve`)).body.status).toBe('ACTIVE');
      const changed = await admin('PATCH', `/templates/${templateId}`, { content: 'Hello {name}, code {code}.' });
      expect(changed.body).toMatchObject({ status: 'PENDING_APPROVAL', content: 'Hello {name}, code {code}.' });
      expect((await sendWith('admin_changed_code')).body.error.code).toBe('TEMPLATE_NOT_APPROVED');

      expect((await admin('POST', `/templates/${templateId}/approve`)).body.status).toBe('ACTIVE');
      const tuned = await admin('PATCH', `/templates/${templateId}`, { dailyCapMax: 5, timeZone: null });
      expect(tuned.body).toMatchObject({ status: 'ACTIVE', dailyCapMax: 5, timeZone: null });

      expect((await admin('POST', `/templates/${templateId}/disable`)).body.status).toBe('DISABLED');
      const refused = await sendWith('admin_changed_code');
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('TEMPLATE_DISABLED');
    });

    it('answers bad fields with a 400 naming each field and the reason', async () => {
      const shape = await admin('POST', '/templates', {
        ...template, code: 'admin_bad', channel: 'FAX', timeZone: 'Mars/Olympus', quietStart: '25:00', dedupContentMax: 0,
      });
      expect(shape.status).toBe(400);
      const shapeFields = shape.body.error.details.fields.map((f: { field: string }) => f.field);
      expect(shapeFields).toEqual(expect.arrayContaining(['channel', 'timeZone', 'quietStart', 'dedupContentMax']));
      expect(shape.body.error.details.fields).toContainEqual({ field: 'timeZone', reason: expect.stringContaining('not an IANA time zone') });

      const rules = await admin('POST', '/templates', {
        ...template, code: 'admin_bad', messageType: 'VERIFICATION', content: 'Hi { name }, code {code', vendorTemplateIds: { nosuch: 'X-1' },
      });
      expect(rules.status).toBe(400);
      expect(rules.body.error.details.fields).toEqual([
        { field: 'content', reason: 'at position 3: "{ name }" is not a placeholder: names are letters, digits and _, not starting with a digit, no spaces' },
        { field: 'content', reason: 'at position 18: a "{" is never closed by "}"' },
        { field: 'vendorTemplateIds.nosuch', reason: expect.stringMatching(/^unknown provider "nosuch"; known: .*\bsandbox\b/) },
        { field: 'shieldPolicy', reason: 'VERIFICATION messages are never shielded; use NONE' },
      ]);

      const templateId = await createTemplate('admin_patched_code');
      const patched = await admin('PATCH', `/templates/${templateId}`, { content: 'Hi {name' });
      expect(patched.status).toBe(400);
      expect(patched.body.error.details.fields).toEqual([{ field: 'content', reason: 'at position 3: a "{" is never closed by "}"' }]);

      const taken = await admin('POST', '/templates', { ...template, code: 'admin_patched_code' });
      expect(taken.status).toBe(409);
      expect(taken.body.error.code).toBe('TEMPLATE_CODE_TAKEN');
    });
  });

  describe('accounts', () => {
    /** A sandbox account on vendor B, created through the API with write-only secrets: its answer. */
    async function createAccountOnB(name: string) {
      return admin('POST', '/accounts', {
        name, provider: 'sandbox', weight: 1000, priority: 5,
        config: { endpoint: `http://127.0.0.1:${listeningB.port}`, timeoutMs: 2000 },
        secrets: { appKey: SECRET_APP_KEY, appSecret: SECRET_APP_SECRET },
      });
    }

    it('refuses an unknown provider, a missing config field and unknown secret names, each by field', async () => {
      const unknown = await admin('POST', '/accounts', { name: 'admin-x', provider: 'nosuch', config: {}, secrets: {} });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.details.fields).toEqual([{ field: 'provider', reason: expect.stringMatching(/^unknown provider "nosuch"; known: .*\bsandbox\b/) }]);

      const missing = await admin('POST', '/accounts', {
        name: 'admin-x', provider: 'sandbox', config: { timeoutMs: 1000 }, secrets: { appKey: SECRET_APP_KEY, appSecret: SECRET_APP_SECRET, apiToken: SECRET_APP_SECRET },
      });
      expect(missing.status).toBe(400);
      expect(missing.body.error.details.fields).toEqual([
        { field: 'config.endpoint', reason: expect.any(String) },
        { field: 'secrets.apiToken', reason: 'provider sandbox has no secret "apiToken"' },
      ]);
    });

    it('creates an account with write-only secrets and routes sends through it', async () => {
      const created = await createAccountOnB('admin-sandbox-b');
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ channel: 'SMS', provider: 'sandbox', enabled: true, weight: 1000, secrets: { names: ['appKey', 'appSecret'] } });
      const accountId: string = created.body.id;
      expect(created.body.receiptUrl).toMatch(new RegExp(`/v1/receipts/sandbox/[A-Za-z0-9_-]{43}$`));

      const row = await herald.deps.prisma.account.findUniqueOrThrow({ where: { id: accountId } });
      expect(row.secretCiphertext).not.toContain(SECRET_APP_SECRET);
      expect(herald.deps.secrets.open(row.secretCiphertext!)).toEqual({ appKey: SECRET_APP_KEY, appSecret: SECRET_APP_SECRET });

      // A send picks the new account with weight 1000 of 1001: poll until one does.
      const routedSendId = await eventually(async () => {
        const sendId = await acceptedSendId('welcome_sms');
        return (await accountOf(sendId)) === accountId ? sendId : undefined;
      }, 30_000, 0);
      expect(vendorB.sent().map((s) => s.clientRef)).toContain(routedSendId);

      const reweighted = await admin('PATCH', `/accounts/${accountId}`, { weight: 900, rateLimitPerSecond: 50, secrets: { appKey: SECRET_APP_KEY, appSecret: SECRET_APP_SECRET } });
      expect(reweighted.body).toMatchObject({ weight: 900, rateLimitPerSecond: 50, secrets: { names: ['appKey', 'appSecret'] } });
      expect((await admin('GET', '/accounts')).body.accounts.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['admin-sandbox-b', 'sandbox-primary']));
      expect((await admin('GET', `/accounts/${accountId}`)).body.id).toBe(accountId);
    });

    it('disabling an account keeps new sends off it once the workers\u2019 account cache expires (ACCOUNT_CACHE_MS, 0 here)', async () => {
      const accountId: string = (await createAccountOnB('admin-sandbox-disabled')).body.id;
      const disabled = await admin('POST', `/accounts/${accountId}/disable`);
      expect(disabled.body.enabled).toBe(false);
      // Workers reload accounts at most ACCOUNT_CACHE_MS after a change (account-directory.test.ts proves that bound);
      // startHerald sets it to 0: no new send may reach the disabled account, whatever its circuit or weight.
      const after = await Promise.all(Array.from({ length: 5 }, () => acceptedSendId('welcome_sms')));
      const accounts = await Promise.all(after.map(accountOf));
      expect(accounts.filter((id) => id === accountId)).toEqual([]);

      expect((await admin('POST', `/accounts/${accountId}/enable`)).body.enabled).toBe(true);
      await admin('POST', `/accounts/${accountId}/disable`);
    }, 60_000);

    it('never shows a secret in any answer or in api_request_log', async () => {
      const refused = await admin('POST', '/accounts', { name: 'admin-refused', provider: 'sandbox', config: {}, secrets: { appKey: SECRET_APP_KEY, appSecret: SECRET_APP_SECRET } });
      expect(refused.status).toBe(400);
      const created = await createAccountOnB('admin-sandbox-secret');
      const accountId: string = created.body.id;
      await admin('PATCH', `/accounts/${accountId}`, { secrets: { appKey: SECRET_APP_KEY, appSecret: SECRET_APP_SECRET } });
      await admin('GET', `/accounts/${accountId}`);
      await admin('GET', '/accounts');
      const everything = JSON.stringify(answers);
      expect(everything).toContain('admin-sandbox-secret');
      expect(everything).not.toContain(SECRET_APP_KEY);
      expect(everything).not.toContain(SECRET_APP_SECRET);

      const logged = await eventually(async () => {
        const rows = await herald.deps.prisma.apiRequestLog.findMany({ where: { path: { startsWith: '/v1/admin/accounts' } } });
        return rows.length >= 5 ? rows : undefined;
      });
      const logText = JSON.stringify(logged);
      expect(logText).toContain('config.endpoint');
      expect(logText).not.toContain(SECRET_APP_KEY);
      expect(logText).not.toContain(SECRET_APP_SECRET);
    });
  });

  describe('API keys', () => {
    it('issues a key once, lists it without the key, and refuses it after revocation', async () => {
      const issued = await admin('POST', '/api-keys', { name: 'billing service', scopes: ['send', 'send'] });
      expect(issued.status).toBe(201);
      const key: string = issued.body.key;
      expect(key).toMatch(/^hk_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
      expect(issued.body).toMatchObject({ name: 'billing service', scopes: ['send'], prefix: key.slice(0, 16), revokedAt: null });

      const asCaller = { authorization: `Bearer ${key}` };
      expect((await sendWith('welcome_sms', nextReceiver(), asCaller)).status).toBe(202);

      const forbidden = await herald.request('GET', '/v1/admin/templates', undefined, asCaller);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.message).toBe('this API key lacks the admin scope');

      const listed = await eventually(async () => {
        const list = await admin('GET', '/api-keys');
        const mine = list.body.apiKeys.find((k: { id: string }) => k.id === issued.body.id);
        return mine?.lastUsedAt ? list.body : undefined;
      });
      expect(JSON.stringify(listed)).not.toContain(key);
      expect(JSON.stringify(listed)).not.toContain(key.slice(17));

      const revoked = await admin('POST', `/api-keys/${issued.body.id}/revoke`);
      expect(revoked.body.revokedAt).not.toBeNull();
      const refused = await sendWith('welcome_sms', nextReceiver(), asCaller);
      expect(refused.status).toBe(401);
    });

    it('refuses an unknown scope by field, and other teams\u2019 keys and templates are not found', async () => {
      const bad = await admin('POST', '/api-keys', { name: 'x', scopes: ['root'] });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.fields[0].field).toBe('scopes[0]');

      const other = await herald.deps.prisma.team.create({ data: { name: 'admin-test-other-team' } });
      const foreign = await herald.deps.prisma.template.create({
        data: { code: 'admin_foreign', name: 'Foreign', teamId: other.id, channel: 'SMS', messageType: 'NOTICE', content: 'x' },
      });
      expect((await admin('POST', `/templates/${foreign.id}/disable`)).status).toBe(404);
      const foreignKey = await herald.deps.prisma.apiKey.create({
        data: { teamId: other.id, name: 'foreign', keyPrefix: 'hk_foreign00000_', keyHash: '00', scopes: ['send'] },
      });
      expect((await admin('POST', `/api-keys/${foreignKey.id}/revoke`)).status).toBe(404);
      expect((await admin('GET', '/api-keys')).body.apiKeys.map((k: { id: string }) => k.id)).not.toContain(foreignKey.id);
    });
  });
});
