/**
 * Screens of the Temporal UI for the docs (docs/ops-replay-and-retry.md): a Temporal dev server with
 * its UI, Herald's API, worker and sandbox vendor against it, five sends (delivered, failed over,
 * deferred, failed, and the failed one re-run by a retry), then real headless Chromium takes each
 * send's workflow page and the workflow list under the Failures filter.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/herald_screens REDIS_URL=redis://127.0.0.1:6379/1 \
 *     npx tsx scripts/ui-screens.ts [--ports 7130] [--out docs/images] [--keep]
 *
 * Ports: base (gRPC), base+1 (UI), base+2 (HTTP API of Temporal), base+3 (its metrics), base+4
 * (Herald's API), base+5 (the sandbox vendor). `--keep` leaves everything running for a look by hand.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { chromium, type Page } from 'playwright-core';
import { loadDevConfig } from '../src/dev-config';
import { SEED_SANDBOX_ACCOUNT, seed } from '../src/db/seed';
import { startHeraldStack } from '../src/runtime/herald-stack';
import { buildProcessDeps } from '../src/runtime/process-deps';
import { startTemporalDevServer } from '../src/runtime/temporal-dev-server';
import { sendWorkflowId } from '../src/shared/contract';
import { isFinal, type SendStatus } from '../src/shared/states';

const { values } = parseArgs({ options: { ports: { type: 'string', default: '7130' }, out: { type: 'string', default: 'docs/images' }, keep: { type: 'boolean', default: false } } });
const BASE = Number(values.ports);
const PORT = { grpc: BASE, ui: BASE + 1, http: BASE + 2, metrics: BASE + 3, api: BASE + 4, sandbox: BASE + 5 };
const OUT = path.resolve(values.out ?? 'docs/images');
const UI = `http://127.0.0.1:${PORT.ui}`;
const BACKUP_ACCOUNT = 'sandbox-backup';
/** The first step of every send, as the timeline names it (its local activity) and as the event history sums it up. */
const FIRST_STEP = 'screeningDedupNightShield';
const FIRST_STEP_SUMMARY = 'screening, dedup, night shield';
/** Screen sizes: a workflow page down to its timeline, down to its event list, the user-metadata tab, the workflow list with its extra columns. */
const WORKFLOW_PAGE = { width: 1600, height: 1000 };
const EVENT_LIST = { width: 1600, height: 1150 };
const DETAILS = { width: 1600, height: 620 };
const LIST = { width: 1800, height: 620 };
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  // The failed and failed-over sends fail activities on purpose: no SDK warnings for those. Ctrl-C
  // (with --keep) is this script's to handle: it stops everything, the dev server included.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } }, shutdownSignals: [] });
  const config = loadDevConfig({
    ...process.env, API_PORT: String(PORT.api), SANDBOX_VENDOR_PORT: String(PORT.sandbox), TEMPORAL_TASK_QUEUE: 'herald-screens', TEMPORAL_UI_URL: UI, LOG_LEVEL: 'warn',
  });
  const temporal = await startTemporalDevServer({
    cliPath: config.TEMPORAL_CLI_PATH, dataDir: '', namespace: config.TEMPORAL_NAMESPACE, port: PORT.grpc, uiPort: PORT.ui, persist: false,
    extraArgs: ['--http-port', String(PORT.http), '--metrics-port', String(PORT.metrics)],
  });
  const deps = await buildProcessDeps(config, 'herald-screens');
  await seed(deps.prisma, config, deps.secrets);
  const stack = await startHeraldStack(deps, temporal, {
    apiPort: PORT.api, apiHost: '127.0.0.1', sandboxPort: PORT.sandbox, sandboxReceiptDelayMs: 500,
    sandboxCredentials: { appKey: config.SANDBOX_APP_KEY, appSecret: config.SANDBOX_APP_SECRET },
  });
  const api = `http://127.0.0.1:${stack.api.port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    await prepareAccountsAndTemplates(deps, PORT.sandbox);
    const request = async (method: string, url: string, body?: unknown): Promise<Record<string, unknown>> => {
      const answer = await fetch(`${api}${url}`, {
        method, headers: { authorization: `Bearer ${config.SEED_API_KEY}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await answer.json()) as Record<string, unknown>;
    };
    const send = async (templateCode: string, receiver: string, variables: Record<string, string>): Promise<string> => {
      const accepted = await request('POST', '/v1/messages', { templateCode, receivers: [receiver], variables });
      const sendId = (accepted.sends as Array<{ sendId: string }> | undefined)?.[0]?.sendId;
      if (!sendId) throw new Error(`not accepted: ${JSON.stringify(accepted)}`);
      return sendId;
    };
    const until = async (sendId: string, done: (status: SendStatus, runNo: number) => boolean): Promise<void> => {
      for (let i = 0; i < 240; i += 1) {
        const view = await request('GET', `/v1/sends/${sendId}`);
        if (done(view.status as SendStatus, view.runNo as number)) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`send ${sendId} did not get there`);
    };

    const delivered = await send('order_shipped', '+8613900139007', { name: 'Li', order: 'A-1001' });
    await until(delivered, isFinal);

    stack.vendor.faults.inject('balance', 1); // the first account of the route refuses it: the send fails over
    const failedOver = await send('order_shipped', '+8613900139017', { name: 'Wang', order: 'A-1002' });
    await until(failedOver, isFinal);

    const deferred = await send('night_digest', '+8613900139027', { n: '3' });
    await until(deferred, (status) => status === 'DEFERRED');

    stack.vendor.faults.inject('5xx', 6); // every try on both accounts: ALL_VENDORS_FAILED
    const failed = await send('order_shipped', '+8613900139037', { name: 'Zhao', order: 'A-1003' });
    await until(failed, isFinal);

    stack.vendor.faults.inject('5xx', 6); // fails like the one before; the vendors are back before the retry
    const retried = await send('order_shipped', '+8613900139047', { name: 'Sun', order: 'A-1004' });
    await until(retried, isFinal);
    stack.vendor.faults.clear();
    await request('POST', `/v1/sends/${retried}/retry`);
    await until(retried, (status, runNo) => runNo === 2 && isFinal(status));

    const page = await browser.newPage({ viewport: WORKFLOW_PAGE, deviceScaleFactor: 1 });
    await shootTimeline(page, delivered, 'send-delivered');
    await shootTimeline(page, failedOver, 'send-failed-over');
    await shootTab(page, failedOver, 'Compact', 'send-failed-over-steps');
    await shootTimeline(page, deferred, 'send-deferred');
    await shootTab(page, deferred, 'User Metadata', 'send-deferred-details');
    await shootTimeline(page, failed, 'send-failed');
    await shootRetried(page, retried);
    await shootList(page);
    console.log(`screens written to ${OUT}; UI at ${UI}`);
    if (values.keep) await new Promise((resolve) => process.once('SIGINT', resolve));
  } finally {
    await browser.close();
    await stack.stop();
    await temporal.teardown();
    await deps.close();
  }
}

/** Two sandbox accounts (so a send can fail over), a plain notice and a night-shielded one that defers right now until 09:00 Shanghai. */
async function prepareAccountsAndTemplates(deps: Awaited<ReturnType<typeof buildProcessDeps>>, sandboxPort: number): Promise<void> {
  const { prisma } = deps;
  const primary = await prisma.account.update({
    where: { name: SEED_SANDBOX_ACCOUNT },
    data: { config: { endpoint: `http://127.0.0.1:${sandboxPort}`, timeoutMs: 2000 }, enabled: true, weight: 1, priority: 10 },
  });
  const backup = { channel: 'SMS', provider: 'sandbox', config: primary.config ?? {}, secretCiphertext: primary.secretCiphertext, weight: 0, priority: 20, enabled: true };
  await prisma.account.upsert({ where: { name: BACKUP_ACCOUNT }, create: { name: BACKUP_ACCOUNT, ...backup }, update: backup });
  const team = await prisma.team.findFirstOrThrow();
  const notice = { name: 'Order shipped', teamId: team.id, channel: 'SMS', messageType: 'NOTICE', content: 'Hello {name}, your order {order} has shipped.', dedupContentSeconds: 0 };
  await prisma.template.upsert({ where: { teamId_code: { teamId: team.id, code: 'order_shipped' } }, create: { code: 'order_shipped', ...notice }, update: notice });
  // Quiet from this minute until 09:00 in Shanghai, whatever the time now: the digest defers until 09:00.
  const quiet = { quietStart: DateTime.now().setZone('Asia/Shanghai').toFormat('HH:mm'), quietEnd: '09:00', releaseAt: '09:00', timeZone: 'Asia/Shanghai' };
  const digest = { name: 'Nightly digest', teamId: team.id, channel: 'SMS', messageType: 'MARKETING', content: 'You have {n} new offers.', shieldPolicy: 'DEFER', dedupContentSeconds: 0, ...quiet };
  await prisma.template.upsert({ where: { teamId_code: { teamId: team.id, code: 'night_digest' } }, create: { code: 'night_digest', ...digest }, update: digest });
}

/** Opens a send's workflow page (the UI opens it on its timeline) once its history is drawn: the first step's name is on it. */
async function openWorkflow(page: Page, sendId: string): Promise<void> {
  await page.goto(`${UI}/namespaces/default/workflows/${sendWorkflowId(sendId)}`, { waitUntil: 'domcontentloaded' });
  await page.getByText(FIRST_STEP).first().waitFor();
}

async function save(page: Page, name: string, size: { width: number; height: number } = WORKFLOW_PAGE): Promise<void> {
  await page.setViewportSize(size);
  await page.screenshot({ path: path.join(OUT, `${name}.png`) });
  console.log(`${name}.png: ${page.url()}`);
}

/** The send's workflow page as it opens: its header, input and result, and the timeline of its steps. */
async function shootTimeline(page: Page, sendId: string, name: string): Promise<void> {
  await openWorkflow(page, sendId);
  await save(page, name);
}

/** One view of the send's workflow page: the Compact event history (`Compact`), or a tab (`User Metadata`). */
async function shootTab(page: Page, sendId: string, view: 'Compact' | 'User Metadata', name: string): Promise<void> {
  await openWorkflow(page, sendId);
  if (view === 'Compact') {
    await page.getByText('Event History', { exact: false }).first().click();
    await page.getByText('Compact', { exact: true }).click();
    await page.getByText(FIRST_STEP_SUMMARY).first().waitFor();
  } else {
    await page.getByText(view, { exact: true }).click();
    await page.getByText('Current Details').waitFor();
  }
  await save(page, name, view === 'Compact' ? EVENT_LIST : DETAILS);
}

/** The retried send's newest run, its event history from the start: the reset (who asked and why) follows the first workflow task. */
async function shootRetried(page: Page, sendId: string): Promise<void> {
  await openWorkflow(page, sendId);
  await page.getByText('Event History', { exact: false }).first().click();
  await page.getByText('All', { exact: true }).first().click();
  await page.getByText('Descending', { exact: true }).click();
  await page.getByText('retry by api-key', { exact: false }).first().waitFor();
  await save(page, 'send-retried', EVENT_LIST);
}

/**
 * The workflow list as ops would set it up (Herald's status and vendor as columns), then
 * one click on the FAILED count: the failed sends.
 */
async function shootList(page: Page): Promise<void> {
  await page.setViewportSize(LIST);
  await page.goto(`${UI}/namespaces/default/workflows`, { waitUntil: 'domcontentloaded' });
  await page.getByTestId('workflows-summary-table-configuration-button').click();
  for (const column of ['Type', 'End']) await page.getByTestId(`orderable-list-item-${column}-remove-button`).click();
  for (const column of ['HeraldStatus', 'HeraldVendor']) await page.getByTestId(`orderable-list-item-${column}-add-button`).click();
  await page.getByRole('button', { name: 'Close' }).filter({ visible: true }).first().click();
  await page.getByTestId('workflow-status-Failed').waitFor();
  await save(page, 'workflows-list', LIST);
  await page.getByTestId('workflow-status-Failed').click();
  await page.getByText('ExecutionStatus', { exact: false }).first().waitFor();
  await save(page, 'workflows-failed', LIST);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
