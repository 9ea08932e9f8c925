import type { createActivities } from '../../src/activities';
import { STORE_UNAVAILABLE_HOLD_TYPE } from '../../src/shared/failures';
import { sendWorkflowId } from '../../src/shared/contract';
import { deliverableReceiver, expectDeliveredOnce } from '../support/exactly-once';
import { eventually, startHerald, type RunningHerald } from '../support/herald';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

const IN_FLIGHT = 5;
/**
 * Tries of the database check each held send has come to while Postgres is down, before it comes back:
 * the hold is one activity Temporal retries 1 s, 2 s, 4 s … apart (STORE_WAIT in
 * src/workflows/activity-options.ts), so a third try comes 3 s after the first, longer than the vendor
 * call's whole retry budget (1 s + 2 s backoff).
 */
const STORE_CHECKS = 3;
/** The activity a send waits for the database in (its retries write no history events: it is read as pending). */
const AWAIT_STORE = 'awaitStoreReachable' satisfies keyof ReturnType<typeof createActivities>;

/**
 * Fault: Postgres unreachable. Herald (API and worker) reaches the shared
 * Postgres through a TCP proxy the test cuts: open connections die, new ones
 * are refused. The other tests' connections are not touched.
 */
describe('fault: Postgres unavailable', () => {
  let proxy: TcpProxy;
  let herald: RunningHerald;

  beforeAll(async () => {
    const direct = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/herald_test');
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(direct);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    herald = await startHerald({ DATABASE_URL: proxied.toString() });
  }, 120_000);

  /**
   * How the send is held: its vendor calls that stopped on the unreachable database (history), and the
   * try its database check has come to (the pending activity; 0 when it waits in none).
   */
  async function holdOf(sendId: string): Promise<{ holds: number; checks: number }> {
    const handle = herald.temporal.client.workflow.getHandle(sendWorkflowId(sendId));
    const history = await handle.fetchHistory();
    const holds = (history.events ?? []).filter((event) => event.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type === STORE_UNAVAILABLE_HOLD_TYPE).length;
    const check = (await handle.describe()).raw.pendingActivities?.find((activity) => activity.activityType?.name === AWAIT_STORE);
    return { holds, checks: check?.attempt ?? 0 };
  }

  afterAll(async () => {
    await proxy?.restore();
    await herald?.stop();
    await proxy?.close();
  });

  it('answers 503 and records nothing while Postgres is down; sends in flight wait and are delivered once after', async () => {
    // Sends in the middle of their vendor call when Postgres goes: accepted by the vendor, not yet recorded.
    herald.vendor.faults.inject('slow_answer', IN_FLIGHT, { timeoutMs: 1_000 });
    const sendIds: string[] = [];
    for (let i = 0; i < IN_FLIGHT; i += 1) {
      const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'verify_code', receivers: [deliverableReceiver()], variables: { code: String(2000 + i) } });
      expect(accepted.status).toBe(202);
      sendIds.push(String(accepted.body.sends[0].sendId));
    }
    await eventually(async () => (sendIds.every((id) => herald.vendor.sent().some((s) => s.clientRef === id)) ? true : undefined));
    await proxy.cut();

    const refusedReceiver = deliverableReceiver();
    const refused = await fetch(`${herald.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${herald.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ templateCode: 'verify_code', receivers: [refusedReceiver], variables: { code: '9999' } }),
      signal: AbortSignal.timeout(30_000),
    });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: { code: 'DATABASE_UNAVAILABLE', message: expect.any(String) } });
    const readiness = await fetch(`${herald.baseUrl}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toMatchObject({ status: 'unavailable', checks: { postgres: { ok: false } } });

    // The sends in flight hold on (neither fail nor fail over) for longer than a vendor call's retries would last.
    let held: Array<{ holds: number; checks: number }> = [];
    await eventually(async () => {
      held = await Promise.all(sendIds.map(holdOf));
      return held.every(({ holds, checks }) => holds === 1 && checks >= STORE_CHECKS) ? true : undefined;
    }, 60_000, 500).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}; per send: ${JSON.stringify(held)}`);
    });
    await proxy.restore();
    const ledger = await expectDeliveredOnce(herald, sendIds, 90_000);
    const calls = [...ledger.values()].map((counts) => counts.vendorCalls);
    // At most the call before the outage and one after it: while Postgres is down the activity stops before the vendor.
    for (const count of calls) expect(count).toBeLessThanOrEqual(2);
    expect(await herald.deps.prisma.send.count({ where: { receiver: refusedReceiver } })).toBe(0);
  }, 180_000);
});
