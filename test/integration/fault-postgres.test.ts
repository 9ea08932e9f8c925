import { STORE_UNAVAILABLE_HOLD_TYPE } from '../../src/shared/failures';
import { sendWorkflowId } from '../../src/shared/contract';
import { deliverableReceiver, expectDeliveredOnce } from '../support/exactly-once';
import { eventually, startHerald, type RunningHerald } from '../support/herald';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

const IN_FLIGHT = 5;
/**
 * Vendor calls each in-flight send holds for while Postgres is down, before it comes back: two holds are
 * 5 s apart (src/workflows/failover.ts), longer than the vendor call's whole retry budget (1 s + 2 s backoff).
 */
const HOLDS = 2;

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

  /** Vendor calls of the send that stopped on the unreachable database, from its workflow history. */
  async function holdsOf(sendId: string): Promise<number> {
    const history = await herald.temporal.client.workflow.getHandle(sendWorkflowId(sendId)).fetchHistory();
    return (history.events ?? []).filter((event) => event.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type === STORE_UNAVAILABLE_HOLD_TYPE).length;
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
    let holds: number[] = [];
    await eventually(async () => {
      holds = await Promise.all(sendIds.map(holdsOf));
      return holds.every((count) => count >= HOLDS) ? true : undefined;
    }, 60_000, 500).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}; holds per send: ${holds.join(', ')}`);
    });
    await proxy.restore();
    const ledger = await expectDeliveredOnce(herald, sendIds, 90_000);
    const calls = [...ledger.values()].map((counts) => counts.vendorCalls);
    // At most the call before the outage and one after it: while Postgres is down the activity stops before the vendor.
    for (const count of calls) expect(count).toBeLessThanOrEqual(2);
    expect(await herald.deps.prisma.send.count({ where: { receiver: refusedReceiver } })).toBe(0);
  }, 180_000);
});
