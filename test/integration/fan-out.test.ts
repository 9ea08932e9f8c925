import { MockActivityEnvironment } from '@temporalio/testing';
import { createFanOutActivities, type FanOutPageRequest } from '../../src/activities/fan-out-page';
import { createOutboxRelay } from '../../src/sending/outbox-relay';
import { createWorkflowStarter } from '../../src/sending/workflow-starter';
import { whitelistFromConfig } from '../../src/screening/whitelist';
import { FAN_OUT_WORKFLOW, fanOutProgressQuery, fanOutWorkflowId, SEND_WORKFLOW } from '../../src/shared/contract';
import { createSendWorker } from '../../src/worker/create-worker';
import { deliverableReceiver, expectDeliveredOnce } from '../support/exactly-once';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

const THRESHOLD = 10;
const PAGE_SIZE = 20;
const PAGES_PER_RUN = 3;
/** Four full pages and an empty one: two runs of at most PAGES_PER_RUN pages. */
const LARGE = 4 * PAGE_SIZE;

/** Distinct valid mainland numbers (not ending in the sandbox's magic 0000 / 0001). */
function receivers(count: number, prefix: string): string[] {
  return Array.from({ length: count }, (_, i) => `+86137${prefix}${String(i).padStart(6, '0')}7`);
}

/**
 * Large messages (at least FAN_OUT_MIN_RECEIVERS sends, lowered here) are
 * accepted with ONE outbox row for the message and started by one fan-out
 * workflow `message-<id>` in pages, on the real dev server, Postgres and the
 * sandbox vendor. The API reaches Temporal through a TCP proxy the test can
 * cut; the worker runs only inside `withWorker`, so the test sees what the
 * API alone did.
 */
describe('large messages fan out in pages', () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald({
      FAN_OUT_MIN_RECEIVERS: String(THRESHOLD),
      FAN_OUT_PAGE_SIZE: String(PAGE_SIZE),
      FAN_OUT_PAGES_PER_RUN: String(PAGES_PER_RUN),
    }, { proxyTemporal: true, runWorker: false });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  async function withWorker<T>(work: () => Promise<T>): Promise<T> {
    const { deps, temporal } = herald;
    const worker = await createSendWorker({
      connection: temporal.nativeConnection, namespace: temporal.namespace ?? 'default', taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      deps: { ...deps, whitelist: whitelistFromConfig(deps.config) },
    });
    return worker.runUntil(work);
  }

  /** Send workflow runs per workflow id in this file's task queue, from Temporal's visibility. */
  async function sendRuns(): Promise<Map<string, number>> {
    const runs = new Map<string, number>();
    const query = `TaskQueue = "${herald.deps.config.TEMPORAL_TASK_QUEUE}" AND WorkflowType = "${SEND_WORKFLOW}"`;
    for await (const run of herald.temporal.client.workflow.list({ query })) runs.set(run.workflowId, (runs.get(run.workflowId) ?? 0) + 1);
    return runs;
  }

  it('the relay starts a fan-out whose start failed while Temporal was down; a second relay pass starts nothing twice', async () => {
    const { prisma, config, logger, metrics } = herald.deps;
    const proxy = herald.temporalProxy;
    if (!proxy) throw new Error('started without a Temporal proxy');
    await proxy.cut();
    const accepted = await herald.request('POST', '/v1/messages', {
      templateCode: 'verify_code', receivers: Array.from({ length: THRESHOLD + 10 }, () => deliverableReceiver()), variables: { code: '4712' },
    });
    expect(accepted.status).toBe(202);
    const messageId = String(accepted.body.messageId);
    const sendIds = (accepted.body.sends as Array<{ sendId: string }>).map((s) => s.sendId);
    // The API's own start failed: the message's outbox row waits, no send has started.
    await eventually(async () => ((await prisma.outbox.findFirst({ where: { messageId, lastError: { not: null } } })) ? true : undefined), 30_000);
    expect(await prisma.outbox.findFirstOrThrow({ where: { messageId } })).toMatchObject({ startedAt: null });
    expect(await prisma.send.count({ where: { messageId, status: 'ACCEPTED' } })).toBe(sendIds.length);

    await proxy.restore();
    // The relay's backoff grew while Temporal was down; what this test proves is that the relay starts it, not when.
    await prisma.outbox.updateMany({ where: { messageId }, data: { nextAttemptAt: new Date() } });
    await withWorker(async () => {
      await expectDeliveredOnce(herald, sendIds, 120_000);
      expect(await prisma.outbox.findFirstOrThrow({ where: { messageId } })).toMatchObject({ startedAt: expect.any(Date) });

      // A lost outbox mark makes the relay start the fan-out again: a new run pages through and starts nothing.
      await prisma.outbox.updateMany({ where: { messageId }, data: { startedAt: null, nextAttemptAt: new Date(0), createdAt: new Date(Date.now() - 60_000) } });
      const starter = createWorkflowStarter({
        temporal: herald.temporal.client, prisma, taskQueue: config.TEMPORAL_TASK_QUEUE, logger, fanOut: { pageSize: PAGE_SIZE, pagesPerRun: PAGES_PER_RUN },
      });
      const relay = createOutboxRelay({ prisma, starter, config, logger, metrics });
      await eventually(async () => ((await prisma.outbox.findFirstOrThrow({ where: { messageId } })).startedAt ? true : (await relay.relayOnce(), undefined)), 30_000, 500);
      const rerun = await herald.temporal.client.workflow.getHandle(fanOutWorkflowId(messageId)).result();
      expect(rerun).toMatchObject({ started: 0, done: true });
      await expectDeliveredOnce(herald, sendIds, 30_000);
    });
  }, 300_000);

  it(`answers ${LARGE} receivers with one fan-out start, then starts every send workflow exactly once`, async () => {
    const { prisma } = herald.deps;
    // Scheduled a day ahead: each started send sleeps on its timer, so they stay cheap here.
    const sendAt = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'verify_code', receivers: receivers(LARGE, '1'), variables: { code: '4711' }, sendAt });
    expect(accepted.status).toBe(202);
    const messageId = String(accepted.body.messageId);
    const sendIds = (accepted.body.sends as Array<{ sendId: string }>).map((s) => s.sendId);
    expect(sendIds).toHaveLength(LARGE);
    // One outbox row for the message, none per send.
    expect(await prisma.outbox.findMany({ where: { OR: [{ messageId }, { sendId: { in: sendIds } }] }, select: { messageId: true, sendId: true } }))
      .toEqual([{ messageId, sendId: null }]);
    // The API started the fan-out and no send: without a worker nothing else runs.
    const fanOut = herald.temporal.client.workflow.getHandle(fanOutWorkflowId(messageId));
    await eventually(async () => ((await prisma.outbox.findFirstOrThrow({ where: { messageId } })).startedAt ? true : undefined), 30_000);
    expect(await fanOut.describe()).toMatchObject({ type: FAN_OUT_WORKFLOW, status: { name: 'RUNNING' } });
    const before = await sendRuns();
    expect(sendIds.filter((id) => before.has(`send-${id}`))).toEqual([]);

    await withWorker(async () => {
      const result = await fanOut.result();
      // 4 full pages and an empty one, 3 pages per run → 2 runs.
      expect(result).toEqual({ messageId, pages: 5, started: LARGE, after: expect.any(String), done: true });
      expect(await fanOut.query(fanOutProgressQuery)).toMatchObject({ started: LARGE, done: true });
      const runs = await eventually(async () => {
        const seen = await sendRuns();
        return sendIds.every((id) => seen.has(`send-${id}`)) ? seen : undefined;
      }, 60_000, 1_000);
      expect(sendIds.map((id) => runs.get(`send-${id}`))).toEqual(sendIds.map(() => 1));
    });
    let fanOutRuns = 0;
    for await (const run of herald.temporal.client.workflow.list({ query: `WorkflowId = "${fanOutWorkflowId(messageId)}"` })) {
      expect(run.type).toBe(FAN_OUT_WORKFLOW);
      fanOutRuns += 1;
    }
    expect(fanOutRuns).toBe(2);
  }, 300_000);

  it('the page activity heartbeats as its starts go out, so a worker that died mid-page is noticed within the heartbeat timeout', async () => {
    const { prisma, config, logger } = herald.deps;
    const template = await prisma.template.findFirstOrThrow({ where: { code: 'welcome_sms' } });
    const apiKey = await prisma.apiKey.findFirstOrThrow({ where: { teamId: template.teamId } });
    const message = await prisma.message.create({ data: { apiKeyId: apiKey.id, teamId: template.teamId, templateId: template.id, requestHash: 'heartbeat-test', receiverCount: 3 } });
    await prisma.send.createMany({
      data: receivers(3, '99').map((receiver) => ({ messageId: message.id, templateId: template.id, channel: 'SMS', receiver, receiverRaw: receiver, content: 'x' })),
    });
    const started: string[] = [];
    const pages = createFanOutActivities({
      prisma, config, logger,
      starter: {
        async start(inputs, onStarted) {
          for (const input of inputs) {
            started.push(input.sendId);
            onStarted?.();
          }
          return [];
        },
        async startFanOuts() {
          return [];
        },
      },
    });
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    const page = await env.run((request: FanOutPageRequest) => pages.startSendPage(request), { messageId: message.id, after: null, pageSize: 10 });
    expect(page).toMatchObject({ started: 3, next: null });
    expect(started).toHaveLength(3);
    // One before the starts, one after each.
    expect(beats).toHaveLength(4);
  });
});
