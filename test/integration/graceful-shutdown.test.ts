import { request } from 'node:http';
import { Client } from 'pg';
import { freePort, spawnHerald, type HeraldProcess } from '../support/child-process';
import { deliverableReceiver, ledgerOf } from '../support/exactly-once';
import { startHerald, type RunningHerald } from '../support/herald';

const REQUESTS = 40;
const RECEIVERS_PER_REQUEST = 2;

type Outcome = { receivers: string[]; status: number; code: string | null; messageId: string | null } | { receivers: string[]; error: string };

/**
 * POSTs JSON on a connection of its own; `written` settles once the whole
 * request is handed to the operating system (or the connection failed), so the
 * test knows the request is on its way to the API before it sends SIGTERM.
 */
function postJson(url: string, body: unknown, headers: Record<string, string>): { written: Promise<void>; answer: Promise<{ status: number; body: { messageId?: string; error?: { code?: string } } }> } {
  let markWritten: () => void = () => undefined;
  const written = new Promise<void>((resolve) => {
    markWritten = resolve;
  });
  const answer = new Promise<{ status: number; body: { messageId?: string; error?: { code?: string } } }>((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers }, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      res.on('error', reject);
    });
    req.on('finish', markWritten);
    req.on('error', (error) => {
      markWritten();
      reject(error);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
    req.end(JSON.stringify(body));
  });
  return { written, answer };
}

/**
 * SIGTERM to an API process (src/api/main.ts, its own Node process) in the
 * middle of a burst of requests, on a database that is busy: every request
 * is answered with its real answer (202) or a 503 DATABASE_UNAVAILABLE, never
 * a 500; every 202 is fully recorded (message, its sends, their outbox rows);
 * a request not answered 202 left nothing behind; every answer has its
 * request log row; and the process exits by itself.
 *
 * The load is made, not hoped for: a test connection holds the message table
 * (EXCLUSIVE lock), so every accepting transaction holds one of the API's
 * pooled connections and the rest of the burst queues for one, longer than
 * the transaction's wait allows (DATABASE_TRANSACTION_MAX_WAIT_MS, short
 * here). The first answer (a refused wait) sends SIGTERM while the lock still
 * holds the rest of the burst in flight, then lets the lock go; every 202 is
 * therefore answered after SIGTERM. On a busy machine (the CPU taken by other
 * work) that first answer can come before this process has even written its
 * later requests, which would then find the API no longer listening: so
 * SIGTERM waits until every request is written to its connection.
 */
describe('graceful shutdown of the API', () => {
  let herald: RunningHerald;
  let api: HeraldProcess | null = null;
  let holder: Client | null = null;

  beforeAll(async () => {
    herald = await startHerald();
  }, 120_000);

  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    await api?.kill('SIGKILL');
    await herald?.stop();
  });

  it('answers every in-flight request 202 or 503 on SIGTERM under load: each 202 fully recorded, nothing half-written', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    api = await spawnHerald('src/api/main.ts', {
      DATABASE_URL: herald.deps.config.DATABASE_URL,
      REDIS_URL: herald.deps.config.REDIS_URL,
      TEMPORAL_ADDRESS: herald.temporal.connection.options.address,
      TEMPORAL_TASK_QUEUE: herald.deps.config.TEMPORAL_TASK_QUEUE,
      API_PORT: String(port),
      DATABASE_TRANSACTION_MAX_WAIT_MS: '1000',
    }, `${baseUrl}/healthz`);

    holder = new Client({ connectionString: herald.deps.config.DATABASE_URL });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE message IN EXCLUSIVE MODE');
    const lockHolder = holder;
    const running = api;
    const requests = Array.from({ length: REQUESTS }, (_, i) => {
      const receivers = Array.from({ length: RECEIVERS_PER_REQUEST }, () => deliverableReceiver());
      return { receivers, ...postJson(`${baseUrl}/v1/messages`, { templateCode: 'verify_code', receivers, variables: { code: String(3000 + i) } }, { authorization: `Bearer ${herald.apiKey}` }) };
    });
    const allWritten = Promise.all(requests.map((r) => r.written));
    /** Set by the first answer (a wait the pool refused, while the lock holds every other request in flight): how the process ended after SIGTERM. */
    const termination: { exited: ReturnType<HeraldProcess['kill']> | null } = { exited: null };
    const terminateThenRelease = async (): Promise<void> => {
      if (termination.exited) return;
      await allWritten;
      if (termination.exited) return;
      termination.exited = running.kill('SIGTERM');
      await lockHolder.query('ROLLBACK');
    };

    const outcomes = await Promise.all(requests.map(async ({ receivers, answer }): Promise<Outcome> => {
      try {
        const { status, body } = await answer;
        await terminateThenRelease();
        return { receivers, status, code: body.error?.code ?? null, messageId: body.messageId ?? null };
      } catch (error) {
        return { receivers, error: error instanceof Error ? error.message : String(error) };
      }
    }));
    if (!termination.exited) throw new Error('no request was answered');
    expect(await termination.exited).toEqual({ code: 0, signal: null });

    const answered = outcomes.filter((o): o is Extract<Outcome, { status: number }> => 'status' in o);
    const accepted = answered.filter((o) => o.status === 202);
    const refused = answered.filter((o) => o.status !== 202);
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    // Every request had its answer: 202, or 503 DATABASE_UNAVAILABLE (accepted nothing); never a 500, nor a connection cut under it.
    expect(outcomes.filter((o) => !('status' in o))).toEqual([]);
    expect(refused.filter((o) => o.status !== 503 || o.code !== 'DATABASE_UNAVAILABLE')).toEqual([]);

    const { prisma } = herald.deps;
    const sendIds: string[] = [];
    for (const answer of accepted) {
      const message = await prisma.message.findUniqueOrThrow({ where: { id: answer.messageId ?? '' }, include: { sends: { include: { outbox: true } } } });
      expect(message.sends.map((send) => send.receiver).sort()).toEqual([...answer.receivers].sort());
      for (const send of message.sends) expect(send.outbox).not.toBeNull();
      sendIds.push(...message.sends.map((send) => send.id));
    }
    expect(await prisma.send.count({ where: { receiver: { in: refused.flatMap((o) => o.receivers) } } })).toBe(0);

    // The stopping API waited for its request log writes: every answer has its row.
    const logged = await prisma.apiRequestLog.groupBy({ by: ['status'], where: { path: '/v1/messages', method: 'POST' }, _count: true });
    expect(Object.fromEntries(logged.map((row) => [row.status, row._count]))).toEqual({ 202: accepted.length, 503: refused.length });

    // The in-process relay starts whatever the stopped API had not: every accepted send ends once.
    const ledger = await ledgerOf(herald, sendIds, 120_000);
    for (const counts of ledger.values()) expect(counts).toMatchObject({ status: 'DELIVERED', workflowRuns: 1, vendorMessages: 1 });
  }, 240_000);
});
