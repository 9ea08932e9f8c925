import type { Browser, BrowserContext, Page } from 'playwright-core';
import { API_OPERATIONS } from '../../src/api/routes';
import { SESSION_COOKIE } from '../../src/api/console/console-session';
import { SEED_SANDBOX_ACCOUNT } from '../../src/db/seed';
import { launchChromium, screenshot } from '../support/browser';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

const SHOTS = 'console';
const WIDTH = 1280;

/** Quiet hours around the current UTC hour, so a DEFER template defers right now. */
function quietNow() {
  const hour = new Date().getUTCHours();
  const hh = (offset: number) => `${String((hour + offset + 24) % 24).padStart(2, '0')}:00`;
  return { quietStart: hh(-1), quietEnd: hh(2), releaseAt: hh(3), timeZone: 'UTC' };
}

/** The console offers the retry button only when the API serves POST /v1/sends/:id/retry (it reads the served OpenAPI document). */
const RETRY_SERVED = API_OPERATIONS.some((operation) => operation.method === 'post' && operation.path === '/v1/sends/:id/retry');

/**
 * The ops console in Debian's Chromium against the whole of Herald: sign-in,
 * the diagnose path of a delivered, a deduped, a deferred and a failed send,
 * a weight edited live, a vendor bill uploaded. Screenshots of each page go
 * to test-artifacts/console/.
 */
describe('the ops console in a real browser', () => {
  let herald: RunningHerald;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Every address the page loaded from, and every script error or console error it logged (a CSP refusal is one). */
  const requested = new Set<string>();
  const pageErrors: string[] = [];
  const sent: Record<'delivered' | 'deduped' | 'deferred' | 'failed', string> = { delivered: '', deduped: '', deferred: '', failed: '' };

  async function sendTo(receiver: string, templateCode: string, variables: Record<string, string>): Promise<string> {
    const accepted = await herald.request('POST', '/v1/messages', { templateCode, receivers: [receiver], variables });
    expect(accepted.status).toBe(202);
    return accepted.body.sends[0].sendId;
  }

  async function untilStatus(sendId: string, status: string): Promise<void> {
    await eventually(async () => ((await herald.request('GET', `/v1/sends/${sendId}`)).body.status === status ? true : undefined));
  }

  beforeAll(async () => {
    herald = await startHerald();
    const { prisma } = herald.deps;
    const team = await prisma.team.findUniqueOrThrow({ where: { name: 'demo' } });
    await prisma.template.create({
      data: { code: 'console_night', name: 'Night notice', teamId: team.id, channel: 'SMS', messageType: 'NOTICE', content: 'Night notice {n}', shieldPolicy: 'DEFER', dedupContentSeconds: 0, ...quietNow() },
    });

    herald.vendor.faults.inject('auth', 1);
    sent.failed = await sendTo('+8613912350011', 'welcome_sms', { name: 'Li', order: 'C-1' });
    await untilStatus(sent.failed, 'FAILED');
    sent.delivered = await sendTo('+8613912350012', 'welcome_sms', { name: 'Li', order: 'C-2' });
    const firstOfPair = await sendTo('+8613912350013', 'welcome_sms', { name: 'Li', order: 'C-3' });
    await untilStatus(sent.delivered, 'DELIVERED');
    await untilStatus(firstOfPair, 'DELIVERED');
    sent.deduped = await sendTo('+8613912350013', 'welcome_sms', { name: 'Li', order: 'C-3' });
    sent.deferred = await sendTo('+8613912350014', 'console_night', { n: '1' });
    await untilStatus(sent.deduped, 'DEDUPED');
    await untilStatus(sent.deferred, 'DEFERRED');

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: WIDTH, height: 900 } });
    page = await context.newPage();
    page.on('request', (request) => requested.add(new URL(request.url()).origin));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // A 401 or 403 the page shows in words (sign-in refused, the forged write) is logged by the browser too.
      if (message.type() === 'error' && !/status of 40[13]/.test(message.text())) pageErrors.push(message.text());
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (sent.deferred) await herald?.request('POST', `/v1/sends/${sent.deferred}/cancel`);
    await herald?.stop();
  });

  it('signs in with an API key into an HttpOnly, SameSite=Strict session; the key is never in the URL or storage', async () => {
    await page.goto(`${herald.baseUrl}/console`);
    await page.fill('input[name=apiKey]', 'hk_not_a_key_00000000000000000000');
    await page.click('button[type=submit]');
    await page.waitForSelector('.error');
    expect(await page.textContent('.error')).toContain('That API key is not valid');
    await shoot('01-sign-in-refused');

    await page.fill('input[name=apiKey]', herald.apiKey);
    await page.click('button[type=submit]');
    await page.waitForSelector('nav.sidebar');
    expect(await page.locator('nav.sidebar a').allTextContents()).toEqual(['Diagnose', 'Messages & sends', 'Vendor accounts', 'Templates', 'Billing', 'Campaigns & audiences']);
    expect(page.url()).toBe(`${herald.baseUrl}/console/diagnose`);

    const [cookie] = (await context.cookies()).filter((c) => c.name === SESSION_COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie?.value).not.toContain(herald.apiKey);
    // Evaluated in the page (the test's own TypeScript has no DOM types).
    expect(await page.evaluate('({ local: localStorage.length, session: sessionStorage.length, cookies: document.cookie })')).toEqual({ local: 0, session: 0, cookies: '' });
    const html = await page.content();
    expect(html).not.toContain(herald.apiKey);
  });

  /** Takes the page's screenshot after checking it fits the window's width (no sideways scrolling at 1280 px). */
  async function shoot(name: string): Promise<void> {
    expect({ name, width: await page.evaluate('document.documentElement.scrollWidth') }).toEqual({ name, width: WIDTH });
    await screenshot(page, SHOTS, name);
  }

  async function diagnose(receiverAsTyped: string): Promise<void> {
    await page.goto(`${herald.baseUrl}/console/diagnose`);
    await page.fill('input[name=receiver]', receiverAsTyped);
    await page.click('form button[type=submit]');
    await page.waitForSelector('[data-testid=verdict]');
  }

  function stepOutcomes(): Promise<Record<string, string>> {
    return page.$$eval('.send-story:first-of-type .timeline .step', (steps) => Object.fromEntries(steps.map((step) => [step.getAttribute('data-step'), step.getAttribute('data-outcome')])));
  }

  it('diagnoses a delivered send typed as ops paste it (tab, spaces, no +86): every step passed, a link into the Temporal UI', async () => {
    await diagnose(' 139 1235\t0012 ');
    expect(await page.textContent('[data-testid=verdict] .badge')).toBe('DELIVERED');
    expect(await page.textContent('.verdict-receiver')).toContain('+8613912350012');
    expect(await page.textContent('[data-testid=verdict] p')).toContain('Delivered to the handset');
    expect(Object.values(await stepOutcomes()).every((outcome) => outcome === 'passed')).toBe(true);
    expect(await page.getAttribute('.send-story a[target=_blank]', 'href')).toContain(`/workflows/send-${sent.delivered}`);
    expect(await page.locator('table.evidence caption').allTextContents()).toEqual(['Vendor attempts', 'Receipts']);
    await shoot('02-diagnose-delivered');
  });

  it('diagnoses a deduped send: stopped at dedup, naming the earlier send', async () => {
    await diagnose('13912350013');
    expect(await page.textContent('[data-testid=verdict] .badge')).toBe('FILTERED');
    expect(await stepOutcomes()).toMatchObject({ api: 'passed', screening: 'passed', dedup: 'stopped', 'night shield': 'not reached', vendor: 'not reached' });
    expect(await page.textContent('.send-story:first-of-type .facts')).toContain('Duplicate of');
    await shoot('03-diagnose-deduped');
  });

  it('diagnoses a deferred send: waiting at the night shield, with send-now and cancel offered', async () => {
    await diagnose('+86 139-1235-0014');
    expect(await page.textContent('[data-testid=verdict] .badge')).toBe('DEFERRED');
    expect(await stepOutcomes()).toMatchObject({ dedup: 'passed', 'night shield': 'waiting', vendor: 'not reached' });
    expect(await page.locator('.send-story button', { hasText: 'Send now' }).count()).toBe(1);
    expect(await page.locator('.send-story button', { hasText: 'Cancel' }).count()).toBe(1);
    await shoot('04-diagnose-deferred');
  });

  it('diagnoses a failed send: stopped at the vendor with each attempt; retry offered exactly when the API serves it', async () => {
    await diagnose('139 1235 0011');
    expect(await page.textContent('[data-testid=verdict] .badge')).toBe('VENDOR_FAILED');
    expect(await stepOutcomes()).toMatchObject({ vendor: 'stopped', receipt: 'not reached' });
    const attempts = await page.locator('table.evidence').first().textContent();
    expect(attempts).toContain(SEED_SANDBOX_ACCOUNT);
    expect(attempts).toContain('VENDOR_REJECTED');
    expect(await page.locator('.send-story button', { hasText: 'Retry send' }).count()).toBe(RETRY_SERVED ? 1 : 0);
    await shoot('05-diagnose-failed');

    await page.click('.send-story a:has-text("full trace")');
    await page.waitForSelector('table.trace tbody tr');
    expect(await page.locator('table.trace .step-chip').allTextContents()).toEqual(expect.arrayContaining(['api', 'vendor']));
    await shoot('06-send-trace');
  });

  it('retries the failed send from its diagnosis: a new run of its workflow delivers it, and the page names the run it replaced', async () => {
    expect(RETRY_SERVED).toBe(true);
    await diagnose('139 1235 0011');
    await page.click('.send-story button:has-text("Retry send")');
    // The page reloads the diagnosis once the API answered: run 2 goes, run 1's failure stays on record, no second retry offered.
    await page.waitForSelector('[data-testid=send-runs]');
    expect(await page.textContent('[data-testid=send-runs]')).toMatch(/^run 2 now\s*run 1 ended FAILED \(\w+\); retried by api-key /);
    expect(await page.locator('.send-story button', { hasText: 'Retry send' }).count()).toBe(0);

    await untilStatus(sent.failed, 'DELIVERED');
    await diagnose('139 1235 0011');
    expect(await page.textContent('[data-testid=verdict] .badge')).toBe('DELIVERED');
    expect(Object.values(await stepOutcomes()).every((outcome) => outcome === 'passed')).toBe(true);
    const attempts = await page.locator('table.evidence').first().textContent();
    expect(attempts).toContain('VENDOR_REJECTED');
    expect(attempts).toContain('ACCEPTED');
    await shoot('06b-diagnose-retried');
  });

  it('edits a vendor account weight live; a console write without the CSRF token is refused', async () => {
    await page.goto(`${herald.baseUrl}/console/accounts`);
    const row = page.locator(`tr[data-account="${SEED_SANDBOX_ACCOUNT}"]`);
    await row.waitFor();
    await page.waitForSelector('.chart canvas');
    await row.locator('input[name=weight]').fill('7');
    await row.locator('button', { hasText: 'Save' }).click();
    await eventually(async () => ((await herald.deps.prisma.account.findUniqueOrThrow({ where: { name: SEED_SANDBOX_ACCOUNT } })).weight === 7 ? true : undefined));
    // The row shows the new weight as the account's effective weight once the page has reloaded the report.
    await page.locator(`tr[data-account="${SEED_SANDBOX_ACCOUNT}"] td:nth-child(8) strong`, { hasText: /^7$/ }).waitFor();
    await shoot('07-accounts');

    const id = (await herald.deps.prisma.account.findUniqueOrThrow({ where: { name: SEED_SANDBOX_ACCOUNT } })).id;
    const forged = await page.evaluate(async (accountId) => {
      const answer = await fetch(`/v1/admin/accounts/${accountId}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ weight: 3 }) });
      return { status: answer.status, body: (await answer.json()) as { error: { code: string } } };
    }, id);
    expect(forged).toMatchObject({ status: 403, body: { error: { code: 'CSRF_TOKEN_INVALID' } } });
    await herald.deps.prisma.account.update({ where: { id }, data: { weight: 1 } });
  });

  it('pins a weight by hand on the accounts page (shown as pinned, used as the effective weight) and unpins it', async () => {
    const pinnedWeight = async () => (await herald.deps.prisma.account.findUniqueOrThrow({ where: { name: SEED_SANDBOX_ACCOUNT } })).pinnedWeight;
    await page.goto(`${herald.baseUrl}/console/accounts`);
    const row = page.locator(`tr[data-account="${SEED_SANDBOX_ACCOUNT}"]`);
    await row.waitFor();
    await row.locator('input[name=weight]').fill('4');
    await row.locator('button', { hasText: 'Pin' }).click();
    await eventually(async () => ((await pinnedWeight()) === 4 ? true : undefined));
    await row.locator('.badge', { hasText: 'pinned at 4' }).waitFor();
    await row.locator('td:nth-child(8) strong', { hasText: /^4$/ }).waitFor();
    expect(await row.locator('td:nth-child(8) .reason').textContent()).toMatch(/^pinned at 4 by hand: not moved/);
    await shoot('13-accounts-pinned');

    await row.locator('button', { hasText: 'Unpin' }).click();
    await eventually(async () => ((await pinnedWeight()) === null ? true : undefined));
    await row.locator('button', { hasText: 'Unpin' }).waitFor({ state: 'detached' });
    // The badge follows the health report, which the page reloads after the edit: wait for it, then read it.
    await row.locator('td:nth-child(8) .badge', { hasText: /^normal$/ }).waitFor();
    expect(await row.locator('td:nth-child(8) .badge').textContent()).toBe('normal');
  });

  it('uploads a vendor bill and shows the differences', async () => {
    const delivered = await herald.deps.prisma.send.findUniqueOrThrow({ where: { id: sent.delivered } });
    await page.goto(`${herald.baseUrl}/console/billing`);
    await page.waitForSelector('input[name=bill]');
    await page.fill('input[name=account]', SEED_SANDBOX_ACCOUNT);
    await page.setInputFiles('input[name=bill]', {
      name: 'sandbox-bill.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`vendor_message_id,segments\n${delivered.vendorMessageId},1\nsbx-not-ours-0001,1\n`),
    });
    await page.click('button:has-text("Compare")');
    await page.waitForSelector('[data-testid=bill-comparison]');
    const comparison = await page.textContent('[data-testid=bill-comparison]');
    expect(comparison).toContain('differences');
    expect(comparison).toContain('Billed, unknown to Herald: 1');
    expect(comparison).toContain('sbx-not-ours-0001');
    await shoot('08-billing');
  });

  it('shows the other pages without errors, and signs out', async () => {
    for (const [section, name] of [['messages', '09-messages'], ['templates', '10-templates'], ['campaigns', '11-campaigns']] as const) {
      await page.goto(`${herald.baseUrl}/console/${section}`);
      await page.waitForSelector('.card table, .card .empty');
      expect(await page.locator('.error').count()).toBe(0);
      await shoot(name);
    }
    // One message's sends by state: the deferred send's message is the newest.
    await page.goto(`${herald.baseUrl}/console/messages`);
    await page.click('table.clickable tbody tr:first-child a');
    await page.waitForSelector('.stats .stat');
    expect(await page.textContent('.stats')).toContain('deferred');
    expect(await page.locator('table tbody tr').count()).toBe(1);
    await shoot('12-message-sends');
    await page.click('text=Sign out');
    await page.waitForSelector('input[name=apiKey]');
    expect((await context.cookies()).filter((c) => c.name === SESSION_COOKIE)).toEqual([]);
  });

  it('loaded everything from Herald itself (no CDN), with no script error or refused resource on any page', () => {
    expect([...requested]).toEqual([herald.baseUrl]);
    expect(pageErrors).toEqual([]);
  });
});
