import { spawnHerald, freePort, type HeraldProcess } from '../support/child-process';
import { deliverableReceiver, expectDeliveredOnce } from '../support/exactly-once';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

/** The vendor-call preset's maximumAttempts (src/workflows/activity-options.ts). */
const VENDOR_CALL_MAX_ATTEMPTS = 3;

/**
 * Fault: the worker dies (kill -9) in the middle of a vendor call, after the
 * vendor accepted the message and before Herald heard the answer. A new worker
 * finishes the send.
 *
 * What keeps the receiver from a second message: the dead worker never wrote
 * its attempt record, so Herald's own record (send.vendorMessageId, checked
 * first in sendViaAccount) cannot help here; Temporal retries the activity
 * after its start-to-close timeout (45 s), and the retry calls the vendor again
 * with the same clientRef (the sendId). The sandbox vendor treats a repeated
 * clientRef as the same send. A vendor without such an idempotency key
 * (Tencent's SessionContext and Aliyun's OutId are only echoed back) would send
 * twice in this window: see README "Guarantees".
 */
describe('fault: worker killed during a vendor call', () => {
  let herald: RunningHerald;
  const workers: HeraldProcess[] = [];

  async function startWorker(): Promise<HeraldProcess> {
    const metricsPort = await freePort();
    const worker = await spawnHerald('src/worker/main.ts', {
      DATABASE_URL: herald.deps.config.DATABASE_URL,
      REDIS_URL: herald.deps.config.REDIS_URL,
      TEMPORAL_ADDRESS: herald.temporal.connection.options.address,
      TEMPORAL_TASK_QUEUE: herald.deps.config.TEMPORAL_TASK_QUEUE,
      WORKER_METRICS_PORT: String(metricsPort),
      TEMPORAL_SDK_METRICS_PORT: '0',
    }, `http://127.0.0.1:${metricsPort}/metrics`);
    workers.push(worker);
    return worker;
  }

  beforeAll(async () => {
    herald = await startHerald({}, { runWorker: false });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.kill('SIGKILL')));
    await herald?.stop();
  });

  it('finishes the send with a new worker; the vendor sends it once within the retry policy', async () => {
    const first = await startWorker();
    herald.vendor.faults.inject('slow_answer', 1, { timeoutMs: 120_000 });
    const accepted = await herald.request('POST', '/v1/messages', {
      templateCode: 'verify_code', receivers: [deliverableReceiver()], variables: { code: '4711' },
    });
    expect(accepted.status).toBe(202);
    const sendId: string = accepted.body.sends[0].sendId;

    // The vendor holds its answer: the message is accepted there, Herald does not know yet.
    await eventually(async () => (herald.vendor.sent().some((s) => s.clientRef === sendId) ? true : undefined), 60_000);
    expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await startWorker();

    const ledger = await expectDeliveredOnce(herald, [sendId], 120_000);
    // The dead worker's call and the new worker's retry, each answered with the same vendor message.
    const { vendorCalls } = ledger.get(sendId) ?? { vendorCalls: 0 };
    expect(vendorCalls).toBeGreaterThanOrEqual(2);
    expect(vendorCalls).toBeLessThanOrEqual(VENDOR_CALL_MAX_ATTEMPTS);
    const attempt = await herald.deps.prisma.sendAttempt.findFirstOrThrow({ where: { sendId, outcome: 'ACCEPTED' } });
    expect(attempt.vendorMessageId).toBe(herald.vendor.sent().find((s) => s.clientRef === sendId)?.messageId);
  }, 240_000);
});
