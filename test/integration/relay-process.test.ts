import { createOutboxRelay } from '../../src/sending/outbox-relay';
import { createOutboxSignal } from '../../src/sending/outbox-signal';
import { starterFromConfig, type WorkflowStarter } from '../../src/sending/workflow-starter';
import { spawnHerald, freePort, type HeraldProcess } from '../support/child-process';
import { deliverableReceiver, expectDeliveredOnce } from '../support/exactly-once';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

/**
 * The relay apart from the API (`API_OUTBOX_RELAY=false`, `npm run start:relay`): the API only
 * commits rows and answers; relay processes, polling, start the workflows. Two relays at once start
 * every send exactly once (each pass claims its rows under a lease).
 */
describe('relay processes apart from the API', () => {
  let herald: RunningHerald;
  const relays: HeraldProcess[] = [];

  async function startRelay(): Promise<HeraldProcess> {
    const metricsPort = await freePort();
    const relay = await spawnHerald('src/sending/relay-main.ts', {
      DATABASE_URL: herald.deps.config.DATABASE_URL,
      REDIS_URL: herald.deps.config.REDIS_URL,
      TEMPORAL_ADDRESS: herald.temporal.connection.options.address,
      TEMPORAL_TASK_QUEUE: herald.deps.config.TEMPORAL_TASK_QUEUE,
      RELAY_METRICS_PORT: String(metricsPort),
      OUTBOX_RELAY_POLL_MS: '100',
    }, `http://127.0.0.1:${metricsPort}/metrics`);
    relays.push(relay);
    return relay;
  }

  async function unstarted(sendIds: string[]): Promise<number> {
    return herald.deps.prisma.outbox.count({ where: { sendId: { in: sendIds }, startedAt: null } });
  }

  beforeAll(async () => {
    herald = await startHerald({ API_OUTBOX_RELAY: 'false' });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(relays.map((relay) => relay.kill('SIGKILL')));
    await herald?.stop();
  });

  it('an API without a relay only commits; two relay processes start every send once, and stop cleanly', async () => {
    const accepted = await herald.request('POST', '/v1/messages', {
      templateCode: 'verify_code', receivers: Array.from({ length: 30 }, () => deliverableReceiver()), variables: { code: '4711' },
    });
    expect(accepted.status).toBe(202);
    const sendIds: string[] = accepted.body.sends.map((send: { sendId: string }) => send.sendId);
    expect(await unstarted(sendIds)).toBe(30);

    const [first, second] = await Promise.all([startRelay(), startRelay()]);
    await expectDeliveredOnce(herald, sendIds, 120_000);
    expect(await unstarted(sendIds)).toBe(0);

    const more = await herald.request('POST', '/v1/messages', {
      templateCode: 'verify_code', receivers: Array.from({ length: 10 }, () => deliverableReceiver()), variables: { code: '4712' },
    });
    const moreIds: string[] = more.body.sends.map((send: { sendId: string }) => send.sendId);
    await expectDeliveredOnce(herald, moreIds, 120_000);

    expect(await first.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(await second.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 240_000);

  it('a relay apart does not leave rows committed during its pass for the next poll', async () => {
    const { prisma, config, logger, metrics } = herald.deps;
    const accept = async (code: string): Promise<string[]> => {
      const accepted = await herald.request('POST', '/v1/messages', {
        templateCode: 'verify_code', receivers: Array.from({ length: 5 }, () => deliverableReceiver()), variables: { code },
      });
      expect(accepted.status).toBe(202);
      return accepted.body.sends.map((send: { sendId: string }) => send.sendId);
    };
    const firstIds = await accept('4713');
    // A second request is committed while the relay's first pass is starting the first one's workflows.
    const starter = starterFromConfig(herald.temporal.client, herald.deps, config.TEMPORAL_TASK_QUEUE);
    let duringPass: Promise<string[]> | null = null;
    const starting: WorkflowStarter = {
      startFanOuts: (messageIds) => starter.startFanOuts(messageIds),
      async start(inputs, onStarted) {
        duringPass ??= accept('4714');
        await duringPass;
        return starter.start(inputs, onStarted);
      },
    };
    // Polling once a minute, never woken (as in a relay process): only an immediate next pass starts the second request in time.
    const relay = createOutboxRelay({ prisma, starter: starting, config: { ...config, OUTBOX_RELAY_POLL_MS: 60_000 }, logger, metrics });
    const stop = new AbortController();
    const running = relay.run(stop.signal, createOutboxSignal());
    try {
      const secondIds = await eventually(async () => duringPass ?? undefined);
      await expectDeliveredOnce(herald, [...firstIds, ...secondIds], 30_000);
    } finally {
      stop.abort();
      await running;
    }
  }, 120_000);
});
