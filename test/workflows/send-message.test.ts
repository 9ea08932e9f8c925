import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/activity';
import { DateTime } from 'luxon';
import type { Activities } from '../../src/activities';
import { RATE_LIMIT_HOLD_TYPE, STORE_UNAVAILABLE_HOLD_TYPE } from '../../src/shared/failures';
import {
  cancelSignal,
  progressQuery,
  receiptSignal,
  sendNowSignal,
  type ReceiptNotice,
  type SendInput,
  type SendOutcome,
  type ShieldRule,
} from '../../src/shared/contract';
import type { sendMessage } from '../../src/workflows';
import { startWorkflowTestEnvironment } from '../support/temporal';
import { fakeActivities, ROUTE, vendorFailure, type ActivityJournal } from './fake-activities';

const DELIVERED: ReceiptNotice = { status: 'DELIVERED', reason: null, vendorCode: 'DELIVRD', vendorText: 'ok', deliveredAt: '2026-01-01T00:00:00.000Z' };
const HISTORY_DIR = path.join(__dirname, '..', 'replay', 'histories');
const SHANGHAI = 'Asia/Shanghai';
const DEFER_AT_NIGHT: ShieldRule = { policy: 'DEFER', quietStart: '22:00', quietEnd: '08:00', releaseAt: '09:00', timeZone: SHANGHAI };

/** Quiet hours that contain `now` (UTC), so the shield applies at the workflow's start. */
function quietAround(now: Date, policy: ShieldRule['policy']): ShieldRule {
  const hh = (offsetHours: number) => String((now.getUTCHours() + offsetHours + 24) % 24).padStart(2, '0');
  return { policy, quietStart: `${hh(-1)}:00`, quietEnd: `${hh(2)}:00`, releaseAt: `${hh(3)}:00`, timeZone: 'UTC' };
}

function input(overrides: Partial<SendInput> = {}): SendInput {
  return {
    sendId: randomUUID(),
    messageId: randomUUID(),
    receiver: '+8613800138000',
    channel: 'SMS',
    messageType: 'NOTICE',
    templateId: 'tpl-1',
    templateCode: 'welcome_sms',
    teamId: 'team-1',
    callerId: 'caller-1',
    contentHash: 'hash',
    sendAt: null,
    bypassTeamSuppression: false,
    shield: { policy: 'NONE', quietStart: '22:00', quietEnd: '08:00', releaseAt: '09:00', timeZone: 'Asia/Shanghai' },
    dedup: { contentWindowSeconds: 300, contentMax: 1, dailyCapMax: 20 },
    receipt: { windowSeconds: 24 * 3600, pollFirstSeconds: 30, pollMaxSeconds: 1800 },
    ...overrides,
  };
}

describe('sendMessage workflow (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    ({ env, bundle } = await startWorkflowTestEnvironment());
  }, 120_000);

  afterAll(async () => {
    await env?.teardown();
  });

  /** Runs one workflow on a fresh worker with the given fakes; `drive` may signal and query while it runs. */
  async function run(
    name: string,
    activities: Activities,
    args: SendInput,
    drive: (handle: WorkflowHandle<typeof sendMessage>) => Promise<void> = async () => undefined,
  ): Promise<SendOutcome> {
    const taskQueue = `wf-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof sendMessage>('sendMessage', { taskQueue, workflowId: `send-${args.sendId}`, args: [args] });
      await drive(handle);
      const outcome = await handle.result();
      if (process.env.RECORD_HISTORIES) {
        writeFileSync(path.join(HISTORY_DIR, `${name}.pb`), temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
      }
      return outcome;
    });
  }

  async function waitForStatus(handle: WorkflowHandle<typeof sendMessage>, status: string): Promise<void> {
    for (let i = 0; i < 200; i += 1) {
      if ((await handle.query(progressQuery)).status === status) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`workflow never reached ${status}`);
  }

  /** Tomorrow at `hour`:00 in Shanghai, by the test server's (skipped) clock. */
  async function tomorrowAt(hour: number): Promise<DateTime> {
    return DateTime.fromMillis(await env.currentTimeMs(), { zone: SHANGHAI }).plus({ days: 1 }).set({ hour, minute: 0, second: 0, millisecond: 0 });
  }

  function finalOf(journal: ActivityJournal) {
    expect(journal.finals).toHaveLength(1);
    return journal.finals[0];
  }

  it('delivers on a pushed receipt', async () => {
    const { activities, journal } = fakeActivities();
    const outcome = await run('delivered-by-push', activities, input(), async (handle) => {
      await waitForStatus(handle, 'SENT');
      await handle.signal(receiptSignal, DELIVERED);
    });
    expect(outcome).toMatchObject({ status: 'DELIVERED', reason: null, provider: 'vendor-a' });
    expect(journal.statuses.map((s) => s.status)).toEqual(['QUEUED', 'SENDING']);
    expect(finalOf(journal)).toMatchObject({ status: 'DELIVERED', vendorCode: 'DELIVRD' });
    expect(journal.polls).toBe(0);
  });

  it('keeps the first receipt when a vendor pushes it twice or contradicts it', async () => {
    const { activities } = fakeActivities();
    const outcome = await run('duplicate-receipts', activities, input(), async (handle) => {
      await waitForStatus(handle, 'SENT');
      await handle.signal(receiptSignal, DELIVERED);
      await handle.signal(receiptSignal, { ...DELIVERED, status: 'UNDELIVERED', reason: 'CARRIER_BLOCKED' });
    });
    expect(outcome.status).toBe('DELIVERED');
  });

  it('uses a receipt that arrived before the vendor answer was stored', async () => {
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        return { accountId: request.accountId, provider: 'vendor-a', vendorMessageId: 'vm-early', receipt: { ...DELIVERED, status: 'UNDELIVERED', reason: 'POWERED_OFF_OR_NO_SIGNAL' } };
      },
    });
    const outcome = await run('receipt-before-answer', activities, input());
    expect(outcome).toMatchObject({ status: 'UNDELIVERED', reason: 'POWERED_OFF_OR_NO_SIGNAL' });
    expect(journal.polls).toBe(0);
  });

  it('finds the receipt by polling with backoff when no push comes', async () => {
    let polls = 0;
    const { activities, journal } = fakeActivities({
      async pollReceipt() {
        polls += 1;
        return polls < 3 ? null : DELIVERED;
      },
    });
    const outcome = await run('delivered-by-poll', activities, input());
    expect(outcome.status).toBe('DELIVERED');
    expect(journal.polls).toBe(3);
  });

  it('ends EXPIRED / NO_RECEIPT after the window, with a bounded number of polls', async () => {
    const { activities, journal } = fakeActivities();
    const outcome = await run('no-receipt-expired', activities, input());
    expect(outcome).toMatchObject({ status: 'EXPIRED', reason: 'NO_RECEIPT' });
    // 30 s doubling to 30 min over 24 h: 6 growing intervals, then one poll per 30 min.
    expect(journal.polls).toBeGreaterThan(40);
    expect(journal.polls).toBeLessThan(60);
  });

  it('ends DEDUPED with the colliding send and never calls a vendor', async () => {
    const { activities, journal } = fakeActivities({
      async checkDedup() {
        return { outcome: 'FILTERED', reason: 'CONTENT_DUPLICATE', collidedWithSendId: 'earlier-send' };
      },
    });
    const outcome = await run('deduped', activities, input());
    expect(outcome).toMatchObject({ status: 'DEDUPED', reason: 'CONTENT_DUPLICATE' });
    expect(finalOf(journal)).toMatchObject({ collidedWithSendId: 'earlier-send' });
    expect(journal.vendorCalls).toHaveLength(0);
  });

  it('keeps sending when dedup was skipped (Redis down)', async () => {
    const { activities } = fakeActivities({
      async checkDedup() {
        return { outcome: 'SKIPPED', detail: 'dedup skipped: Redis unavailable' };
      },
    });
    const outcome = await run('dedup-skipped', activities, input(), async (handle) => {
      await waitForStatus(handle, 'SENT');
      await handle.signal(receiptSignal, DELIVERED);
    });
    expect(outcome.status).toBe('DELIVERED');
  });

  it('drops a send in quiet hours under policy DROP', async () => {
    const { activities, journal } = fakeActivities();
    const now = new Date(await env.currentTimeMs());
    const outcome = await run('shield-drop', activities, input({ shield: quietAround(now, 'DROP') }));
    expect(outcome).toMatchObject({ status: 'SHIELDED', reason: 'NIGHT_SHIELD' });
    expect(journal.vendorCalls).toHaveLength(0);
  });

  it('never shields a VERIFICATION message', async () => {
    const { activities, journal } = fakeActivities({ async pollReceipt() { return DELIVERED; } });
    const now = new Date(await env.currentTimeMs());
    const outcome = await run('verification-not-shielded', activities, input({ messageType: 'VERIFICATION', shield: quietAround(now, 'DROP') }));
    expect(outcome.status).toBe('DELIVERED');
    expect(journal.vendorCalls).toHaveLength(1);
  });

  it('defers until the release time, visible as DEFERRED, then sends', async () => {
    let sentAt = 0;
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        sentAt = await env.currentTimeMs();
        return { accountId: request.accountId, provider: 'vendor-a', vendorMessageId: 'vm', receipt: DELIVERED };
      },
    });
    const now = new Date(await env.currentTimeMs());
    const shield = quietAround(now, 'DEFER');
    const outcome = await run('shield-defer', activities, input({ shield }));
    expect(outcome.status).toBe('DELIVERED');
    const deferred = journal.statuses.find((s) => s.status === 'DEFERRED');
    expect(deferred?.deferredUntil).toBeTruthy();
    const until = new Date(deferred?.deferredUntil ?? 0);
    expect(until.getUTCHours()).toBe(Number(shield.releaseAt.slice(0, 2)));
    expect(until.getTime()).toBeGreaterThan(now.getTime());
    expect(sentAt).toBeGreaterThanOrEqual(until.getTime());
  });

  it('releases a deferred send early on send-now', async () => {
    const { activities, journal } = fakeActivities({ async pollReceipt() { return DELIVERED; } });
    const now = new Date(await env.currentTimeMs());
    let progressAtRelease = '';
    const outcome = await run('shield-defer-send-now', activities, input({ shield: quietAround(now, 'DEFER') }), async (handle) => {
      await waitForStatus(handle, 'DEFERRED');
      progressAtRelease = (await handle.query(progressQuery)).deferredUntil ?? '';
      await handle.signal(sendNowSignal);
    });
    expect(progressAtRelease).not.toBe('');
    expect(outcome.status).toBe('DELIVERED');
    expect(journal.vendorCalls).toHaveLength(1);
  });

  it('cancels a deferred send; no vendor call', async () => {
    const { activities, journal } = fakeActivities();
    const now = new Date(await env.currentTimeMs());
    const outcome = await run('cancel-while-deferred', activities, input({ shield: quietAround(now, 'DEFER') }), async (handle) => {
      await waitForStatus(handle, 'DEFERRED');
      await handle.signal(cancelSignal, { by: 'ops' });
    });
    expect(outcome).toMatchObject({ status: 'CANCELED', reason: 'CANCELED' });
    expect(journal.vendorCalls).toHaveLength(0);
    expect(finalOf(journal).reasonDetail).toBe('canceled by ops');
  });

  it('retries a retryable error on the same account, then succeeds there', async () => {
    let calls = 0;
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        calls += 1;
        if (calls < 3) throw vendorFailure('RETRYABLE', 'UNKNOWN', 'HTTP_503');
        return { accountId: request.accountId, provider: 'vendor-a', vendorMessageId: 'vm', receipt: DELIVERED };
      },
    });
    const outcome = await run('retry-then-success', activities, input());
    expect(outcome).toMatchObject({ status: 'DELIVERED', provider: 'vendor-a' });
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-a', 'acc-a', 'acc-a']);
  });

  it('holds a send while its account is over its rate limit, without failing over or dropping it', async () => {
    let calls = 0;
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        calls += 1;
        if (calls <= 4) throw ApplicationFailure.create({ type: RATE_LIMIT_HOLD_TYPE, message: 'over limit', nonRetryable: true });
        return { accountId: request.accountId, provider: 'vendor-a', vendorMessageId: 'vm', receipt: DELIVERED };
      },
    });
    const outcome = await run('rate-limit-hold', activities, input());
    expect(outcome).toMatchObject({ status: 'DELIVERED', provider: 'vendor-a' });
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-a', 'acc-a', 'acc-a', 'acc-a', 'acc-a']);
  });

  it('holds a send while Herald\'s database is unreachable, without using up or failing over the account', async () => {
    let calls = 0;
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        calls += 1;
        if (calls <= 4) throw ApplicationFailure.create({ type: STORE_UNAVAILABLE_HOLD_TYPE, message: 'database unreachable', nonRetryable: true });
        return { accountId: request.accountId, provider: 'vendor-a', vendorMessageId: 'vm', receipt: DELIVERED };
      },
    });
    const outcome = await run('store-unavailable-hold', activities, input());
    expect(outcome).toMatchObject({ status: 'DELIVERED', provider: 'vendor-a' });
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-a', 'acc-a', 'acc-a', 'acc-a', 'acc-a']);
  });

  it('fails over at once when a vendor rejects the send', async () => {
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        if (request.accountId === 'acc-a') throw vendorFailure('VENDOR_REJECTED', 'VENDOR_REJECTED', 'INSUFFICIENT_BALANCE');
        return { accountId: request.accountId, provider: 'vendor-b', vendorMessageId: 'vm', receipt: DELIVERED };
      },
    });
    const outcome = await run('failover-on-rejection', activities, input());
    expect(outcome).toMatchObject({ status: 'DELIVERED', provider: 'vendor-b' });
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-a', 'acc-b']);
  });

  it('stops without failover on an invalid receiver', async () => {
    const { activities, journal } = fakeActivities({
      async sendViaAccount() {
        throw vendorFailure('RECEIVER_INVALID', 'BLACKLISTED', 'BLACKLISTED');
      },
    });
    const outcome = await run('receiver-invalid-no-failover', activities, input());
    expect(outcome).toMatchObject({ status: 'FAILED', reason: 'BLACKLISTED' });
    expect(journal.vendorCalls).toHaveLength(1);
  });

  it('ends FAILED / ALL_VENDORS_FAILED when every account fails, listing the attempts', async () => {
    const { activities, journal } = fakeActivities({
      async sendViaAccount() {
        throw vendorFailure('RETRYABLE', 'UNKNOWN', 'HTTP_500');
      },
    });
    const outcome = await run('all-vendors-failed', activities, input());
    expect(outcome).toMatchObject({ status: 'FAILED', reason: 'ALL_VENDORS_FAILED' });
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-a', 'acc-a', 'acc-a', 'acc-b', 'acc-b', 'acc-b']);
    expect(finalOf(journal).reasonDetail).toBe('vendor-a: RETRYABLE HTTP_500; vendor-b: RETRYABLE HTTP_500');
  });

  it('ends CANCELED without a vendor call when the send was canceled before its workflow started', async () => {
    const { activities, journal } = fakeActivities({
      async recordStatus() {
        return false;
      },
    });
    const outcome = await run('canceled-before-start', activities, input());
    expect(outcome).toMatchObject({ status: 'CANCELED', reason: 'CANCELED' });
    expect(journal.vendorCalls).toHaveLength(0);
  });

  it('survives a vendor pull API that keeps failing and still ends EXPIRED, not failed', async () => {
    const { activities, journal } = fakeActivities({
      async pollReceipt() {
        throw new Error('pull API down');
      },
    });
    const outcome = await run('poll-failing-expired', activities, input({ receipt: { windowSeconds: 3600, pollFirstSeconds: 60, pollMaxSeconds: 600 } }));
    expect(outcome).toMatchObject({ status: 'EXPIRED', reason: 'NO_RECEIPT' });
    expect(journal.polls).toBeGreaterThan(3);
  });

  it('tries an account with an open circuit last, not never', async () => {
    const { activities, journal } = fakeActivities({
      async planSendRoute() {
        return [{ ...ROUTE[0], circuitOpen: true }, { ...ROUTE[1], weight: 1 }];
      },
      async sendViaAccount(request) {
        if (request.accountId === 'acc-b') throw vendorFailure('VENDOR_REJECTED', 'VENDOR_REJECTED', 'INSUFFICIENT_BALANCE');
        return { accountId: request.accountId, provider: 'vendor-a', vendorMessageId: 'vm', receipt: DELIVERED };
      },
    });
    const outcome = await run('open-circuit-last', activities, input());
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-b', 'acc-a']);
    expect(outcome).toMatchObject({ status: 'DELIVERED', provider: 'vendor-a' });
  });

  it('starts a send scheduled for tomorrow 10:00 then, not before', async () => {
    let sentAt = 0;
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        sentAt = await env.currentTimeMs();
        return { accountId: request.accountId, provider: 'vendor-a', vendorMessageId: 'vm', receipt: DELIVERED };
      },
    });
    const sendAt = await tomorrowAt(10);
    let beforeTime = { status: '', vendorCalls: -1, dedupChecks: -1 };
    const outcome = await run('scheduled-then-sent', activities, input({ sendAt: sendAt.toISO(), shield: DEFER_AT_NIGHT }), async (handle) => {
      await waitForStatus(handle, 'SCHEDULED');
      // Skip to one minute before the scheduled time: nothing may have happened yet.
      await env.sleep(sendAt.toMillis() - 60_000 - (await env.currentTimeMs()));
      beforeTime = { status: (await handle.query(progressQuery)).status, vendorCalls: journal.vendorCalls.length, dedupChecks: journal.dedupChecks };
    });
    expect(beforeTime).toEqual({ status: 'SCHEDULED', vendorCalls: 0, dedupChecks: 0 });
    expect(outcome.status).toBe('DELIVERED');
    expect(journal.statuses.map((s) => s.status)).toEqual(['SCHEDULED', 'QUEUED', 'SENDING']);
    expect(sentAt).toBeGreaterThanOrEqual(sendAt.toMillis());
  });

  it('applies the night shield at the scheduled time, not at acceptance', async () => {
    let sentAt = 0;
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        sentAt = await env.currentTimeMs();
        return { accountId: request.accountId, provider: 'vendor-a', vendorMessageId: 'vm', receipt: DELIVERED };
      },
    });
    const sendAt = await tomorrowAt(23);
    const outcome = await run('scheduled-into-quiet-hours', activities, input({ sendAt: sendAt.toISO(), shield: DEFER_AT_NIGHT }));
    expect(outcome.status).toBe('DELIVERED');
    expect(journal.statuses.map((s) => s.status)).toEqual(['SCHEDULED', 'QUEUED', 'DEFERRED', 'SENDING']);
    const release = sendAt.plus({ days: 1 }).set({ hour: 9 });
    expect(journal.statuses.find((s) => s.status === 'DEFERRED')?.deferredUntil).toBe(release.toUTC().toISO());
    expect(sentAt).toBeGreaterThanOrEqual(release.toMillis());
  });

  it('cancels a scheduled send before its time; no screening, no vendor call', async () => {
    const { activities, journal } = fakeActivities();
    const sendAt = await tomorrowAt(10);
    const outcome = await run('scheduled-canceled', activities, input({ sendAt: sendAt.toISO() }), async (handle) => {
      await waitForStatus(handle, 'SCHEDULED');
      await handle.signal(cancelSignal, { by: 'caller-1' });
    });
    expect(outcome).toMatchObject({ status: 'CANCELED', reason: 'CANCELED' });
    expect(journal.statuses.map((s) => s.status)).toEqual(['SCHEDULED']);
    expect(journal.vendorCalls).toHaveLength(0);
    expect(finalOf(journal).reasonDetail).toBe('canceled by caller-1 before its scheduled time');
  });

  it('ends SUPPRESSED with the reason before dedup and before any vendor call', async () => {
    const { activities, journal } = fakeActivities({
      async screenReceiver() {
        return { outcome: 'SUPPRESSED', reason: 'UNSUBSCRIBED', detail: 'on the global suppression list' };
      },
    });
    const outcome = await run('suppressed', activities, input());
    expect(outcome).toMatchObject({ status: 'SUPPRESSED', reason: 'UNSUBSCRIBED' });
    expect(finalOf(journal)).toMatchObject({ status: 'SUPPRESSED', reasonDetail: 'on the global suppression list' });
    expect(journal.dedupChecks).toBe(0);
    expect(journal.vendorCalls).toHaveLength(0);
  });

  it('ends FILTERED / NOT_WHITELISTED in test mode for a receiver off the whitelist', async () => {
    const { activities, journal } = fakeActivities({
      async screenReceiver() {
        return { outcome: 'FILTERED', reason: 'NOT_WHITELISTED', detail: 'not whitelisted' };
      },
    });
    const outcome = await run('not-whitelisted', activities, input());
    expect(outcome).toMatchObject({ status: 'FILTERED', reason: 'NOT_WHITELISTED' });
    expect(journal.vendorCalls).toHaveLength(0);
  });

  it('passes the screening the send asks for: receiver, team and the VERIFICATION bypass', async () => {
    const screened: unknown[] = [];
    const { activities } = fakeActivities({
      async screenReceiver(request) {
        screened.push(request);
        return { outcome: 'PASS' };
      },
      async pollReceipt() {
        return DELIVERED;
      },
    });
    const args = input({ messageType: 'VERIFICATION', bypassTeamSuppression: true });
    await run('screened-verification', activities, args);
    expect(screened).toEqual([{ sendId: args.sendId, receiver: args.receiver, channel: 'SMS', teamId: 'team-1', bypassTeamSuppression: true }]);
  });
});
