import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { campaignSendId, createCampaignActivities } from '../../src/activities/campaign-run';
import { campaignRunProgressSchema } from '../../src/api/campaign-answers';
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

/** The large audience: data lines of the CSV, in pages of PAGE_SIZE, PAGES_PER_EXECUTION pages before each continue-as-new. */
const DATA_LINES = 1_000;
const PAGE_SIZE = 50;
const PAGES_PER_EXECUTION = 8;
/** 997 valid rows in pages of 50; 8 pages per execution → 3 executions. */
const PAGES = 20;
const EXECUTIONS = 3;
const PROGRESS_POLL_MS = 200;

/** Campaigns against the real dev server, Postgres and Redis: a 1,000-line audience in pages, a small one end to end, a ticking schedule. */
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

  it(`runs a ${DATA_LINES}-row CSV audience (3 malformed rows) in pages: one send per row, continued as new, counts add up`, async () => {
    // Uploaded as a CSV file through the API: line 1 the header, then the rows; three malformed.
    const malformed = new Map([[57, '12ab57,Name57,O-57'], [503, '+8613400000503,Name503'], [998, '+8613400000998,,O-998']]);
    const rows: Array<{ line: number; receiver: string }> = [];
    const csvLines = ['receiver,name,order'];
    for (let line = 2; line <= DATA_LINES + 1; line += 1) {
      const receiver = `+86134${String(line).padStart(8, '0')}`;
      csvLines.push(malformed.get(line) ?? `${receiver},Name${line},O-${line}`);
      if (!malformed.has(line)) rows.push({ line, receiver });
    }
    const valid = rows.length;
    const uploaded = await herald.request('POST', '/v1/audiences?name=big-campaign&channel=SMS', `${csvLines.join('\r\n')}\r\n`, { 'content-type': 'text/csv' });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ rowCount: valid, invalidCount: 3 });
    expect((uploaded.body.errors as Array<{ line: number; reason: string }>).map((e) => e.line)).toEqual([...malformed.keys()]);
    const audienceId = String(uploaded.body.id);
    const campaignId = await createCampaign(audienceId);

    // The run on its own worker, with the real page activity and Postgres, but a starter that counts the send
    // workflows it is asked to start instead of starting them (the small campaign below runs the real starter
    // end to end). The worker's memory over a large audience: bench/campaign-run.ts.
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
    const snapshots: Array<{ pages: number | null; total: number; rowsTotal: number; liveFields: string[] | null }> = [];
    const workflowId = `campaign-${campaignId}-run-big`;

    const { outcome, firstRunId } = await worker.runUntil(async () => {
      const handle = await herald.temporal.client.workflow.start<typeof campaignRun>(CAMPAIGN_RUN_WORKFLOW, {
        taskQueue: runQueue,
        workflowId,
        args: [{ campaignId, pageSize: PAGE_SIZE, pagesPerExecution: PAGES_PER_EXECUTION }],
      });
      // The progress answer while it runs, read every PROGRESS_POLL_MS until the run ends.
      let finished = false;
      const result = handle.result().finally(() => {
        finished = true;
      });
      while (!finished) {
        const run = await herald.deps.prisma.campaignRun.findUnique({ where: { workflowId } });
        const progress = run ? await herald.request('GET', `/v1/campaigns/${campaignId}/runs/${run.id}`) : null;
        if (progress?.status === 200) {
          const live = progress.body.live as Record<string, unknown> | null;
          snapshots.push({ pages: (live?.pages as number | undefined) ?? null, total: progress.body.sends.total, rowsTotal: progress.body.rowsTotal, liveFields: live && Object.keys(live).sort() });
        }
        await Promise.race([result, new Promise((resolve) => setTimeout(resolve, PROGRESS_POLL_MS))]);
      }
      return { outcome: await result, firstRunId: handle.firstExecutionRunId };
    });

    expect(outcome).toMatchObject({ state: 'FINISHED', pages: PAGES, rowsStarted: valid, rowsSkipped: 0, executions: EXECUTIONS } satisfies Partial<CampaignRunOutcome>);
    if (outcome.state !== 'FINISHED') throw new Error('not finished');

    // Every row exactly one send, with the id of its (run, line), rendered with the row's own variables.
    const run = await herald.deps.prisma.campaignRun.findUniqueOrThrow({ where: { workflowId } });
    const sends = await herald.deps.prisma.send.findMany({ where: { messageId: run.messageId }, select: { id: true, receiver: true, content: true, status: true } });
    expect(sends).toHaveLength(valid);
    expect(new Set(sends.map((s) => s.receiver)).size).toBe(valid);
    expect(new Set(sends.map((s) => s.id))).toEqual(new Set(rows.map((row) => campaignSendId(run.id, row.line))));
    const line2 = sends.find((s) => s.id === campaignSendId(run.id, 2));
    expect(line2?.content).toBe('Hello Name2, your order O-2 has shipped.');
    // Every send asked to start exactly once, with an outbox row behind it for the relay.
    expect(starts.size).toBe(valid);
    expect([...starts.values()].every((count) => count === 1)).toBe(true);
    expect(new Set(starts.keys())).toEqual(new Set(sends.map((s) => s.id)));
    expect(startInputs[0]).toMatchObject({ messageId: run.messageId, templateCode: 'welcome_sms', teamId, channel: 'SMS', sendAt: null });
    expect(await herald.deps.prisma.outbox.count({ where: { send: { messageId: run.messageId }, startedAt: { not: null } } })).toBe(valid);
    expect(await herald.deps.prisma.message.findUniqueOrThrow({ where: { id: run.messageId } })).toMatchObject({ receiverCount: valid, teamId });

    // Pages: at most the page size each, adding up to the rows; each execution's history bounded.
    const histories = await executionHistories(workflowId, firstRunId);
    expect(histories).toHaveLength(EXECUTIONS);
    const pages = histories.flatMap(pageResults);
    expect(pages.filter((page) => page.rows > 0)).toHaveLength(PAGES);
    expect(pages.every((page) => page.rows <= PAGE_SIZE)).toBe(true);
    expect(pages.reduce((sum, page) => sum + page.rows, 0)).toBe(valid);
    const lengths = histories.map((history) => history.events?.length ?? 0);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(PAGES_PER_EXECUTION * 6 + 20);
    expect(histories.slice(0, -1).every((history) => history.events?.at(-1)?.eventType === EVENT_TYPE.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW)).toBe(true);

    // The progress answer adds up: every row a send (all still ACCEPTED: none was started for real), 3 invalid lines.
    const progress = await herald.request('GET', `/v1/campaigns/${campaignId}/runs/${run.id}`);
    expect(progress.body).toMatchObject({ state: 'FINISHED', rowsTotal: valid, rowsStarted: valid, pages: PAGES, invalidRows: 3, live: null, sends: { total: valid } });
    expect(Object.values(progress.body.sends.byStatus as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(valid);
    expect(progress.body.rowsTotal + progress.body.invalidRows).toBe(DATA_LINES);
    expect((progress.body.invalidLines as Array<{ line: number }>).map((e) => e.line)).toEqual([...malformed.keys()]);
    // While it ran, the answers never counted more than the audience.
    expect(snapshots.every((s) => s.total <= valid && s.rowsTotal === valid && (s.pages === null || s.pages <= PAGES))).toBe(true);
    // While it ran, the answer's live progress held exactly the documented fields (the workflow's own runId is not one).
    const documentedLive = Object.keys(campaignRunProgressSchema.shape.live.unwrap().shape).sort();
    expect(snapshots.some((s) => s.liveFields !== null)).toBe(true);
    expect(snapshots.filter((s) => s.liveFields !== null && s.liveFields.join() !== documentedLive.join())).toEqual([]);
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
    // `temporal.paused` is the schedule's own state on the server: Temporal takes no scheduled action while it holds.
    expect(paused.body).toMatchObject({ state: 'PAUSED', temporal: { paused: true } });
    // A tick taken just before the pause may still open its run: wait until every action taken has its run.
    const schedule = herald.temporal.client.schedule.getHandle(campaignScheduleId(campaignId));
    const { numActionsTaken: atPause, recentActions } = (await schedule.describe()).info;
    await eventually(async () => ((await runCount()) === atPause ? true : undefined), 30_000);

    // Temporal names a run after the second it is taken in, and Herald keys runs by that name: a trigger within
    // the last tick's second would be that tick's run again. Trigger once the clock is past it.
    const lastTick = recentActions.at(-1)?.scheduledAt.getTime() ?? 0;
    await eventually(async () => (Date.now() >= lastTick + 1_000 ? true : undefined), 5_000, 50);
    expect((await herald.request('POST', `/v1/campaigns/${campaignId}/trigger`)).status).toBe(202);
    await eventually(async () => ((await runCount()) === atPause + 1 ? true : undefined), 30_000);
    // The trigger was the only action since the pause.
    expect((await schedule.describe()).info.numActionsTaken).toBe(atPause + 1);

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
