import { freePort, spawnHerald, type HeraldProcess } from '../support/child-process';
import { deliverableReceiver, ledgerOf } from '../support/exactly-once';
import { startHerald, type RunningHerald } from '../support/herald';

const REQUESTS = 40;
const RECEIVERS_PER_REQUEST = 2;

type Outcome = { receivers: string[]; status: number; code: string | null; messageId: string | null } | { receivers: string[]; error: string };

/**
 * SIGTERM to an API process (src/api/main.ts, its own Node process) in the
 * middle of a burst of requests: every request it answered 202 is fully
 * recorded (message, its sends, their outbox rows); a request it did not
 * accept (not answered, or 503 when the database was too busy to take it)
 * left nothing behind; no answer is a 500; and the process exits by itself.
 */
describe('graceful shutdown of the API', () => {
  let herald: RunningHerald;
  let api: HeraldProcess | null = null;

  beforeAll(async () => {
    herald = await startHerald();
  }, 120_000);

  afterAll(async () => {
    await api?.kill('SIGKILL');
    await herald?.stop();
  });

  it('finishes in-flight requests on SIGTERM: each 202 fully recorded, nothing half-written', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    api = await spawnHerald('src/api/main.ts', {
      DATABASE_URL: herald.deps.config.DATABASE_URL,
      REDIS_URL: herald.deps.config.REDIS_URL,
      TEMPORAL_ADDRESS: herald.temporal.connection.options.address,
      TEMPORAL_TASK_QUEUE: herald.deps.config.TEMPORAL_TASK_QUEUE,
      API_PORT: String(port),
    }, `${baseUrl}/healthz`);

    const running = api;
    /** Set by the first answer: how the process ended after SIGTERM. */
    const termination: { exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null } = { exited: null };
    const outcomes = await Promise.all(Array.from({ length: REQUESTS }, async (_, i): Promise<Outcome> => {
      const receivers = Array.from({ length: RECEIVERS_PER_REQUEST }, () => deliverableReceiver());
      try {
        const response = await fetch(`${baseUrl}/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${herald.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ templateCode: 'verify_code', receivers, variables: { code: String(3000 + i) } }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await response.json()) as { messageId?: string; error?: { code?: string } };
        // The first answer: stop the API while the rest of the burst is in flight.
        if (!termination.exited) {
          termination.exited = running.kill('SIGTERM');
        }
        return { receivers, status: response.status, code: body.error?.code ?? null, messageId: body.messageId ?? null };
      } catch (error) {
        return { receivers, error: error instanceof Error ? error.message : String(error) };
      }
    }));
    if (!termination.exited) throw new Error('no request was answered');
    expect(await termination.exited).toEqual({ code: 0, signal: null });
    const accepted = outcomes.filter((o): o is Extract<Outcome, { status: number }> => 'status' in o && o.status === 202);
    expect(accepted.length).toBeGreaterThan(0);
    // Anything else is a refused connection (the API had stopped listening) or, on a machine so busy that no
    // database connection came in time, a 503 that accepted nothing: never another error answer.
    const refused = outcomes.filter((o): o is Extract<Outcome, { status: number }> => 'status' in o && o.status !== 202);
    expect(refused.filter((o) => o.status !== 503 || o.code !== 'DATABASE_UNAVAILABLE')).toEqual([]);

    const { prisma } = herald.deps;
    const sendIds: string[] = [];
    for (const answer of accepted) {
      const message = await prisma.message.findUniqueOrThrow({ where: { id: answer.messageId ?? '' }, include: { sends: { include: { outbox: true } } } });
      expect(message.sends.map((send) => send.receiver).sort()).toEqual([...answer.receivers].sort());
      for (const send of message.sends) expect(send.outbox).not.toBeNull();
      sendIds.push(...message.sends.map((send) => send.id));
    }
    const notAccepted = [...outcomes.filter((o) => 'error' in o), ...refused].flatMap((o) => o.receivers);
    expect(await prisma.send.count({ where: { receiver: { in: notAccepted } } })).toBe(0);

    // The in-process relay starts whatever the stopped API had not: every accepted send ends once.
    const ledger = await ledgerOf(herald, sendIds, 120_000);
    for (const counts of ledger.values()) expect(counts).toMatchObject({ status: 'DELIVERED', workflowRuns: 1, vendorMessages: 1 });
  }, 240_000);
});
