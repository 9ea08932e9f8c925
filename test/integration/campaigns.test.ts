import { randomUUID } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { campaignSendId, createCampaignActivities } from '../../src/activities/campaign-run';
import type { WorkflowStarter } from '../../src/sending/workflow-starter';
import type { SendInput } from '../../src/shared/contract';
import { CAMPAIGN_RUN_WORKFLOW, campaignScheduleId, type CampaignPageResult, type CampaignRunOutcome } from '../../src/shared/campaign-contract';
import type { campaignRun } from '../../src/workflows';
import { workflowSource } from '../../src/worker/workflow-bundle';
import { createAudience, csvLikeAudience } from '../support/audiences';
import { createCaller } from '../support/callers';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

const EVENT_TYPE = temporal.api.enums.v1.EventType;
type History = temporal.api.history.v1.IHistory;

const inAMonth = () => new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
const randomDigits = (n: number) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, '0');
/** A full collection before reading the heap, so the figures are live objects, not garbage not yet collected. */
v8.setFlagsFromString('--expose_gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  collectGarbage();
  return process.memoryUsage();
};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Campaigns against the real dev server, Postgres and Redis: a 10,000-line audience in pages, a small one end to end, a ticking schedule. */
describe('campaigns (real Temporal, Postgres, Redis)', () => {
  let herald: RunningHerald;
  let teamId: string;

  beforeAll(async () => {
    herald = await startHerald();
    teamId = (await herald.deps.prisma.team.findUniqueOrThrow({ where: { name: 'demo' } })).id;
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  /** A campaign over `audienceId` with the seed template (`Hello {name}, your order {order} has shipped.`). */
  async function createCampaign(audienceId: string, schedule: unknown = { at: inAMonth() }): Promise<string> {
    const created = await herald.request('POST', '/v1/campaigns', { name: `test ${randomUUID().slice(0, 8)}`, templateCode: 'welcome_sms', audienceId, schedule });
    expect({ status: created.status, error: created.body.error }).toEqual({ status: 201, error: undefined });
    return created.body.id;
  }

  /** Every execution's history of a workflow, following continue-as-new from the first run. */
  async function executionHistories(workflowId: string, firstRunId: string): Promise<History[]> {
    const histories: History[] = [];
    let runId: string | null | undefined = firstRunId;
    while (runId) {
      const history = await herald.temporal.client.workflow.getHandle(workflowId, runId).fetchHistory();
      histories.push(history);
      runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    }
    return histories;
  }

  function pageResults(history: History): CampaignPageResult[] {
    return (history.events ?? [])
      .flatMap((event) => event.activityTaskCompletedEventAttributes?.result?.payloads ?? [])
      .map((payload) => defaultPayloadConverter.fromPayload<CampaignPageResult | { open: boolean } | undefined>(payload))
      .filter((result): result is CampaignPageResult => typeof result === 'object' && 'rows' in result);
  }

  it('runs a 10,000-row CSV audience (3 malformed rows) in pages: one send per row, continued as new, counts add up', async () => {
    // Uploaded as a CSV file through the API: line 1 the header, lines 2..10,001 the rows; three malformed.
    const malformed = new Map([[57, '12ab57,Name57,O-57'], [5_003, '+8613400005003,Name5003'], [9_998, '+8613400009998,,O-9998']]);
    const rows: Array<{ line: number; receiver: string }> = [];
    const csvLines = ['receiver,name,order'];
    for (let line = 2; line <= 10_001; line += 1) {
      const receiver = `+86134${String(line).padStart(8, '0')}`;
      csvLines.push(malformed.get(line) ?? `${receiver},Name${line},O-${line}`);
      if (!malformed.has(line)) rows.push({ line, receiver });
    }
    const uploaded = await herald.request('POST', '/v1/audiences?name=big-campaign&channel=SMS', `${csvLines.join('\r\n')}\r\n`, { 'content-type': 'text/csv' });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ rowCount: 9_997, invalidCount: 3 });
    expect((uploaded.body.errors as Array<{ line: number; reason: string }>).map((e) => e.line)).toEqual([57, 5_003, 9_998]);
    const audienceId = String(uploaded.body.id);
    const campaignId = await createCampaign(audienceId);

    // The run on its own worker, with the real page activity and Postgres, but a starter that counts the send
    // workflows it is asked to start instead of starting them: 10,000 starts take minutes on a shared dev server
    // (about 30/s measured here), and the small campaign below runs the real starter end to end.
    const runQueue = `campaign-big-${randomUUID()}`;
    const starts = new Map<string, number>();
    const startInputs: SendInput[] = [];
    const countingStarter: WorkflowStarter = {
      async start(inputs) {
        for (const input of inputs) starts.set(input.sendId, (starts.get(input.sendId) ?? 0) + 1);
        if (startInputs.length === 0) startInputs.push(...inputs.slice(0, 1));
        // As the real starter does: a marked outbox row is not started again by the API's relay.
        await herald.deps.prisma.outbox.updateMany({ where: { sendId: { in: inputs.map((i) => i.sendId) } }, data: { startedAt: new Date() } });
        return [];
      },
      async startFanOuts() {
        throw new Error('a campaign page never starts a fan-out');
      },
    };
    const worker = await Worker.create({
      connection: herald.temporal.nativeConnection,
      namespace: herald.deps.config.TEMPORAL_NAMESPACE,
      taskQueue: runQueue,
      ...workflowSource(herald.deps.config.WORKFLOW_BUNDLE_PATH),
      activities: createCampaignActivities({ prisma: herald.deps.prisma, starter: countingStarter, defaults: herald.deps.config, logger: herald.deps.logger }),
    });
    const memoryBefore = heapAfterGc();
    let peakHeap = memoryBefore.heapUsed;
    let peakRss = memoryBefore.rss;
    const snapshots: Array<{ pages: number | null; total: number; rowsTotal: number }> = [];
    const workflowId = `campaign-${campaignId}-run-big`;

    const { outcome, firstRunId } = await worker.runUntil(async () => {
      const handle = await herald.temporal.client.workflow.start<typeof campaignRun>(CAMPAIGN_RUN_WORKFLOW, {
        taskQueue: runQueue,
        workflowId,
        args: [{ campaignId, pageSize: 500, pagesPerExecution: 8 }],
      });
      let finished = false;
      const result = handle.result().finally(() => {
        finished = true;
      });
      while (!finished) {
        const run = await herald.deps.prisma.campaignRun.findUnique({ where: { workflowId } });
        if (run) {
          const progress = await herald.request('GET', `/v1/campaigns/${campaignId}/runs/${run.id}`);
          if (progress.status === 200) snapshots.push({ pages: progress.body.live?.pages ?? null, total: progress.body.sends.total, rowsTotal: progress.body.rowsTotal });
        }
        const memory = process.memoryUsage();
        peakHeap = Math.max(peakHeap, memory.heapUsed);
        peakRss = Math.max(peakRss, memory.rss);
        await Promise.race([result, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      }
      return { outcome: await result, firstRunId: handle.firstExecutionRunId };
    });
    const memoryAfter = heapAfterGc();
    console.log(
      `campaign of 9,997 rows: worker process heap after GC ${mb(memoryBefore.heapUsed)} before, ${mb(memoryAfter.heapUsed)} after (${mb(peakHeap)} peak sampled, garbage included); ` +
        `RSS ${mb(memoryBefore.rss)} before, ${mb(peakRss)} peak, ${mb(memoryAfter.rss)} after; ${snapshots.length} progress snapshots while it ran`,
    );

    expect(outcome).toMatchObject({ state: 'FINISHED', pages: 20, rowsStarted: 9_997, rowsSkipped: 0, executions: 3 } satisfies Partial<CampaignRunOutcome>);
    if (outcome.state !== 'FINISHED') throw new Error('not finished');

    // Every row exactly one send, with the id of its (run, line), rendered with the row's own variables.
    const run = await herald.deps.prisma.campaignRun.findUniqueOrThrow({ where: { workflowId } });
    const sends = await herald.deps.prisma.send.findMany({ where: { messageId: run.messageId }, select: { id: true, receiver: true, content: true, status: true } });
    expect(sends).toHaveLength(9_997);
    expect(new Set(sends.map((s) => s.receiver)).size).toBe(9_997);
    expect(new Set(sends.map((s) => s.id))).toEqual(new Set(rows.map((row) => campaignSendId(run.id, row.line))));
    const line2 = sends.find((s) => s.id === campaignSendId(run.id, 2));
    expect(line2?.content).toBe('Hello Name2, your order O-2 has shipped.');
    // Every send asked to start exactly once, with an outbox row behind it for the relay.
    expect(starts.size).toBe(9_997);
    expect([...starts.values()].every((count) => count === 1)).toBe(true);
    expect(new Set(starts.keys())).toEqual(new Set(sends.map((s) => s.id)));
    expect(startInputs[0]).toMatchObject({ messageId: run.messageId, templateCode: 'welcome_sms', teamId, channel: 'SMS', sendAt: null });
    expect(await herald.deps.prisma.outbox.count({ where: { send: { messageId: run.messageId }, startedAt: { not: null } } })).toBe(9_997);
    expect(await herald.deps.prisma.message.findUniqueOrThrow({ where: { id: run.messageId } })).toMatchObject({ receiverCount: 9_997, teamId });

    // Pages: at most the page size each, adding up to the rows; each execution's history bounded.
    const histories = await executionHistories(workflowId, firstRunId);
    expect(histories).toHaveLength(3);
    const pages = histories.flatMap(pageResults);
    expect(pages.filter((page) => page.rows > 0)).toHaveLength(20);
    expect(pages.every((page) => page.rows <= 500)).toBe(true);
    expect(pages.reduce((sum, page) => sum + page.rows, 0)).toBe(9_997);
    const lengths = histories.map((history) => history.events?.length ?? 0);
    console.log(`history events per execution: ${lengths.join(', ')} (8 pages per execution)`);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(8 * 6 + 20);
    expect(histories.slice(0, 2).every((history) => history.events?.at(-1)?.eventType === EVENT_TYPE.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW)).toBe(true);

    // The progress answer adds up: 9,997 sends (all still ACCEPTED: none was started for real), 3 invalid lines, 20 pages.
    const progress = await herald.request('GET', `/v1/campaigns/${campaignId}/runs/${run.id}`);
    expect(progress.body).toMatchObject({ state: 'FINISHED', rowsTotal: 9_997, rowsStarted: 9_997, pages: 20, invalidRows: 3, live: null, sends: { total: 9_997 } });
    expect(Object.values(progress.body.sends.byStatus as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(9_997);
    expect(progress.body.rowsTotal + progress.body.invalidRows).toBe(10_000);
    expect((progress.body.invalidLines as Array<{ line: number }>).map((e) => e.line)).toEqual([57, 5_003, 9_998]);
    // While it ran, the answers never counted more than the audience.
    expect(snapshots.every((s) => s.total <= 9_997 && s.rowsTotal === 9_997 && (s.pages === null || s.pages <= 20))).toBe(true);
  }, 180_000);

  it('sends a small campaign end to end on trigger: delivered, the suppressed receiver SUPPRESSED, counts add up', async () => {
    const { rows } = csvLikeAudience(20, [], `+86139${randomDigits(3)}`);
    const suppressed = rows[4]?.receiver ?? '';
    expect((await herald.request('POST', '/v1/suppressions', { channel: 'SMS', receiver: suppressed, reason: 'UNSUBSCRIBED' })).status).toBeLessThan(300);
    const audienceId = await createAudience(herald.deps.prisma, { teamId, variableColumns: ['name', 'order'], rows });
    const campaignId = await createCampaign(audienceId, { cron: '0 9 1 1 *', timeZone: 'Asia/Shanghai' });

    const view = await herald.request('GET', `/v1/campaigns/${campaignId}`);
    expect(view.body).toMatchObject({ state: 'ACTIVE', temporal: { scheduleId: campaignScheduleId(campaignId), paused: false, remainingActions: null }, runs: [] });
    expect(view.body.temporal.nextActionTimes.length).toBeGreaterThan(0);

    expect((await herald.request('POST', `/v1/campaigns/${campaignId}/trigger`)).status).toBe(202);
    const runId = await eventually(async () => (await herald.request('GET', `/v1/campaigns/${campaignId}`)).body.runs[0]?.runId as string | undefined);
    const done = await eventually(async () => {
      const progress = await herald.request('GET', `/v1/campaigns/${campaignId}/runs/${runId}`);
      const byStatus = progress.body.sends.byStatus as Record<string, number>;
      return progress.body.state === 'FINISHED' && (byStatus.DELIVERED ?? 0) + (byStatus.SUPPRESSED ?? 0) === 20 ? progress.body : undefined;
    }, 60_000);
    expect(done).toMatchObject({ rowsTotal: 20, rowsStarted: 20, pages: 1, invalidRows: 0, sends: { total: 20, byStatus: { DELIVERED: 19, SUPPRESSED: 1 } } });

    const run = await herald.deps.prisma.campaignRun.findUniqueOrThrow({ where: { id: runId } });
    const suppressedSend = await herald.deps.prisma.send.findFirstOrThrow({ where: { messageId: run.messageId, receiver: suppressed } });
    expect(suppressedSend.status).toBe('SUPPRESSED');
    const delivered = await herald.deps.prisma.send.findUniqueOrThrow({ where: { id: campaignSendId(run.id, 3) } });
    expect(delivered).toMatchObject({ status: 'DELIVERED', content: 'Hello Name3, your order O-3 has shipped.', segments: 1 });
    // The vendor saw each delivered send once, and never the suppressed receiver.
    const atVendor = herald.vendor.sent().filter((s) => rows.some((row) => campaignSendId(run.id, row.line) === s.clientRef));
    expect(atVendor).toHaveLength(19);
    // Ops views see campaign sends like any other.
    const diagnosis = await herald.request('GET', `/v1/diagnose?receiver=${encodeURIComponent(suppressed)}`);
    expect(diagnosis.status).toBe(200);
  }, 120_000);

  it('runs a recurring campaign on each tick; pause stops new runs, trigger makes one, delete removes the schedule', async () => {
    const { rows } = csvLikeAudience(2, [], `+86135${randomDigits(3)}`);
    const audienceId = await createAudience(herald.deps.prisma, { teamId, variableColumns: ['name', 'order'], rows });
    // Every 2 seconds: a 7-field cron (second minute hour day month weekday year).
    const campaignId = await createCampaign(audienceId, { cron: '*/2 * * * * * *', timeZone: 'UTC' });
    const runCount = () => herald.deps.prisma.campaignRun.count({ where: { campaignId } });

    await eventually(async () => ((await runCount()) >= 2 ? true : undefined), 30_000);
    const paused = await herald.request('POST', `/v1/campaigns/${campaignId}/pause`);
    expect(paused.body).toMatchObject({ state: 'PAUSED', temporal: { paused: true } });
    // A tick taken just before the pause may still open its run: let it, then count.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const atPause = await runCount();
    await new Promise((resolve) => setTimeout(resolve, 6_000)); // three ticks' worth
    expect(await runCount()).toBe(atPause);

    expect((await herald.request('POST', `/v1/campaigns/${campaignId}/trigger`)).status).toBe(202);
    await eventually(async () => ((await runCount()) === atPause + 1 ? true : undefined), 30_000);

    const resumed = await herald.request('POST', `/v1/campaigns/${campaignId}/resume`);
    expect(resumed.body).toMatchObject({ state: 'ACTIVE', temporal: { paused: false } });

    expect((await herald.request('DELETE', `/v1/campaigns/${campaignId}`)).status).toBe(204);
    const deleted = await herald.request('GET', `/v1/campaigns/${campaignId}`);
    expect(deleted.body).toMatchObject({ state: 'DELETED', temporal: null });
    await expect(herald.temporal.client.schedule.getHandle(campaignScheduleId(campaignId)).describe()).rejects.toThrow();
    expect((await herald.request('POST', `/v1/campaigns/${campaignId}/trigger`)).status).toBe(409);
    const listed = await herald.request('GET', '/v1/campaigns');
    expect((listed.body.campaigns as Array<{ id: string }>).some((c) => c.id === campaignId)).toBe(false);
  }, 120_000);

  it('a tick sends nothing once the key that created the campaign is revoked', async () => {
    const { rows } = csvLikeAudience(2, [], `+86136${randomDigits(3)}`);
    const audienceId = await createAudience(herald.deps.prisma, { teamId, variableColumns: ['name', 'order'], rows });
    const creator = await createCaller(herald.deps.prisma, 'demo', ['send']);
    const created = await herald.request('POST', '/v1/campaigns', { name: 'revoked creator', templateCode: 'welcome_sms', audienceId, schedule: { at: inAMonth() } }, creator.auth);
    expect(created.status).toBe(201);
    const campaignId = String(created.body.id);
    await herald.deps.prisma.apiKey.update({ where: { id: creator.apiKeyId }, data: { revokedAt: new Date() } });

    expect((await herald.request('POST', `/v1/campaigns/${campaignId}/trigger`)).status).toBe(202);
    const outcome = await eventually(async () => {
      for await (const run of herald.temporal.client.workflow.list({ query: `WorkflowType = "${CAMPAIGN_RUN_WORKFLOW}" AND WorkflowId STARTS_WITH "campaign-${campaignId}"` })) {
        if (run.status.name === 'COMPLETED') return herald.temporal.client.workflow.getHandle(run.workflowId, run.runId).result() as Promise<CampaignRunOutcome>;
      }
      return undefined;
    }, 30_000, 500);
    expect(outcome).toEqual({ state: 'SKIPPED', reason: 'the API key that created the campaign was revoked' });
    expect(await herald.deps.prisma.campaignRun.count({ where: { campaignId } })).toBe(0);
    expect(await herald.deps.prisma.send.count({ where: { receiver: { in: rows.map((r) => r.receiver) } } })).toBe(0);
  });

  it('refuses campaigns that cannot send, naming the field; another team sees none of them', async () => {
    const { rows } = csvLikeAudience(1, [], '+86136');
    const onlyName = await createAudience(herald.deps.prisma, { teamId, variableColumns: ['name'], rows });
    const create = (body: Record<string, unknown>) => herald.request('POST', '/v1/campaigns', { name: 'refused', templateCode: 'welcome_sms', audienceId: onlyName, schedule: { at: inAMonth() }, ...body });

    const missing = await create({});
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'MISSING_COLUMNS', details: { missing: [{ field: 'audienceId', column: 'order' }] } });

    const email = await createAudience(herald.deps.prisma, { teamId, channel: 'EMAIL', variableColumns: ['name', 'order'], rows: [{ line: 2, receiver: 'a@example.com', variables: { name: 'a', order: 'b' } }] });
    expect((await create({ audienceId: email })).body.error).toMatchObject({ code: 'CHANNEL_MISMATCH', details: { field: 'audienceId' } });
    const uploading = await createAudience(herald.deps.prisma, { teamId, variableColumns: ['name', 'order'], rows, status: 'UPLOADING' });
    expect((await create({ audienceId: uploading })).status).toBe(409);
    const full = await createAudience(herald.deps.prisma, { teamId, variableColumns: ['name', 'order'], rows });
    expect((await create({ audienceId: full, schedule: { at: new Date(Date.now() - 1000).toISOString() } })).body.error).toMatchObject({ code: 'INVALID_SCHEDULE', details: { field: 'schedule.at' } });
    const badCron = await create({ audienceId: full, schedule: { cron: 'not a cron', timeZone: 'UTC' } });
    expect(badCron.body.error).toMatchObject({ code: 'INVALID_SCHEDULE', details: { field: 'schedule.cron' } });
    expect(await herald.deps.prisma.campaign.count({ where: { audienceId: full } })).toBe(0);
    expect((await create({ audienceId: full, schedule: { cron: '0 9 * * *', timeZone: 'Mars/Olympus' } })).body.error).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((await create({ audienceId: full, templateCode: 'no_such_template' })).status).toBe(404);
    expect((await create({ audienceId: randomUUID() })).status).toBe(404);

    const campaignId = await createCampaign(full);
    const stranger = await createCaller(herald.deps.prisma, `campaign-stranger-${randomUUID().slice(0, 8)}`, ['send']);
    expect((await herald.request('GET', `/v1/campaigns/${campaignId}`, undefined, stranger.auth)).status).toBe(404);
    expect((await herald.request('POST', `/v1/campaigns/${campaignId}/pause`, undefined, stranger.auth)).status).toBe(404);
    expect((await herald.request('DELETE', `/v1/campaigns/${campaignId}`, undefined, stranger.auth)).status).toBe(404);
    expect((await herald.request('GET', '/v1/campaigns', undefined, stranger.auth)).body.campaigns).toEqual([]);
    expect((await herald.request('POST', '/v1/campaigns', { name: 'x', templateCode: 'welcome_sms', audienceId: full, schedule: { at: inAMonth() } }, stranger.auth)).status).toBe(404);
    expect((await herald.request('DELETE', `/v1/campaigns/${campaignId}`)).status).toBe(204);
  }, 60_000);
});
