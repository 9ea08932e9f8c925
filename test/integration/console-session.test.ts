import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCircuitBreaker } from '../../src/activities/circuit-breaker';
import { SESSION_COOKIE } from '../../src/api/console/console-session';
import { SEED_SANDBOX_ACCOUNT } from '../../src/db/seed';
import { apiKeyPrefix, hashApiKey } from '../../src/security/api-keys';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

const SEND_ONLY_KEY = 'hk_console_send_only_0000000000000000';
const OPS_ONLY_KEY = 'hk_console_ops_only_00000000000000000';

/** A console build stand-in: the page and one asset, so these tests need no `npm run build:console`. */
function fakeConsoleBuild(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-console-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>console page</title>');
  writeFileSync(path.join(dir, 'assets', 'app-1234.js'), 'console.log("app")');
  return dir;
}

/**
 * The console's session against the real API: sign-in sets a sealed HttpOnly
 * cookie that /v1 accepts like the key; state changes need the CSRF token; a
 * revoked key or a forged cookie is refused; scopes decide the capabilities.
 * And the account health report over real sends and a real circuit.
 */
describe('console sessions, the console page, and the account health report', () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald({ CONSOLE_DIR: fakeConsoleBuild() });
    const team = await herald.deps.prisma.team.findUniqueOrThrow({ where: { name: 'demo' } });
    for (const [key, scopes] of [[SEND_ONLY_KEY, ['send']], [OPS_ONLY_KEY, ['ops']]] as const) {
      await herald.deps.prisma.apiKey.create({ data: { teamId: team.id, name: `console ${scopes.join()}`, keyPrefix: apiKeyPrefix(key), keyHash: hashApiKey(key), scopes: [...scopes] } });
    }
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  async function signIn(apiKey: string) {
    const answer = await fetch(`${herald.baseUrl}/console/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiKey }) });
    const setCookie = answer.headers.get('set-cookie') ?? '';
    return { status: answer.status, setCookie, cookie: setCookie.split(';')[0] ?? '', body: (await answer.json()) as { csrfToken: string; capabilities: string[]; scopes: string[] } };
  }

  /** A request with the session cookie and no bearer key, as the console page makes it. */
  async function withCookie(method: string, pathname: string, cookie: string, body?: unknown, headers: Record<string, string> = {}) {
    const answer = await fetch(`${herald.baseUrl}${pathname}`, {
      method,
      headers: { cookie, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    return { status: answer.status, body: text ? JSON.parse(text) : null };
  }

  it('signs in with a key into a sealed, HttpOnly, SameSite=Strict cookie that holds no key', async () => {
    const session = await signIn(herald.apiKey);
    expect(session.status).toBe(201);
    expect(session.setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(session.setCookie).toContain('HttpOnly');
    expect(session.setCookie).toContain('SameSite=Strict');
    expect(session.setCookie).toContain('Path=/');
    expect(session.setCookie).not.toContain(herald.apiKey);
    expect(session.body.capabilities).toEqual(expect.arrayContaining(['diagnose', 'messages', 'accounts', 'editAccounts', 'templates', 'approveTemplates', 'billing', 'campaigns']));
    expect(JSON.stringify(session.body)).not.toContain(herald.apiKey);

    const refused = await signIn('hk_not_a_key_000000000000000000000');
    expect(refused.status).toBe(401);
    expect(refused.setCookie).toBe('');
  });

  it('reads /v1 with the cookie; a change needs the CSRF token; a forged cookie is refused', async () => {
    const { cookie, body } = await signIn(herald.apiKey);
    expect((await withCookie('GET', '/v1/admin/templates', cookie)).status).toBe(200);

    const template = { code: `console_${Date.now()}`, name: 'Console check', channel: 'SMS', messageType: 'NOTICE', content: 'Hello {name}' };
    const noToken = await withCookie('POST', '/v1/admin/templates', cookie, template);
    expect(noToken).toMatchObject({ status: 403, body: { error: { code: 'CSRF_TOKEN_INVALID' } } });
    const wrongToken = await withCookie('POST', '/v1/admin/templates', cookie, template, { 'x-csrf-token': `${body.csrfToken.slice(0, -1)}x` });
    expect(wrongToken.status).toBe(403);
    expect((await withCookie('POST', '/v1/admin/templates', cookie, template, { 'x-csrf-token': body.csrfToken })).status).toBe(201);

    const forged = `${cookie.slice(0, -4)}AAAA`;
    expect(await withCookie('GET', '/v1/admin/templates', forged)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    // A bearer key, when given, is what counts: a wrong one is refused even beside a good cookie.
    expect((await herald.request('GET', '/v1/admin/templates', undefined, { authorization: 'Bearer hk_wrong', cookie })).status).toBe(401);
  });

  it('ends every session of a key when the key is revoked', async () => {
    const issued = await herald.request('POST', '/v1/admin/api-keys', { name: 'console revoke check', scopes: ['ops'] });
    const { cookie } = await signIn(String(issued.body.key));
    expect((await withCookie('GET', '/console/session', cookie)).status).toBe(200);
    expect((await withCookie('GET', '/v1/reports/accounts', cookie)).status).toBe(200);
    await herald.request('POST', `/v1/admin/api-keys/${issued.body.id}/revoke`);
    expect((await withCookie('GET', '/v1/reports/accounts', cookie)).status).toBe(401);
    expect((await withCookie('GET', '/console/session', cookie)).status).toBe(401);
  });

  it('shows each key what its scopes allow, and no retry until the API serves the retry route', async () => {
    expect((await signIn(SEND_ONLY_KEY)).body.capabilities).toEqual(['messages', 'campaigns']);
    expect((await signIn(OPS_ONLY_KEY)).body.capabilities).toEqual(expect.arrayContaining(['diagnose', 'accounts', 'templateSearch']));
    // Editing accounts, approval and billing are a platform admin's (src/api/scopes.ts).
    for (const platformOnly of ['editAccounts', 'approveTemplates', 'billing']) expect((await signIn(OPS_ONLY_KEY)).body.capabilities).not.toContain(platformOnly);
    const { cookie } = await signIn(SEND_ONLY_KEY);
    expect((await withCookie('GET', '/v1/reports/accounts', cookie)).status).toBe(403);
  });

  it('serves the page at /console and any path under it, with its own headers; a missing asset is a 404, not the page', async () => {
    for (const pathname of ['/console', '/console/sends/1b2c']) {
      const page = await fetch(`${herald.baseUrl}${pathname}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('console page');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(page.headers.get('x-frame-options')).toBe('DENY');
    }
    const asset = await fetch(`${herald.baseUrl}/console/assets/app-1234.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${herald.baseUrl}/console/assets/missing.js`)).status).toBe(404);
  });

  it('reports each account: delivery rate from its sends, failed calls, an open circuit and the effective weight it leaves', async () => {
    const account = await herald.deps.prisma.account.findUniqueOrThrow({ where: { name: SEED_SANDBOX_ACCOUNT } });
    // One after the other: the injected fault is for the first vendor call.
    herald.vendor.faults.inject('auth', 1);
    for (const [receiver, status] of [['+8613912360011', 'FAILED'], ['+8613912360012', 'DELIVERED']] as const) {
      const answer = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: [receiver], variables: { name: 'Li', order: receiver } });
      await eventually(async () => ((await herald.request('GET', `/v1/sends/${answer.body.sends[0].sendId}`)).body.status === status ? true : undefined));
    }

    const healthy = (await herald.request('GET', '/v1/reports/accounts?hours=1')).body;
    const row = healthy.accounts.find((a: { id: string }) => a.id === account.id);
    expect(healthy.circuitsReadable).toBe(true);
    expect(row).toMatchObject({ circuit: { state: 'CLOSED' }, effectiveWeight: account.weight, firstChoiceShare: 1 });
    expect(row.sends.delivered).toBeGreaterThanOrEqual(1);
    expect(row.sends.deliveryRate).toBeGreaterThan(0);
    expect(row.attempts.failed).toBeGreaterThanOrEqual(1);
    expect(row.attempts.p50Ms).not.toBeNull();
    expect(row.hourly).toHaveLength(1);

    const circuit = createCircuitBreaker(herald.deps.redis, { failureThreshold: 1, windowSeconds: 60, openSeconds: 60 });
    await circuit.recordFailure(account.id);
    try {
      const tripped = (await herald.request('GET', '/v1/reports/accounts?hours=1')).body.accounts.find((a: { id: string }) => a.id === account.id);
      expect(tripped.circuit).toMatchObject({ state: 'OPEN' });
      expect(tripped.circuit.openForMs).toBeGreaterThan(0);
      expect(tripped.weightReason).toContain('open circuit');
    } finally {
      await circuit.recordSuccess(account.id);
    }
  });
});
