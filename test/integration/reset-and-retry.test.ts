import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { SEED_SANDBOX_ACCOUNT } from '../../src/db/seed';
import { sendWorkflowId } from '../../src/shared/contract';
import { eventually, startHerald, type RunningHerald } from '../support/herald';
import { quietHoursNow } from '../support/quiet-hours';
import { deliverableReceiver } from '../support/exactly-once';
import { finalSend, sendOne, useOnlyAccount } from '../support/vendor-accounts';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
/** Picks the workflow-task event to reset to. */
type ResetPoint = (events: HistoryEvent[]) => HistoryEvent | undefined;

const ROOT = path.join(__dirname, '..', '..');
const ACCOUNT = 'reset-sandbox';
const NOTICE = 'reset_notice';
const NIGHT = 'reset_night_notice';

const firstWorkflowTask: ResetPoint = (events) => events.find((e) => e.workflowTaskCompletedEventAttributes);
/** The workflow task that scheduled the first vendor call: a reset there re-runs the vendor step. */
const beforeVendor: ResetPoint = (events) => {
  const vendorCall = events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendViaAccount');
  return events.slice(0, vendorCall).reverse().find((e) => e.workflowTaskCompletedEventAttributes);
};
/** The first workflow task after the vendor accepted: a reset there keeps the acceptance and waits for the receipt again. */
const afterVendor: ResetPoint = (events) => {
  const accepted = events.findIndex((e) => e.activityTaskCompletedEventAttributes);
  return events.slice(accepted).find((e) => e.workflowTaskCompletedEventAttributes);
};

describe('reset and retry of a send (real Temporal, Postgres, Redis)', () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald();
    const { prisma } = herald.deps;
    const config = herald.settings;
    const seeded = await prisma.account.findUniqueOrThrow({ where: { name: SEED_SANDBOX_ACCOUNT } });
    // An account of this file only, so the billing report's counts are this file's sends.
    await useOnlyAccount(herald, {
      name: ACCOUNT, provider: 'sandbox', config: seeded.config as Record<string, string | number>,
      secrets: { appKey: config.SANDBOX_APP_KEY, appSecret: config.SANDBOX_APP_SECRET },
    });
    const team = await prisma.team.findUniqueOrThrow({ where: { name: 'demo' } });
    const rules = { teamId: team.id, channel: 'SMS', messageType: 'NOTICE', content: 'Notice {n}' };
    await prisma.template.upsert({
      where: { teamId_code: { teamId: team.id, code: NOTICE } },
      create: { code: NOTICE, name: NOTICE, ...rules, dedupContentSeconds: 600, dailyCapMax: 1 },
      update: { dedupContentSeconds: 600, dailyCapMax: 1 },
    });
    await prisma.template.upsert({
      where: { teamId_code: { teamId: team.id, code: NIGHT } },
      create: { code: NIGHT, name: NIGHT, ...rules, shieldPolicy: 'DEFER', dedupContentSeconds: 0, ...quietHoursNow() },
      update: { shieldPolicy: 'DEFER', ...quietHoursNow() },
    });
  }, 120_000);

  afterAll(async () => {
    herald.vendor.faults.clear();
    await herald?.stop();
  });

  afterEach(() => herald.vendor.faults.clear());

  function handleOf(sendId: string): WorkflowHandle {
    return herald.temporal.client.workflow.getHandle(sendWorkflowId(sendId));
  }

  /** Resets the send's current run the way the Temporal UI does (WorkflowService.ResetWorkflowExecution); the new run's id. */
  async function resetTo(sendId: string, point: ResetPoint): Promise<string> {
    const { client } = herald.temporal;
    const { runId } = await handleOf(sendId).describe();
    const events = (await client.workflow.getHandle(sendWorkflowId(sendId), runId).fetchHistory()).events ?? [];
    const target = point(events);
    if (!target?.eventId) throw new Error('no workflow task to reset to');
    const reset = await client.workflowService.resetWorkflowExecution({
      namespace: client.options.namespace,
      workflowExecution: { workflowId: sendWorkflowId(sendId), runId },
      reason: 'test: ops reset from the UI',
      workflowTaskFinishEventId: target.eventId,
      requestId: randomUUID(),
      identity: 'temporal-ui',
    });
    return reset.runId;
  }

  /** The send's workflow once its current run has closed: a run writes the send's final state, then ends. */
  function closedRun(sendId: string) {
    return eventually(async () => {
      const run = await handleOf(sendId).describe();
      return run.status.name === 'RUNNING' ? undefined : run;
    });
  }

  async function sendNow(n: string, receiver = deliverableReceiver()) {
    return sendOne(herald, NOTICE, receiver, { n });
  }

  /** GET /v1/sends/:id once it is final in the given run. */
  function finalInRun(sendId: string, runNo: number) {
    return eventually(async () => {
      const send = await finalSend(herald, sendId);
      return send.runNo === runNo ? send : undefined;
    }, 60_000);
  }

  async function acceptedThisMonth(): Promise<number> {
    const month = new Date().toISOString().slice(0, 7);
    const report = await herald.request('GET', `/v1/reports/billing?month=${month}&account=${ACCOUNT}&timeZone=UTC`);
    return report.body.accounts[0]?.accepted ?? 0;
  }

  it('FAILED → reset to before the vendor step → DELIVERED; the records follow the new run and keep the first', async () => {
    herald.vendor.faults.inject('balance', 1);
    const sendId = await sendNow('1');
    expect(await finalSend(herald, sendId)).toMatchObject({ status: 'FAILED', reason: 'ALL_VENDORS_FAILED', runNo: 1 });
    const failed = await closedRun(sendId);
    // The failed send is a failed workflow: the UI's Failures filter finds it.
    expect(failed.status.name).toBe('FAILED');
    const billedBefore = await acceptedThisMonth();

    const runId = await resetTo(sendId, beforeVendor);
    const send = await finalInRun(sendId, 2);
    expect(send).toMatchObject({
      status: 'DELIVERED', reason: null, vendorCode: 'DELIVRD', runNo: 2, runId,
      earlierRuns: [{ runNo: 1, runId: failed.runId, status: 'FAILED', reason: 'ALL_VENDORS_FAILED', replacedHow: 'RESET', replacedByRunId: runId, requestedBy: null }],
    });
    expect(send.attempts.map((a: { outcome: string; runId: string }) => [a.outcome, a.runId])).toEqual([['FAILED', failed.runId], ['ACCEPTED', runId]]);
    expect(send.receipts.map((r: { status: string; runId: string }) => [r.status, r.runId])).toEqual([['DELIVERED', runId]]);
    const now = await closedRun(sendId);
    expect({ runId: now.runId, status: now.status.name, heraldStatus: now.searchAttributes.HeraldStatus }).toEqual({ runId, status: 'COMPLETED', heraldStatus: ['DELIVERED'] });
    expect(await acceptedThisMonth()).toBe(billedBefore + 1);

    const trace = (await herald.request('GET', `/v1/sends/${sendId}/trace`)).body;
    const lines = trace.events.map((e: { run: number | null; what: string }) => `${e.run ?? '-'} ${e.what}`);
    expect(trace.run).toBe(2);
    expect(lines).toContainEqual(expect.stringMatching(/^1 workflow failed \(ALL_VENDORS_FAILED\)/));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^2 run 2 began: a reset of run ${failed.runId} \\(test: ops reset from the UI\\)`)));
    expect(lines).toContainEqual(expect.stringMatching(/^1 run 1 ended FAILED \(ALL_VENDORS_FAILED\); replaced by run 2: reset from the Temporal UI/));
    expect(lines).toContainEqual(expect.stringMatching(/^2 vendor reset-sandbox attempt 1: completed/));

    const diagnosis = (await herald.request('GET', `/v1/diagnose?receiver=${encodeURIComponent(String(send.receiver))}`)).body;
    expect(diagnosis.sends[0]).toMatchObject({ verdict: 'DELIVERED', runNo: 2 });
    expect(diagnosis.sends[0].explanation).toContain('Run 2 of this send (run 1 ended FAILED (ALL_VENDORS_FAILED) and was reset from the Temporal UI or CLI');
  });

  it('a DEFERRED send reset runs again from the start and waits for the same release time; send-now then sends it once', async () => {
    const receiver = deliverableReceiver();
    const sendId = await sendOne(herald, NIGHT, receiver, { n: '2' });
    const deferred = await eventually(async () => {
      const send = (await herald.request('GET', `/v1/sends/${sendId}`)).body;
      return send.status === 'DEFERRED' ? send : undefined;
    });
    const firstRun = (await handleOf(sendId).describe()).runId;

    const runId = await resetTo(sendId, firstWorkflowTask);
    const again = await eventually(async () => {
      const send = (await herald.request('GET', `/v1/sends/${sendId}`)).body;
      return send.status === 'DEFERRED' && send.runNo === 2 ? send : undefined;
    });
    expect(again).toMatchObject({ runId, deferredUntil: deferred.deferredUntil, earlierRuns: [{ runNo: 1, runId: firstRun, status: 'DEFERRED', replacedHow: 'RESET' }] });
    // The reset ended the first run: its timer can send nothing later.
    expect((await herald.temporal.client.workflow.getHandle(sendWorkflowId(sendId), firstRun).describe()).status.name).toBe('TERMINATED');

    const released = await herald.request('POST', `/v1/sends/${sendId}/send-now`);
    expect(released.body).toMatchObject({ outcome: 'RELEASED', status: 'SENDING' });
    expect(await finalInRun(sendId, 2)).toMatchObject({ status: 'DELIVERED' });
    expect(herald.vendor.sent().filter((s) => s.clientRef.startsWith(sendId)).map((s) => s.clientRef)).toEqual([`${sendId}.2`]);
  });

  it('a reset to the first workflow task of a DELIVERED send sends it again, as the operator chose, under a new reference; billed twice', async () => {
    const sendId = await sendNow('3');
    const first = await finalSend(herald, sendId);
    expect(first).toMatchObject({ status: 'DELIVERED', runNo: 1 });
    const billedBefore = await acceptedThisMonth();

    const runId = await resetTo(sendId, firstWorkflowTask);
    const again = await finalInRun(sendId, 2);
    // Its own dedup slot (counted by run 1) does not dedup run 2.
    expect(again).toMatchObject({ status: 'DELIVERED', runId, earlierRuns: [{ status: 'DELIVERED', vendorMessageId: first.vendorMessageId, replacedHow: 'RESET' }] });
    expect(again.vendorMessageId).not.toBe(first.vendorMessageId);
    expect(herald.vendor.sent().filter((s) => s.clientRef.startsWith(sendId)).map((s) => s.clientRef)).toEqual([sendId, `${sendId}.2`]);
    expect(again.receipts.map((r: { status: string; runId: string }) => r.runId)).toEqual([first.runId, runId]);
    expect(await acceptedThisMonth()).toBe(billedBefore + 1);
  });

  it('a reset of a finished send with a receipt to after the vendor step reads the receipt again, never sends again, bills once', async () => {
    const sendId = await sendNow('4');
    const first = await finalSend(herald, sendId);
    expect(first.status).toBe('DELIVERED');
    const billedBefore = await acceptedThisMonth();

    const runId = await resetTo(sendId, afterVendor);
    const again = await finalInRun(sendId, 2);
    expect(again).toMatchObject({ status: 'DELIVERED', runId, vendorMessageId: first.vendorMessageId, sentAt: first.sentAt, earlierRuns: [{ status: 'DELIVERED', replacedHow: 'RESET' }] });
    expect(herald.vendor.sent().filter((s) => s.clientRef.startsWith(sendId))).toHaveLength(1);
    expect(again.attempts).toHaveLength(1);
    expect(await acceptedThisMonth()).toBe(billedBefore);
  });

  it('POST /v1/sends/:id/retry re-runs a FAILED send once (two at once: one retries, the other answers ALREADY_RETRIED) and refuses a DELIVERED one; diagnose shows the retry', async () => {
    herald.vendor.faults.inject('balance', 1);
    const sendId = await sendNow('5');
    expect(await finalSend(herald, sendId)).toMatchObject({ status: 'FAILED' });

    const both = await Promise.all([1, 2].map(() => herald.request('POST', `/v1/sends/${sendId}/retry`)));
    const retried = both.find((answer) => answer.status === 202);
    const again = both.find((answer) => answer.status === 200);
    expect(retried?.body).toMatchObject({ outcome: 'RETRIED', how: 'RESET', runNo: 2, previousStatus: 'FAILED', previousReason: 'ALL_VENDORS_FAILED' });
    expect(again?.body).toMatchObject({ outcome: 'ALREADY_RETRIED', runId: retried?.body.runId, runNo: 2 });

    const send = await finalInRun(sendId, 2);
    expect(send).toMatchObject({ status: 'DELIVERED', earlierRuns: [{ replacedHow: 'RETRY', requestedBy: expect.stringMatching(/^api-key /), status: 'FAILED' }] });
    expect((await herald.request('POST', `/v1/sends/${sendId}/retry`)).body).toMatchObject({ outcome: 'ALREADY_RETRIED', status: 'DELIVERED' });
    expect(herald.vendor.sent().filter((s) => s.clientRef.startsWith(sendId)).map((s) => s.clientRef)).toEqual([`${sendId}.2`]);
    const history = await handleOf(sendId).fetchHistory();
    const resetEvent = history.events?.find((e) => e.workflowTaskFailedEventAttributes?.newRunId);
    expect(resetEvent?.workflowTaskFailedEventAttributes?.failure?.message).toMatch(/^retry by api-key .+ \(POST \/v1\/sends\/.+\/retry\): run 1 ended FAILED ALL_VENDORS_FAILED$/);

    const diagnosis = (await herald.request('GET', `/v1/diagnose?receiver=${encodeURIComponent(String(send.receiver))}`)).body;
    expect(diagnosis.sends[0].explanation).toMatch(/^Run 2 of this send \(run 1 ended FAILED \(ALL_VENDORS_FAILED\) and was retried by api-key /);
    expect(diagnosis.sends[0].evidence.earlierRuns).toHaveLength(1);

    const delivered = await sendNow('6');
    expect((await finalSend(herald, delivered)).status).toBe('DELIVERED');
    const refused = await herald.request('POST', `/v1/sends/${delivered}/retry`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'NOT_RETRYABLE', details: { status: 'DELIVERED' } });
    expect(refused.body.error.message).toContain('only FAILED, EXPIRED or UNDELIVERED sends can be retried');
  });

  it('herald send retry says what it did', async () => {
    herald.vendor.faults.inject('balance', 1);
    const sendId = await sendNow('7');
    expect(await finalSend(herald, sendId)).toMatchObject({ status: 'FAILED' });
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HERALD_URL: herald.baseUrl, HERALD_API_KEY: herald.apiKey };
    const cli = (args: string[]) => new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile('node', ['bin/herald.js', ...args], { cwd: ROOT, env }, (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }));
    });
    const first = await cli(['send', 'retry', sendId]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`send ${sendId}: retried (was FAILED ALL_VENDORS_FAILED): its workflow was reset to its first task; run 2`);
    const second = await cli(['send', 'retry', sendId]);
    expect(second.stdout).toContain(`send ${sendId}: already retried (was FAILED ALL_VENDORS_FAILED)`);
    expect((await finalInRun(sendId, 2)).status).toBe('DELIVERED');
    expect((await cli(['send', 'retry', randomUUID()])).code).toBe(1);
  });

  it('a send no vendor took holds no dedup slot: all accounts down → FAILED; accounts fixed; the identical request is sent, not deduped', async () => {
    const receiver = deliverableReceiver();
    herald.vendor.faults.always('5xx');
    const down = await sendNow('8', receiver);
    expect(await finalSend(herald, down)).toMatchObject({ status: 'FAILED', reason: 'ALL_VENDORS_FAILED' });

    herald.vendor.faults.clear();
    const fixed = await sendNow('8', receiver);
    // Content dedup (600 s) and the daily cap (1) would both have stopped it, had the FAILED send kept its slot.
    expect(await finalSend(herald, fixed)).toMatchObject({ status: 'DELIVERED' });
    const duplicate = await sendNow('8', receiver);
    expect(await finalSend(herald, duplicate)).toMatchObject({ status: 'DEDUPED', reason: 'CONTENT_DUPLICATE', collidedWithSendId: fixed });
  });
});
