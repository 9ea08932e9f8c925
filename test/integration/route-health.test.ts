import { receiptPushUrl } from '../../src/security/receipt-token';
import { sendWorkflowId } from '../../src/shared/contract';
import { FINAL_STATUSES } from '../../src/shared/states';
import { startAliyunFake, type AliyunFake } from '../fakes/aliyun-sms-server';
import { startTencentFake, type TencentFake } from '../fakes/tencent-sms-server';
import { eventually, startHerald, type RunningHerald } from '../support/herald';
import { freshReceiver, useTemplate } from '../support/vendor-accounts';

const TEMPLATE = 'routing_health_sms';
const MIN_RECEIPTS = 10;
const WINDOW_SECONDS = 600;
/** Sends per round: one message, one send each. */
const ROUND = 20;

/**
 * Delivery-rate weights through the whole of Herald: Tencent and Aliyun fakes
 * with equal weights; Aliyun's receipts turn 50% UNDELIVERED, the weight moves
 * away from it and most new sends go to Tencent; Aliyun turns healthy, a window
 * passes (the clock of the routing health window is moved, not waited out) and
 * traffic returns. The figures live in Redis, shared by the API (pushed
 * receipts) and the worker (vendor calls, route planning).
 */
describe('routing weights that follow delivery rates (Tencent and Aliyun fakes)', () => {
  let herald: RunningHerald;
  let tencent: TencentFake;
  let aliyun: AliyunFake;
  let tencentId: string;
  let aliyunId: string;
  /** How far the routing health clock is ahead of the wall clock. */
  let clockAheadMs = 0;

  beforeAll(async () => {
    herald = await startHerald(
      // One vendor call per send (no batching), so each send's account is its own pick.
      { VENDOR_BATCH_WINDOW_MS: '0', ROUTE_HEALTH_MIN_RECEIPTS: String(MIN_RECEIPTS), ROUTE_HEALTH_WINDOW_SECONDS: String(WINDOW_SECONDS) },
      { now: () => Date.now() + clockAheadMs },
    );
    tencent = await startTencentFake({ secretId: 'AKIDrouting0001', secretKey: 'tencent-routing-key', smsSdkAppId: '1400006666', receiptDelayMs: 20 });
    aliyun = await startAliyunFake({ accessKeyId: 'LTAIrouting0001', accessKeySecret: 'aliyun-routing-secret', receiptDelayMs: 20 });
    const { prisma, secrets } = herald.deps;
    await prisma.account.updateMany({ data: { enabled: false } });
    const common = { channel: 'SMS', weight: 1, enabled: true };
    tencentId = (await prisma.account.create({
      data: {
        ...common, name: 'tencent-route', provider: 'tencent', priority: 1,
        config: { smsSdkAppId: '1400006666', signName: 'Herald', region: 'ap-guangzhou', endpoint: tencent.endpoint, timeoutMs: 2000 },
        secretCiphertext: secrets.seal({ secretId: 'AKIDrouting0001', secretKey: 'tencent-routing-key' }),
      },
    })).id;
    aliyunId = (await prisma.account.create({
      data: {
        ...common, name: 'aliyun-route', provider: 'aliyun', priority: 2,
        config: { signName: 'Herald', endpoint: aliyun.endpoint, timeoutMs: 2000 },
        secretCiphertext: secrets.seal({ accessKeyId: 'LTAIrouting0001', accessKeySecret: 'aliyun-routing-secret' }),
      },
    })).id;
    tencent.setCallbackUrl(receiptPushUrl(herald.baseUrl, herald.deps.config.RECEIPT_TOKEN_KEY, { id: tencentId, provider: 'tencent' }));
    aliyun.setCallbackUrl(receiptPushUrl(herald.baseUrl, herald.deps.config.RECEIPT_TOKEN_KEY, { id: aliyunId, provider: 'aliyun' }));
    await useTemplate(herald, TEMPLATE, 'Hello {name}, your order {order} has shipped.', { tencent: '1234567:name,order', aliyun: 'SMS_154950909' });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
    await tencent?.close();
    await aliyun?.close();
  });

  /** One message of ROUND receivers, waited for until every send is final; the sends per account. */
  async function round(): Promise<{ tencent: number; aliyun: number }> {
    const receivers = Array.from({ length: ROUND }, freshReceiver);
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: TEMPLATE, receivers, variables: { name: 'Li', order: 'R-1' } });
    expect(accepted.status).toBe(202);
    const messageId: string = accepted.body.messageId;
    await eventually(async () => {
      const message = await herald.request('GET', `/v1/messages/${messageId}`);
      const counts = message.body.statusCounts as Record<string, number>;
      const settled = [...FINAL_STATUSES].reduce((sum, status) => sum + (counts[status] ?? 0), 0);
      return settled === ROUND ? true : undefined;
    }, 90_000, 250).catch(async (error: unknown) => {
      // Rarely (twice in some twenty runs) a round does not settle: say which sends and where their workflows are.
      throw new Error(`${error instanceof Error ? error.message : String(error)}; not final: ${await whyNotFinal(messageId)}`);
    });
    const byAccount = await herald.deps.prisma.send.groupBy({ by: ['accountId'], where: { messageId }, _count: true });
    const of = (id: string) => byAccount.find((group) => group.accountId === id)?._count ?? 0;
    return { tencent: of(tencentId), aliyun: of(aliyunId) };
  }

  /** The message's sends that are not final, with their attempts, receipts and the events of their workflows. */
  async function whyNotFinal(messageId: string): Promise<string> {
    const sends = await herald.deps.prisma.send.findMany({
      where: { messageId, status: { notIn: [...FINAL_STATUSES] } },
      select: { id: true, status: true, provider: true, vendorMessageId: true, attempts: { select: { provider: true, leg: true, outcome: true, vendorCode: true, vendorText: true, startedAt: true } }, receipts: { select: { status: true, source: true } } },
    });
    const described = await Promise.all(sends.map(async (send) => {
      const history = await herald.temporal.client.workflow.getHandle(sendWorkflowId(send.id)).fetchHistory();
      const events = (history.events ?? []).map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? String(event.eventType));
      return { ...send, events };
    }));
    return JSON.stringify(described);
  }

  /** Each test starts a window later, with Aliyun healthy: what an earlier test counted is out of the window. */
  beforeEach(() => {
    aliyun.faults.clear();
    clockAheadMs += (WINDOW_SECONDS + 60) * 1000;
  });

  async function health(accountId: string) {
    const answer = await herald.request('GET', `/v1/admin/accounts/${accountId}/health`);
    expect(answer.status).toBe(200);
    return answer.body;
  }

  it('moves weight away from Aliyun when half its receipts fail, shows why, and sends most new traffic to Tencent; traffic returns once it is healthy', async () => {
    const healthy = await round();
    expect(healthy.tencent).toBeGreaterThan(0);
    expect(healthy.aliyun).toBeGreaterThan(0);
    expect(await health(aliyunId)).toMatchObject({ state: 'NORMAL', effectiveWeight: 1, factor: 1 });

    // Half of Aliyun's messages are reported UNDELIVERED from now on (counted from a new window).
    aliyun.faults.some({ kind: 'undelivered', code: 'MK:0000' }, 0.5);
    clockAheadMs += (WINDOW_SECONDS + 60) * 1000;
    let degraded = await health(aliyunId);
    for (let rounds = 0; degraded.state !== 'DEGRADED' && rounds < 5; rounds += 1) {
      await round();
      degraded = await health(aliyunId);
    }
    expect(degraded).toMatchObject({ state: 'DEGRADED', circuit: 'CLOSED', window: { seconds: WINDOW_SECONDS } });
    expect(degraded.window.receipts).toBeGreaterThanOrEqual(MIN_RECEIPTS);
    expect(degraded.window.deliveryRate).toBeLessThan(0.8);
    expect(degraded.effectiveWeight).toBeLessThan(0.5);
    expect(degraded.effectiveWeight).toBeGreaterThanOrEqual(0.05);
    expect(degraded.reason).toMatch(/^moved away: delivered \d+(\.\d)?% against 100% on tencent-route: weight × /);
    expect(degraded.peers).toEqual([expect.objectContaining({ name: 'tencent-route', state: 'NORMAL', effectiveWeight: 1, deliveryRate: 1 })]);

    // The report the console reads and the metrics say the same.
    const report = (await herald.request('GET', '/v1/reports/accounts?hours=1')).body.accounts.find((a: { id: string }) => a.id === aliyunId);
    expect(report).toMatchObject({ effectiveWeight: degraded.effectiveWeight, live: { state: 'DEGRADED', pinned: false } });
    expect(report.weightReason).toBe(degraded.reason);
    expect(report.firstChoiceShare).toBeCloseTo(degraded.effectiveWeight / (1 + degraded.effectiveWeight), 3);
    const metrics = await (await fetch(`${herald.baseUrl}/metrics`)).text();
    expect(metrics).toContain(`herald_account_effective_weight{account="aliyun-route",channel="SMS",provider="aliyun"} ${degraded.effectiveWeight}`);
    expect(metrics).toMatch(/herald_account_weight_factor\{account="tencent-route",channel="SMS",provider="tencent"\} 1\n/);

    const shunned = [await round(), await round()];
    expect(shunned[0].tencent + shunned[1].tencent).toBeGreaterThan((2 * 2 * ROUND) / 3);

    // Healthy again; a window later the failures are out of it and Aliyun gets its share back.
    aliyun.faults.clear();
    clockAheadMs += (WINDOW_SECONDS + 60) * 1000;
    expect(await health(aliyunId)).toMatchObject({ state: 'NORMAL', effectiveWeight: 1 });
    const returned = [await round(), await round()];
    expect(returned[0].aliyun + returned[1].aliyun).toBeGreaterThanOrEqual((2 * ROUND) / 5);
    const recovered = await health(aliyunId);
    expect(recovered).toMatchObject({ state: 'NORMAL', effectiveWeight: 1 });
    expect(recovered.window.deliveryRate === null || recovered.window.deliveryRate === 1).toBe(true);
  }, 300_000);

  it('pins a weight by hand (not moved, audit-logged) and unpins it back to automatic', async () => {
    // Aliyun degraded: the rules move it away.
    aliyun.faults.some({ kind: 'undelivered', code: 'MK:0000' }, 0.5);
    let judged = await health(aliyunId);
    for (let rounds = 0; judged.state !== 'DEGRADED' && rounds < 5; rounds += 1) {
      await round();
      judged = await health(aliyunId);
    }
    aliyun.faults.clear();
    expect(judged.state).toBe('DEGRADED');

    const pinned = await herald.request('PATCH', `/v1/admin/accounts/${aliyunId}`, { pinnedWeight: 3 });
    expect(pinned).toMatchObject({ status: 200, body: { pinnedWeight: 3, weight: 1 } });
    const whilePinned = await health(aliyunId);
    expect(whilePinned).toMatchObject({ effectiveWeight: 3, pinnedWeight: 3, factor: 1 });
    expect(whilePinned.reason).toMatch(/^pinned at 3 by hand: not moved \(the rules would say: moved away: delivered /);

    const unpinned = await herald.request('PATCH', `/v1/admin/accounts/${aliyunId}`, { pinnedWeight: null });
    expect(unpinned.body.pinnedWeight).toBeNull();
    const automatic = await health(aliyunId);
    expect(automatic.state).toBe('DEGRADED');
    expect(automatic.effectiveWeight).toBeLessThan(1);

    const audit = await herald.request('GET', `/v1/admin/audit-log?targetType=account&targetId=${aliyunId}&action=account.update`);
    expect(audit.body.entries.map((entry: { changes: unknown }) => entry.changes)).toEqual([
      { pinnedWeight: { from: 3, to: null } },
      { pinnedWeight: { from: null, to: 3 } },
    ]);
  }, 300_000);

  it('answers 404 for an unknown account, and refuses a key without the ops scope', async () => {
    expect((await herald.request('GET', '/v1/admin/accounts/00000000-0000-4000-8000-000000000000/health')).status).toBe(404);
    const issued = await herald.request('POST', '/v1/admin/api-keys', { name: 'send only', scopes: ['send'] });
    const refused = await herald.request('GET', `/v1/admin/accounts/${aliyunId}/health`, undefined, { authorization: `Bearer ${issued.body.key}` });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
  });
});
