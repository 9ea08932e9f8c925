import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { Activities } from '../../src/activities';
import { summaryOf } from '../../src/ops/trace-history';
import {
  cancelUpdate,
  progressQuery,
  receiptSignal,
  sendNowUpdate,
  type ReceiptNotice,
  type SendInput,
  type SendOutcome,
  type ShieldRule,
} from '../../src/shared/contract';
import { RATE_LIMIT_HOLD_TYPE, SEND_CONTROL_REFUSED_TYPE, STORE_UNAVAILABLE_HOLD_TYPE } from '../../src/shared/failures';
import type { sendMessage } from '../../src/workflows';
import { TEMPORAL_CANCELLATION } from '../../src/workflows/send-run';
import { startWorkflowTestEnvironment } from '../support/temporal';
import { accepted, DEDUP_SLOT, fakeActivities, plannedRoute, ROUTE, vendorFailure, type ActivityJournal } from './fake-activities';

const HISTORY_DIR = path.join(__dirname, '..', 'replay', 'histories');
const SHANGHAI = 'Asia/Shanghai';
const DEFER_AT_NIGHT: ShieldRule = { policy: 'DEFER', quietStart: '22:00', quietEnd: '08:00', releaseAt: '09:00', timeZone: SHANGHAI };
const EVENT_TYPE = temporal.api.enums.v1.EventType;

/** The receipt of a vendor message (the fakes' default vendor message id is `vm-<sendId>`). */
function receipt(vendorMessageId: string, overrides: Partial<ReceiptNotice> = {}): ReceiptNotice {
  return { vendorMessageId, status: 'DELIVERED', reason: null, vendorCode: 'DELIVRD', vendorText: 'ok', deliveredAt: '2026-01-01T00:00:00.000Z', ...overrides };
}

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
    shield: { policy: 'NONE', quietStart: '22:00', quietEnd: '08:00', releaseAt: '09:00', timeZone: SHANGHAI },
    dedup: { contentWindowSeconds: 300, contentMax: 1, dailyCapMax: 20 },
    ambiguity: { policy: 'VERIFY', verifySeconds: 120 },
    receipt: { windowSeconds: 24 * 3600, pollFirstSeconds: 30, pollMaxSeconds: 1800 },
    reroutesMax: 1,
    fallback: null,
    ...overrides,
  };
}

/** How a send's workflow ended: its outcome, and whether Temporal shows it completed or failed (with the failure type). */
interface RunResult extends SendOutcome {
  workflow: 'COMPLETED' | 'FAILED';
  failureType: string | null;
  history: temporal.api.history.v1.IHistory;
}

/** Every summary in the history, in order: what the Temporal UI's timeline shows. */
function summaries(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? []).map(summaryOf).filter((summary): summary is string => summary !== null);
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

  /** Runs one workflow on a fresh worker with the given fakes; `drive` may update, signal and query while it runs. */
  async function run(
    name: string,
    activities: Activities,
    args: SendInput,
    drive: (handle: WorkflowHandle<typeof sendMessage>) => Promise<void> = async () => undefined,
  ): Promise<RunResult> {
    const taskQueue = `wf-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof sendMessage>('sendMessage', { taskQueue, workflowId: `send-${args.sendId}`, args: [args] });
      await drive(handle);
      const ended = await handle.result().then(
        (outcome) => ({ ...outcome, workflow: 'COMPLETED' as const, failureType: null }),
        (error: unknown) => {
          if (!(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure)) throw error;
          return { ...(error.cause.details?.[0] as SendOutcome), workflow: 'FAILED' as const, failureType: error.cause.type ?? null };
        },
      );
      const history = await handle.fetchHistory();
      if (process.env.RECORD_HISTORIES) writeFileSync(path.join(HISTORY_DIR, `${name}.pb`), temporal.api.history.v1.History.encode(history).finish());
      return { ...ended, history };
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

  it('delivers on a pushed receipt; the history names every step', async () => {
    const args = input();
    const { activities, journal } = fakeActivities();
    const result = await run('delivered-by-push', activities, args, async (handle) => {
      await waitForStatus(handle, 'SENT');
      await handle.signal(receiptSignal, receipt(`vm-${args.sendId}`));
    });
    expect(result).toMatchObject({ status: 'DELIVERED', reason: null, provider: 'vendor-a', workflow: 'COMPLETED' });
    expect(journal.statuses.map((s) => s.status)).toEqual(['QUEUED', 'SENDING']);
    // SENDING is written with the route's plan, one write for both.
    expect(journal.statuses[1].routePlan).toEqual(plannedRoute(ROUTE).plan);
    expect(finalOf(journal)).toMatchObject({
      status: 'DELIVERED', vendorCode: 'DELIVRD', releaseDedupSlot: null,
      acceptance: { accountId: 'acc-a', vendorMessageId: `vm-${args.sendId}`, acceptedAt: expect.any(String) },
    });
    expect(journal.polls).toBe(0);
    expect(summaries(result.history)).toEqual([
      'screening, dedup, night shield: send now',
      'vendor account-a attempt 1',
      'receipt wait 30 s, then receipt poll 1',
      'record DELIVERED',
    ]);
  });

  /**
   * History events per delivered send on its common paths (docs/benchmarks.md#history-events-per-send).
   * Counts, not timings: each path is driven without queries (a query may cost the test server a task).
   */
  it('spends the history events each delivered path needs and no more', async () => {
    const { activities: withAnswer, journal } = fakeActivities({
      async sendViaAccount(request) {
        return accepted(request, { receipt: receipt(`vm-${request.sendId}`) });
      },
    });
    const duringCall = fakeActivities({
      async sendViaAccount(request) {
        // Pushed while the call is out, stored after the vendor step looked: only the signal brings it.
        // The API recorded it where it stored it (src/receipts/final-on-push.ts), and says so.
        const recordedBy = Context.current().info.workflowExecution?.runId;
        await env.client.workflow.getHandle(`send-${request.sendId}`).signal(receiptSignal, receipt(`vm-${request.sendId}`, { recordedBy }));
        return accepted(request);
      },
    });
    const failover = fakeActivities({
      async sendViaAccount(request) {
        if (request.accountId === 'acc-a') throw vendorFailure('VENDOR_REJECTED', 'VENDOR_REJECTED', 'INSUFFICIENT_BALANCE');
        return accepted(request, { receipt: receipt(`vm-${request.sendId}`) });
      },
    });
    const now = new Date(await env.currentTimeMs());
    const pushAfterAnswer = async (handle: WorkflowHandle<typeof sendMessage>): Promise<void> => {
      for (;;) {
        const events = (await handle.fetchHistory()).events ?? [];
        if (events.some((e) => e.eventType === EVENT_TYPE.EVENT_TYPE_TIMER_STARTED)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const { workflowId, runId } = await handle.describe();
      await handle.signal(receiptSignal, receipt(`vm-${workflowId.replace(/^send-/, '')}`, { recordedBy: runId }));
    };
    const paths = {
      'receipt with the answer': await run('delivered-receipt-with-answer', withAnswer, input()),
      'receipt pushed during the call': await run('delivered-receipt-during-call', duringCall.activities, input()),
      'receipt pushed after the answer': await run('delivered-receipt-after-answer', fakeActivities().activities, input(), pushAfterAnswer),
      'failover, then delivered': await run('delivered-after-failover', failover.activities, input()),
      'deferred by the night shield, then delivered': await run('delivered-after-deferral', withAnswer, input({ shield: quietAround(now, 'DEFER') })),
    };
    expect(Object.values(paths).map((result) => result.status)).toEqual(Array(5).fill('DELIVERED'));
    expect(Object.fromEntries(Object.entries(paths).map(([path, result]) => [path, result.history.events?.length]))).toEqual({
      'receipt with the answer': 13,
      'receipt pushed during the call': 17,
      'receipt pushed after the answer': 20,
      'failover, then delivered': 19,
      'deferred by the night shield, then delivered': 20,
    });
    expect(journal.finals.map((final) => final.status)).toEqual(['DELIVERED', 'DELIVERED']);
    expect(duringCall.journal.finals).toEqual([]);
    expect(summaries(paths['receipt pushed after the answer'].history)).toEqual([
      'screening, dedup, night shield: send now',
      'vendor account-a attempt 1',
      'receipt wait 30 s, then receipt poll 1',
    ]);
  });

  it('records a pushed receipt itself unless the push recorded it for this very run (not for a run a reset replaced)', async () => {
    const { activities, journal } = fakeActivities();
    const result = await run('receipt-recorded-by-another-run', activities, input(), async (handle) => {
      await waitForStatus(handle, 'SENT');
      const { workflowId } = await handle.describe();
      await handle.signal(receiptSignal, receipt(`vm-${workflowId.replace(/^send-/, '')}`, { recordedBy: 'a-run-a-reset-replaced' }));
    });
    expect(result.status).toBe('DELIVERED');
    expect(finalOf(journal)).toMatchObject({ status: 'DELIVERED', vendorCode: 'DELIVRD' });
    expect(summaries(result.history).at(-1)).toBe('record DELIVERED');
  });

  it('keeps the first receipt of its own vendor message: a duplicate, a contradiction or another run\'s receipt change nothing', async () => {
    const args = input();
    const { activities } = fakeActivities();
    const result = await run('duplicate-receipts', activities, args, async (handle) => {
      await waitForStatus(handle, 'SENT');
      // A receipt of an earlier run's vendor message (a reset or retry sent again): not this run's.
      await handle.signal(receiptSignal, receipt('vm-of-an-earlier-run', { status: 'UNDELIVERED', reason: 'CARRIER_BLOCKED' }));
      await handle.signal(receiptSignal, receipt(`vm-${args.sendId}`));
      await handle.signal(receiptSignal, receipt(`vm-${args.sendId}`, { status: 'UNDELIVERED', reason: 'CARRIER_BLOCKED' }));
    });
    expect(result.status).toBe('DELIVERED');
  });

  it('ends UNDELIVERED on a receipt that came with the vendor\'s answer: the workflow fails with the reason as its type', async () => {
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        return accepted(request, { vendorMessageId: 'vm-early', receipt: receipt('vm-early', { status: 'UNDELIVERED', reason: 'POWERED_OFF_OR_NO_SIGNAL' }) });
      },
    });
    const result = await run('receipt-before-answer', activities, input());
    expect(result).toMatchObject({ status: 'UNDELIVERED', reason: 'POWERED_OFF_OR_NO_SIGNAL', workflow: 'FAILED', failureType: 'POWERED_OFF_OR_NO_SIGNAL' });
    // Recorded first, then failed.
    expect(finalOf(journal)).toMatchObject({ status: 'UNDELIVERED', reason: 'POWERED_OFF_OR_NO_SIGNAL' });
    expect(journal.polls).toBe(0);
  });

  it('finds the receipt by polling with backoff when no push comes, each poll named', async () => {
    let polls = 0;
    const { activities, journal } = fakeActivities({
      async pollReceipt(request) {
        polls += 1;
        return polls < 3 ? null : receipt(request.vendorMessageId);
      },
    });
    const result = await run('delivered-by-poll', activities, input());
    expect(result.status).toBe('DELIVERED');
    expect(journal.polls).toBe(3);
    expect(summaries(result.history).slice(2, 8)).toEqual([
      'receipt wait 30 s, then receipt poll 1', 'receipt poll 1',
      'receipt wait 1 min, then receipt poll 2', 'receipt poll 2',
      'receipt wait 2 min, then receipt poll 3', 'receipt poll 3',
    ]);
  });

  it('ends EXPIRED / NO_RECEIPT after the window, with a bounded number of polls, as a failed workflow', async () => {
    const { activities, journal } = fakeActivities();
    const result = await run('no-receipt-expired', activities, input());
    expect(result).toMatchObject({ status: 'EXPIRED', reason: 'NO_RECEIPT', workflow: 'FAILED', failureType: 'NO_RECEIPT' });
    // 30 s doubling to 30 min over 24 h: 6 growing intervals, then one poll per 30 min.
    expect(journal.polls).toBeGreaterThan(40);
    expect(journal.polls).toBeLessThan(60);
    // The vendor accepted it: the dedup slot stays counted.
    expect(finalOf(journal).releaseDedupSlot).toBeNull();
  });

  it('ends DEDUPED with the colliding send and never calls a vendor', async () => {
    const { activities, journal } = fakeActivities({
      async checkDedup() {
        return { outcome: 'FILTERED', reason: 'CONTENT_DUPLICATE', collidedWithSendId: 'earlier-send' };
      },
    });
    const result = await run('deduped', activities, input());
    expect(result).toMatchObject({ status: 'DEDUPED', reason: 'CONTENT_DUPLICATE', workflow: 'COMPLETED' });
    expect(finalOf(journal)).toMatchObject({ collidedWithSendId: 'earlier-send', releaseDedupSlot: null });
    expect(journal.vendorCalls).toHaveLength(0);
  });

  it('keeps sending when dedup was skipped (Redis down)', async () => {
    const { activities } = fakeActivities({
      async checkDedup() {
        return { outcome: 'SKIPPED', detail: 'dedup skipped: Redis unavailable' };
      },
      async pollReceipt(request) {
        return receipt(request.vendorMessageId);
      },
    });
    const result = await run('dedup-skipped', activities, input());
    expect(result.status).toBe('DELIVERED');
  });

  it('drops a send in quiet hours under policy DROP and hands its dedup slot back', async () => {
    const { activities, journal } = fakeActivities();
    const now = new Date(await env.currentTimeMs());
    const result = await run('shield-drop', activities, input({ shield: quietAround(now, 'DROP') }));
    expect(result).toMatchObject({ status: 'SHIELDED', reason: 'NIGHT_SHIELD', workflow: 'COMPLETED' });
    expect(journal.vendorCalls).toHaveLength(0);
    expect(finalOf(journal).releaseDedupSlot).toEqual(DEDUP_SLOT);
    expect(summaries(result.history)[0]).toBe('screening, dedup, night shield: drop (quiet hours)');
  });

  it('never shields a VERIFICATION message', async () => {
    const { activities, journal } = fakeActivities({ async pollReceipt(request) { return receipt(request.vendorMessageId); } });
    const now = new Date(await env.currentTimeMs());
    const result = await run('verification-not-shielded', activities, input({ messageType: 'VERIFICATION', shield: quietAround(now, 'DROP') }));
    expect(result.status).toBe('DELIVERED');
    expect(journal.vendorCalls).toHaveLength(1);
  });

  it('defers until the release time, named "night shield until 09:00 Asia/Shanghai", visible as DEFERRED in the details, then sends', async () => {
    let sentAt = 0;
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        sentAt = await env.currentTimeMs();
        return accepted(request, { receipt: receipt(`vm-${request.sendId}`) });
      },
    });
    const sendAt = await tomorrowAt(23);
    let details = '';
    const result = await run('shield-defer', activities, input({ sendAt: sendAt.toISO(), shield: DEFER_AT_NIGHT }), async (handle) => {
      await env.sleep(sendAt.toMillis() + 60_000 - (await env.currentTimeMs()));
      await waitForStatus(handle, 'DEFERRED');
      details = (await handle.query<temporal.api.sdk.v1.IWorkflowMetadata>('__temporal_workflow_metadata')).currentDetails ?? '';
    });
    expect(result.status).toBe('DELIVERED');
    const deferred = journal.statuses.find((s) => s.status === 'DEFERRED');
    const release = sendAt.plus({ days: 1 }).set({ hour: 9 });
    expect(deferred?.deferredUntil).toBe(release.toUTC().toISO());
    expect(sentAt).toBeGreaterThanOrEqual(release.toMillis());
    expect(details).toMatch(/^\*\*DEFERRED\*\*: night shield until 09:00 Asia\/Shanghai\n\nSMS welcome_sms → \+86138\*\*\*\*8000$/);
    expect(summaries(result.history)).toEqual([
      'record SCHEDULED',
      `scheduled wait until ${sendAt.toFormat('yyyy-MM-dd')} 23:00 Asia/Shanghai`,
      'screening, dedup, night shield: defer until 09:00 Asia/Shanghai',
      'night shield until 09:00 Asia/Shanghai',
      'night shield over: route planned',
      // The receipt came with the acceptance: the vendor step recorded DELIVERED, no step of its own.
      'vendor account-a attempt 1',
    ]);
    expect(finalOf(journal)).toMatchObject({ status: 'DELIVERED', reason: null });
  });

  it('releases a deferred send early on the send-now update, which answers once it is sending', async () => {
    const { activities, journal } = fakeActivities({ async pollReceipt(request) { return receipt(request.vendorMessageId); } });
    const now = new Date(await env.currentTimeMs());
    let released = { status: '', deferredUntil: null as string | null };
    const result = await run('shield-defer-send-now', activities, input({ shield: quietAround(now, 'DEFER') }), async (handle) => {
      await waitForStatus(handle, 'DEFERRED');
      released = await handle.executeUpdate(sendNowUpdate, { args: [{ by: 'ops' }] });
    });
    expect(released).toEqual({ status: 'SENDING', deferredUntil: null });
    expect(result.status).toBe('DELIVERED');
    expect(journal.vendorCalls).toHaveLength(1);
  });

  it('cancels a deferred send through the cancel update: answered CANCELED once recorded, no vendor call, the dedup slot handed back', async () => {
    const { activities, journal } = fakeActivities();
    const now = new Date(await env.currentTimeMs());
    let answer = { status: '', deferredUntil: null as string | null };
    const result = await run('cancel-while-deferred', activities, input({ shield: quietAround(now, 'DEFER') }), async (handle) => {
      await waitForStatus(handle, 'DEFERRED');
      answer = await handle.executeUpdate(cancelUpdate, { args: [{ by: 'ops' }] });
    });
    expect(answer.status).toBe('CANCELED');
    expect(result).toMatchObject({ status: 'CANCELED', reason: 'CANCELED', workflow: 'COMPLETED' });
    expect(journal.vendorCalls).toHaveLength(0);
    expect(finalOf(journal)).toMatchObject({ reasonDetail: 'canceled by ops', releaseDedupSlot: DEDUP_SLOT });
  });

  it('refuses cancel and send-now in its validators once the vendor has the send, writing nothing to the history', async () => {
    const args = input();
    const { activities } = fakeActivities();
    const refusals: Array<{ type: string | undefined; status: unknown }> = [];
    const result = await run('cancel-refused-at-vendor', activities, args, async (handle) => {
      await waitForStatus(handle, 'SENT');
      for (const update of [cancelUpdate, sendNowUpdate]) {
        const error = await handle.executeUpdate(update, { args: [{ by: 'ops' }] }).then(() => null, (e: unknown) => e);
        if (!(error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure)) throw new Error(`not refused: ${String(error)}`);
        refusals.push({ type: error.cause.type ?? undefined, status: (error.cause.details?.[0] as { status: string }).status });
      }
      await handle.signal(receiptSignal, receipt(`vm-${args.sendId}`));
    });
    expect(refusals).toEqual([{ type: SEND_CONTROL_REFUSED_TYPE, status: 'SENT' }, { type: SEND_CONTROL_REFUSED_TYPE, status: 'SENT' }]);
    expect(result.status).toBe('DELIVERED');
    expect((result.history.events ?? []).filter((e) => e.eventType === EVENT_TYPE.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)).toHaveLength(0);
  });

  it('takes a Temporal cancellation request (the UI\'s Request Cancellation) as Herald\'s cancel while waiting, and as nothing once the vendor has it', async () => {
    const now = new Date(await env.currentTimeMs());
    const waiting = fakeActivities();
    const canceled = await run('temporal-cancel-while-deferred', waiting.activities, input({ shield: quietAround(now, 'DEFER') }), async (handle) => {
      await waitForStatus(handle, 'DEFERRED');
      await handle.cancel();
    });
    expect(canceled).toMatchObject({ status: 'CANCELED', reason: 'CANCELED', workflow: 'COMPLETED' });
    expect(finalOf(waiting.journal).reasonDetail).toBe(`canceled by ${TEMPORAL_CANCELLATION}`);
    expect(waiting.journal.vendorCalls).toHaveLength(0);

    const args = input();
    const atVendor = fakeActivities();
    const delivered = await run('temporal-cancel-at-vendor', atVendor.activities, args, async (handle) => {
      await waitForStatus(handle, 'SENT');
      await handle.cancel();
      await handle.signal(receiptSignal, receipt(`vm-${args.sendId}`));
    });
    expect(delivered).toMatchObject({ status: 'DELIVERED', workflow: 'COMPLETED' });
  });

  it('retries a retryable error on the same account, then succeeds there', async () => {
    let calls = 0;
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        calls += 1;
        if (calls < 3) throw vendorFailure('RETRYABLE', 'UNKNOWN', 'HTTP_503');
        return accepted(request, { receipt: receipt(`vm-${request.sendId}`) });
      },
    });
    const result = await run('retry-then-success', activities, input());
    expect(result).toMatchObject({ status: 'DELIVERED', provider: 'vendor-a' });
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-a', 'acc-a', 'acc-a']);
  });

  it('holds a send over its account\'s rate limit with pauses doubling from 1 s, without failing over or dropping it', async () => {
    let calls = 0;
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        calls += 1;
        if (calls <= 4) throw ApplicationFailure.create({ type: RATE_LIMIT_HOLD_TYPE, message: 'over limit', nonRetryable: true });
        return accepted(request, { receipt: receipt(`vm-${request.sendId}`) });
      },
    });
    const result = await run('rate-limit-hold', activities, input());
    expect(result).toMatchObject({ status: 'DELIVERED', provider: 'vendor-a' });
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-a', 'acc-a', 'acc-a', 'acc-a', 'acc-a']);
    expect(summaries(result.history).filter((s) => s.includes('held'))).toEqual([1, 2, 4, 8].map((s) => `vendor account-a held: over its rate limit, next try in ${s} s`));
  });

  it('holds a send through a Postgres outage of hours at the same few history events however long it lasts', async () => {
    /** One send whose vendor call finds the database down for `outageMs` of (skipped) time. */
    async function heldFor(outageMs: number) {
      let outageEnds = 0;
      const down = async () => (await env.currentTimeMs()) < outageEnds;
      let storeChecks = 0;
      const { activities, journal } = fakeActivities({
        async sendViaAccount(request) {
          if (outageEnds === 0) outageEnds = (await env.currentTimeMs()) + outageMs;
          if (await down()) throw ApplicationFailure.create({ type: STORE_UNAVAILABLE_HOLD_TYPE, message: 'database unreachable', nonRetryable: true });
          return accepted(request, { receipt: receipt(`vm-${request.sendId}`) });
        },
        async awaitStoreReachable() {
          storeChecks += 1;
          if (await down()) throw new Error('database unreachable');
        },
      });
      const result = await run(outageMs === HOUR ? 'store-unavailable-hold' : `store-unavailable-hold-${outageMs / HOUR}h`, activities, input());
      return { result, storeChecks, vendorCalls: journal.vendorCalls.map((c) => c.accountId), events: result.history.events?.length ?? 0 };
    }
    const HOUR = 3_600_000;
    const short = await heldFor(HOUR);
    const long = await heldFor(6 * HOUR);
    expect([short.result.status, long.result.status]).toEqual(['DELIVERED', 'DELIVERED']);
    // The same account before and after, never failed over.
    expect([short.vendorCalls, long.vendorCalls]).toEqual([['acc-a', 'acc-a'], ['acc-a', 'acc-a']]);
    // Temporal retried the store check with backoff to its cap: many checks, no history events for them.
    expect(long.storeChecks).toBeGreaterThan(short.storeChecks);
    expect(long.events).toBe(short.events);
    expect(summaries(long.result.history)).toContain("vendor account-a held: waiting for Herald's database");
  });

  it('fails over at once when a vendor rejects the send, naming each account and attempt', async () => {
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        if (request.accountId === 'acc-a') throw vendorFailure('VENDOR_REJECTED', 'VENDOR_REJECTED', 'INSUFFICIENT_BALANCE');
        return accepted(request, { receipt: receipt(`vm-${request.sendId}`) });
      },
    });
    const result = await run('failover-on-rejection', activities, input());
    expect(result).toMatchObject({ status: 'DELIVERED', provider: 'vendor-b' });
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-a', 'acc-b']);
    expect(summaries(result.history).filter((s) => s.startsWith('vendor'))).toEqual(['vendor account-a attempt 1', 'vendor account-b attempt 2']);
  });

  it('re-routes after a receipt another vendor may fix: the next account as leg 2, one send, the re-route named in the history', async () => {
    const args = input();
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        return accepted(request, { vendorMessageId: `vm-${request.accountId}-${args.sendId}` });
      },
    });
    const result = await run('rerouted-after-receipt', activities, args, async (handle) => {
      await waitForStatus(handle, 'SENT');
      await handle.signal(receiptSignal, receipt(`vm-acc-a-${args.sendId}`, { status: 'UNDELIVERED', reason: 'ROUTE_FAILED', vendorCode: 'NP:1243' }));
      // A duplicate of the first leg's receipt changes nothing.
      await handle.signal(receiptSignal, receipt(`vm-acc-a-${args.sendId}`, { status: 'UNDELIVERED', reason: 'ROUTE_FAILED', vendorCode: 'NP:1243' }));
      for (let i = 0; i < 200 && journal.vendorCalls.length < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      await waitForStatus(handle, 'SENT');
      await handle.signal(receiptSignal, receipt(`vm-acc-b-${args.sendId}`));
    });
    expect(result).toMatchObject({ status: 'DELIVERED', provider: 'vendor-b', vendorMessageId: `vm-acc-b-${args.sendId}`, workflow: 'COMPLETED' });
    expect(journal.vendorCalls.map((c) => [c.accountId, c.leg ?? 1])).toEqual([['acc-a', 1], ['acc-b', 2]]);
    expect(finalOf(journal)).toMatchObject({
      status: 'DELIVERED', provider: 'vendor-b', reasonDetail: 're-routed after vendor-a receipt NP:1243',
      acceptance: { accountId: 'acc-b', vendorMessageId: `vm-acc-b-${args.sendId}` },
    });
    expect(summaries(result.history)).toEqual([
      'screening, dedup, night shield: send now',
      'vendor account-a attempt 1',
      'receipt wait 30 s, then receipt poll 1',
      're-route 1: vendor account-b attempt 1',
      'receipt wait 30 s, then receipt poll 1',
      'record DELIVERED',
    ]);
  });

  it('re-routes at most reroutesMax times, and never on a receipt that names the receiver', async () => {
    const failing = (reason: 'ROUTE_FAILED' | 'BLACKLISTED') => fakeActivities({
      async sendViaAccount(request) {
        return accepted(request, { receipt: receipt(`vm-${request.sendId}`, { status: 'UNDELIVERED', reason, vendorCode: reason === 'ROUTE_FAILED' ? 'IS_CLOSE' : 'MOBILE_IN_BLACK' }) });
      },
    });
    const never = failing('ROUTE_FAILED');
    expect(await run('reroute-disabled', never.activities, input({ reroutesMax: 0 }))).toMatchObject({ status: 'UNDELIVERED', reason: 'ROUTE_FAILED', workflow: 'FAILED' });
    expect(never.journal.vendorCalls).toHaveLength(1);
    const once = failing('ROUTE_FAILED');
    expect(await run('rerouted-then-undelivered', once.activities, input())).toMatchObject({ status: 'UNDELIVERED', reason: 'ROUTE_FAILED', provider: 'vendor-b' });
    expect(once.journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-a', 'acc-b']);
    const blacklisted = failing('BLACKLISTED');
    expect(await run('undelivered-blacklisted', blacklisted.activities, input({ reroutesMax: 3 }))).toMatchObject({ status: 'UNDELIVERED', reason: 'BLACKLISTED' });
    expect(blacklisted.journal.vendorCalls).toHaveLength(1);
  });

  it('starts the template\'s fallback once when the send ends UNDELIVERED, after recording it, and none when it is DELIVERED', async () => {
    const undelivered = fakeActivities({
      async sendViaAccount(request) {
        return accepted(request, { receipt: receipt(`vm-${request.sendId}`, { status: 'UNDELIVERED', reason: 'POWERED_OFF_OR_NO_SIGNAL', vendorCode: 'MK:0023' }) });
      },
    });
    const args = input({ fallback: { afterSeconds: null } });
    const result = await run('fallback-after-undelivered', undelivered.activities, args);
    expect(result).toMatchObject({ status: 'UNDELIVERED', workflow: 'FAILED' });
    expect(undelivered.journal.fallbacks).toEqual([{ sendId: args.sendId, trigger: 'UNDELIVERED' }]);
    // Recorded by the vendor step (the receipt came with its answer), then the fallback.
    expect(undelivered.journal.finals).toMatchObject([{ status: 'UNDELIVERED', reason: 'POWERED_OFF_OR_NO_SIGNAL' }]);
    expect(summaries(result.history).slice(-2)).toEqual(['vendor account-a attempt 1', 'fallback send started: UNDELIVERED']);

    const delivered = fakeActivities({
      async sendViaAccount(request) {
        return accepted(request, { receipt: receipt(`vm-${request.sendId}`) });
      },
    });
    expect(await run('fallback-not-needed', delivered.activities, input({ fallback: { afterSeconds: 600 } }))).toMatchObject({ status: 'DELIVERED' });
    expect(delivered.journal.fallbacks).toEqual([]);
  });

  it('starts the fallback when no DELIVERED came within its time, and the send still ends by its own receipt', async () => {
    const args = input({ fallback: { afterSeconds: 60 } });
    const { activities, journal } = fakeActivities();
    const result = await run('fallback-not-delivered-in-time', activities, args, async (handle) => {
      await waitForStatus(handle, 'SENT');
      await env.sleep(61_000);
      for (let i = 0; i < 200 && journal.fallbacks.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      await handle.signal(receiptSignal, receipt(`vm-${args.sendId}`));
    });
    expect(result).toMatchObject({ status: 'DELIVERED', workflow: 'COMPLETED' });
    expect(journal.fallbacks).toEqual([{ sendId: args.sendId, trigger: 'NOT_DELIVERED_IN_TIME' }]);
    expect(summaries(result.history)).toContain('fallback unless delivered within 1 min');
    expect(summaries(result.history)).toContain('fallback send started: not delivered in time');
  });

  it('an ambiguous call is verified with the vendor before any failover: the vendor has it → DELIVERED through it, B never called', async () => {
    let checks = 0;
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        if (request.accountId === 'acc-a') throw vendorFailure('AMBIGUOUS', 'UNKNOWN', 'TIMEOUT');
        return accepted(request);
      },
      async verifyAttempt(request) {
        checks += 1;
        if (checks < 3) return { verdict: 'NOT_YET', why: 'the fake vendor shows nothing yet' };
        return { verdict: 'ACCEPTED', sent: accepted({ ...request, sendId: 'ambiguous' }, { receipt: receipt('vm-ambiguous') }) };
      },
    });
    const result = await run('ambiguous-verified-accepted', activities, input());
    expect(result).toMatchObject({ status: 'DELIVERED', provider: 'vendor-a', vendorMessageId: 'vm-ambiguous' });
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-a']);
    expect(summaries(result.history).filter((s) => s.startsWith('verify'))).toEqual([
      'verify account-a attempt 1 with the vendor', 'verify account-a attempt 1: next check in 1 s',
      'verify account-a attempt 1 with the vendor (check 2)', 'verify account-a attempt 1: next check in 2 s',
      'verify account-a attempt 1 with the vendor (check 3)',
    ]);
  });

  it('an ambiguous call the vendor never shows within the verify time fails over; policy FAST fails over without asking', async () => {
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        if (request.accountId === 'acc-a') throw vendorFailure('AMBIGUOUS', 'UNKNOWN', 'TIMEOUT');
        return accepted(request, { receipt: receipt(`vm-${request.sendId}`) });
      },
    });
    const result = await run('ambiguous-verify-time-out', activities, input({ ambiguity: { policy: 'VERIFY', verifySeconds: 60 } }));
    expect(result).toMatchObject({ status: 'DELIVERED', provider: 'vendor-b' });
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-a', 'acc-b']);
    expect(journal.verifications).toBeGreaterThan(1);

    const fast = fakeActivities({
      async sendViaAccount(request) {
        if (request.accountId === 'acc-a') throw vendorFailure('AMBIGUOUS', 'UNKNOWN', 'TIMEOUT');
        return accepted(request, { receipt: receipt(`vm-${request.sendId}`) });
      },
    });
    expect(await run('ambiguous-fast', fast.activities, input({ ambiguity: { policy: 'FAST', verifySeconds: 60 } }))).toMatchObject({ status: 'DELIVERED', provider: 'vendor-b' });
    expect(fast.journal.verifications).toBe(0);
  });

  it('no account took the send but one may have: asked again through the receipt window, it had it → DELIVERED through it, not FAILED', async () => {
    let checks = 0;
    const { activities, journal } = fakeActivities({
      async sendViaAccount() {
        throw vendorFailure('AMBIGUOUS', 'UNKNOWN', 'TIMEOUT');
      },
      async verifyAttempt(request) {
        checks += 1;
        // Nothing to see during the verify time of both accounts; the first late check of account A finds it.
        if (request.accountId === 'acc-b' || checks < 5) return { verdict: 'NOT_YET', why: 'the fake vendor shows nothing yet' };
        return { verdict: 'ACCEPTED', sent: accepted({ ...request, sendId: 'late' }, { receipt: receipt('vm-late') }) };
      },
    });
    const result = await run('ambiguous-late-acceptance', activities, input({ ambiguity: { policy: 'VERIFY', verifySeconds: 2 } }));
    expect(result).toMatchObject({ status: 'DELIVERED', provider: 'vendor-a', vendorMessageId: 'vm-late' });
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-a', 'acc-b']);
    expect(summaries(result.history)).toContain('verify account-a attempt 1 with the vendor before failing (late check 1)');
  });

  it('an ambiguous call the vendor says it never got is asked again on the same account, within its budget', async () => {
    let calls = 0;
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        calls += 1;
        if (calls === 1) throw vendorFailure('AMBIGUOUS', 'UNKNOWN', 'TIMEOUT');
        return accepted(request, { receipt: receipt(`vm-${request.sendId}`) });
      },
      async verifyAttempt() {
        return { verdict: 'NOT_SENT' };
      },
    });
    const result = await run('ambiguous-not-sent-asked-again', activities, input());
    expect(result).toMatchObject({ status: 'DELIVERED', provider: 'vendor-a' });
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-a', 'acc-a']);
  });

  it('stops without failover on an invalid receiver: FAILED, the workflow failed as BLACKLISTED, the dedup slot handed back', async () => {
    const { activities, journal } = fakeActivities({
      async sendViaAccount() {
        throw vendorFailure('RECEIVER_INVALID', 'BLACKLISTED', 'BLACKLISTED');
      },
    });
    const result = await run('receiver-invalid-no-failover', activities, input());
    expect(result).toMatchObject({ status: 'FAILED', reason: 'BLACKLISTED', workflow: 'FAILED', failureType: 'BLACKLISTED' });
    expect(journal.vendorCalls).toHaveLength(1);
    expect(finalOf(journal).releaseDedupSlot).toEqual(DEDUP_SLOT);
  });

  it('ends FAILED / ALL_VENDORS_FAILED when every account fails, listing the attempts; records first, then fails the workflow', async () => {
    const { activities, journal } = fakeActivities({
      async sendViaAccount() {
        throw vendorFailure('RETRYABLE', 'UNKNOWN', 'HTTP_500');
      },
    });
    const result = await run('all-vendors-failed', activities, input());
    expect(result).toMatchObject({ status: 'FAILED', reason: 'ALL_VENDORS_FAILED', workflow: 'FAILED', failureType: 'ALL_VENDORS_FAILED' });
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-a', 'acc-a', 'acc-a', 'acc-b', 'acc-b', 'acc-b']);
    expect(finalOf(journal)).toMatchObject({
      reasonDetail: 'account-a: RETRYABLE HTTP_500; account-b: RETRYABLE HTTP_500',
      acceptance: null,
      // No vendor took it: an identical request later is sent, not deduped against this one.
      releaseDedupSlot: DEDUP_SLOT,
    });
    const last = result.history.events?.at(-1);
    expect(last?.workflowExecutionFailedEventAttributes?.failure?.message).toBe('FAILED ALL_VENDORS_FAILED: account-a: RETRYABLE HTTP_500; account-b: RETRYABLE HTTP_500');
  });

  it('ends CANCELED without a vendor call when the send was canceled through the API before its workflow started', async () => {
    const { activities, journal } = fakeActivities({
      async recordState() {
        return false;
      },
    });
    const result = await run('canceled-before-start', activities, input());
    expect(result).toMatchObject({ status: 'CANCELED', reason: 'CANCELED', workflow: 'COMPLETED' });
    expect(journal.vendorCalls).toHaveLength(0);
    expect(journal.dedupChecks).toBe(0);
  });

  it('survives a vendor pull API that keeps failing and still ends EXPIRED', async () => {
    const { activities, journal } = fakeActivities({
      async pollReceipt() {
        throw new Error('pull API down');
      },
    });
    const result = await run('poll-failing-expired', activities, input({ receipt: { windowSeconds: 3600, pollFirstSeconds: 60, pollMaxSeconds: 600 } }));
    expect(result).toMatchObject({ status: 'EXPIRED', reason: 'NO_RECEIPT', workflow: 'FAILED' });
    expect(journal.polls).toBeGreaterThan(3);
  });

  it('tries an account with an open circuit last, not never', async () => {
    const { activities, journal } = fakeActivities({
      async planRoute() {
        return plannedRoute([{ ...ROUTE[0], circuitOpen: true }, { ...ROUTE[1], weight: 1 }]);
      },
      async sendViaAccount(request) {
        if (request.accountId === 'acc-b') throw vendorFailure('VENDOR_REJECTED', 'VENDOR_REJECTED', 'INSUFFICIENT_BALANCE');
        return accepted(request, { receipt: receipt(`vm-${request.sendId}`) });
      },
    });
    const result = await run('open-circuit-last', activities, input());
    expect(journal.vendorCalls.map((c) => c.accountId)).toEqual(['acc-b', 'acc-a']);
    expect(result).toMatchObject({ status: 'DELIVERED', provider: 'vendor-a' });
  });

  it('starts a send scheduled for tomorrow 10:00 then, not before', async () => {
    let sentAt = 0;
    const { activities, journal } = fakeActivities({
      async sendViaAccount(request) {
        sentAt = await env.currentTimeMs();
        return accepted(request, { receipt: receipt(`vm-${request.sendId}`) });
      },
    });
    const sendAt = await tomorrowAt(10);
    let beforeTime = { status: '', vendorCalls: -1, dedupChecks: -1 };
    const result = await run('scheduled-then-sent', activities, input({ sendAt: sendAt.toISO(), shield: DEFER_AT_NIGHT }), async (handle) => {
      await waitForStatus(handle, 'SCHEDULED');
      // Skip to one minute before the scheduled time: nothing may have happened yet.
      await env.sleep(sendAt.toMillis() - 60_000 - (await env.currentTimeMs()));
      beforeTime = { status: (await handle.query(progressQuery)).status, vendorCalls: journal.vendorCalls.length, dedupChecks: journal.dedupChecks };
    });
    expect(beforeTime).toEqual({ status: 'SCHEDULED', vendorCalls: 0, dedupChecks: 0 });
    expect(result.status).toBe('DELIVERED');
    expect(journal.statuses.map((s) => s.status)).toEqual(['SCHEDULED', 'QUEUED', 'SENDING']);
    expect(sentAt).toBeGreaterThanOrEqual(sendAt.toMillis());
  });

  it('cancels a scheduled send before its time; no screening, no vendor call', async () => {
    const { activities, journal } = fakeActivities();
    const sendAt = await tomorrowAt(10);
    const result = await run('scheduled-canceled', activities, input({ sendAt: sendAt.toISO() }), async (handle) => {
      await waitForStatus(handle, 'SCHEDULED');
      await handle.executeUpdate(cancelUpdate, { args: [{ by: 'caller-1' }] });
    });
    expect(result).toMatchObject({ status: 'CANCELED', reason: 'CANCELED' });
    expect(journal.statuses.map((s) => s.status)).toEqual(['SCHEDULED']);
    expect(journal.vendorCalls).toHaveLength(0);
    expect(finalOf(journal)).toMatchObject({ reasonDetail: 'canceled by caller-1 before its scheduled time', releaseDedupSlot: null });
  });

  it('ends SUPPRESSED with the reason before dedup and before any vendor call', async () => {
    const { activities, journal } = fakeActivities({
      async screenReceiver() {
        return { outcome: 'SUPPRESSED', reason: 'UNSUBSCRIBED', detail: 'on the global suppression list' };
      },
    });
    const result = await run('suppressed', activities, input());
    expect(result).toMatchObject({ status: 'SUPPRESSED', reason: 'UNSUBSCRIBED', workflow: 'COMPLETED' });
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
    const result = await run('not-whitelisted', activities, input());
    expect(result).toMatchObject({ status: 'FILTERED', reason: 'NOT_WHITELISTED' });
    expect(journal.vendorCalls).toHaveLength(0);
  });

  it('passes the screening the send asks for: receiver, team and the VERIFICATION bypass', async () => {
    const screened: unknown[] = [];
    const { activities } = fakeActivities({
      async screenReceiver(request) {
        screened.push(request);
        return { outcome: 'PASS' };
      },
      async pollReceipt(request) {
        return receipt(request.vendorMessageId);
      },
    });
    const args = input({ messageType: 'VERIFICATION', bypassTeamSuppression: true });
    await run('screened-verification', activities, args);
    expect(screened).toEqual([{ sendId: args.sendId, receiver: args.receiver, channel: 'SMS', teamId: 'team-1', bypassTeamSuppression: true }]);
  });
});
