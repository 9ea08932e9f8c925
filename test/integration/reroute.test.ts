import { DateTime } from 'luxon';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import type { VendorSendRequest, VendorSendResult } from '../../src/activities/vendor-send';
import { activitySettingsFromConfig } from '../../src/worker/create-worker';
import { receiptPushUrl } from '../../src/security/receipt-token';
import { sendWorkflowId } from '../../src/shared/contract';
import { startAliyunFake, type AliyunFake } from '../fakes/aliyun-sms-server';
import { startTencentFake, tencentPushBody, type TencentFake } from '../fakes/tencent-sms-server';
import { startHerald, type RunningHerald } from '../support/herald';
import { finalSend, freshReceiver, sendOne, useTemplate } from '../support/vendor-accounts';

/**
 * Receipt-driven re-route: a receipt that another vendor may fix (ROUTE_FAILED, by each vendor's
 * receipt codes) sends the message again through the next account of the route, bounded per
 * template, as one send with both legs in its attempts, receipts, billing, diagnose and trace.
 */
const TEMPLATE = 'reroute_notice';
const ONCE = 'reroute_never';
const tencentSecrets = { secretId: 'AKIDrerouteTest0001', secretKey: 'reroute-tencent-secret' };
const aliyunSecrets = { accessKeyId: 'LTAIrerouteTest0001', accessKeySecret: 'reroute-aliyun-secret' };

let herald: RunningHerald;
let tencent: TencentFake;
let aliyun: AliyunFake;
const accounts = { tencent: '', aliyun: '' };

/** The route: `first` alone has a weight (picked first), the other follows by priority. */
async function routeFirst(first: 'tencent' | 'aliyun'): Promise<void> {
  const { prisma } = herald.deps;
  for (const provider of ['tencent', 'aliyun'] as const) {
    await prisma.account.update({ where: { id: accounts[provider] }, data: provider === first ? { weight: 1, priority: 1 } : { weight: 0, priority: 2 } });
  }
}

async function account(name: string, provider: string, config: Record<string, string | number>, secrets: Record<string, string>): Promise<string> {
  const { prisma, secrets: box } = herald.deps;
  const data = { channel: 'SMS', provider, config, secretCiphertext: box.seal(secrets), weight: 1, priority: 1, enabled: true };
  return (await prisma.account.upsert({ where: { name }, create: { name, ...data }, update: data })).id;
}

beforeAll(async () => {
  tencent = await startTencentFake({ ...tencentSecrets, smsSdkAppId: '1400009999', receiptDelayMs: 50 });
  aliyun = await startAliyunFake({ ...aliyunSecrets, receiptDelayMs: 50 });
  herald = await startHerald();
  await herald.deps.prisma.account.updateMany({ data: { enabled: false } });
  accounts.tencent = await account('tencent-reroute', 'tencent', { smsSdkAppId: '1400009999', signName: 'Herald', endpoint: tencent.endpoint, timeoutMs: 1000 }, tencentSecrets);
  accounts.aliyun = await account('aliyun-reroute', 'aliyun', { signName: 'Herald', endpoint: aliyun.endpoint, timeoutMs: 1000 }, aliyunSecrets);
  const key = herald.deps.config.RECEIPT_TOKEN_KEY;
  tencent.setCallbackUrl(receiptPushUrl(herald.baseUrl, key, { id: accounts.tencent, provider: 'tencent' }));
  aliyun.setCallbackUrl(receiptPushUrl(herald.baseUrl, key, { id: accounts.aliyun, provider: 'aliyun' }));
  const ids = { tencent: '2233445', aliyun: 'SMS_154950909' };
  await useTemplate(herald, TEMPLATE, 'Hello {name}, your order {order} has shipped.', ids);
  await useTemplate(herald, ONCE, 'Hello {name}, your order {order} is ready.', ids);
  await herald.deps.prisma.template.updateMany({ where: { code: ONCE }, data: { reroutesMax: 0 } });
}, 120_000);

afterAll(async () => {
  tencent?.setCallbackUrl(null);
  aliyun?.setCallbackUrl(null);
  await herald?.stop();
  await tencent?.close();
  await aliyun?.close();
});

beforeEach(() => {
  tencent.faults.clear();
  aliyun.faults.clear();
});

describe('re-route after a failed receipt', () => {
  it("Tencent's COMFAIL receipt sends it again through Aliyun: one send, both legs, billed twice, explained", async () => {
    await routeFirst('tencent');
    tencent.faults.inject({ kind: 'undelivered', code: 'COMFAIL' });
    const receiver = freshReceiver();
    const sendId = await sendOne(herald, TEMPLATE, receiver, { name: 'Li', order: 'R-1' });
    const send = await finalSend(herald, sendId);

    expect(send).toMatchObject({ status: 'DELIVERED', vendor: 'aliyun', reasonDetail: 're-routed after tencent receipt COMFAIL' });
    expect(send.attempts.map((a: { provider: string; leg: number; outcome: string }) => [a.provider, a.leg, a.outcome])).toEqual([['tencent', 1, 'ACCEPTED'], ['aliyun', 2, 'ACCEPTED']]);
    expect(send.receipts.map((r: { status: string; reason: string | null; vendorCode: string }) => [r.status, r.reason, r.vendorCode])).toEqual([['UNDELIVERED', 'ROUTE_FAILED', 'COMFAIL'], ['DELIVERED', null, 'DELIVERED']]);
    expect(send.reroutes.map((r: { description: string }) => r.description)).toEqual(['re-routed after tencent receipt COMFAIL (ROUTE_FAILED) to aliyun-reroute']);
    // Each leg carried its own reference: the send id, then `<sendId>.r1`.
    expect(tencent.sendRequests.at(-1)?.SessionContext).toBe(sendId);
    expect(aliyun.sendRequests.at(-1)?.OutId).toBe(`${sendId}.r1`);

    const diagnosis = await herald.request('GET', `/v1/diagnose?receiver=${encodeURIComponent(receiver)}`);
    expect(diagnosis.body.sends[0].explanation).toContain('re-routed after tencent receipt COMFAIL');
    expect(diagnosis.body.sends[0].evidence.reroutes).toEqual(['re-routed after tencent receipt COMFAIL (ROUTE_FAILED) to aliyun-reroute']);

    const trace = await herald.request('GET', `/v1/sends/${sendId}/trace`);
    const lines = (trace.body.events as Array<{ what: string }>).map((event) => event.what);
    expect(lines).toContainEqual(expect.stringContaining('re-route 1: vendor aliyun-reroute attempt 1'));
    expect(lines).toContainEqual('re-routed after tencent receipt COMFAIL (ROUTE_FAILED) to aliyun-reroute');

    const month = DateTime.now().setZone(herald.deps.config.DEFAULT_TIME_ZONE).toFormat('yyyy-MM');
    const billed = async (name: string) => (await herald.request('GET', `/v1/reports/billing?month=${month}&account=${name}`)).body.accounts[0];
    expect(await billed('tencent-reroute')).toMatchObject({ accepted: 1, receipts: { undelivered: 1 } });
    expect(await billed('aliyun-reroute')).toMatchObject({ accepted: 1, receipts: { delivered: 1 } });
  });

  it("a duplicate of the first leg's receipt, and a retried vendor call of either leg, change nothing", async () => {
    await routeFirst('tencent');
    tencent.faults.inject({ kind: 'undelivered', code: 'NP:1243' });
    const sendId = await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'R-2' });
    const send = await finalSend(herald, sendId);
    expect(send).toMatchObject({ status: 'DELIVERED', vendor: 'aliyun' });

    const [first] = send.attempts as Array<{ vendorMessageId: string }>;
    const duplicate = tencent.receipts.existing().find((r) => r.messageId === first.vendorMessageId);
    if (!duplicate) throw new Error('the fake has no receipt of the first leg');
    const url = receiptPushUrl(herald.baseUrl, herald.deps.config.RECEIPT_TOKEN_KEY, { id: accounts.tencent, provider: 'tencent' });
    expect((await herald.request('POST', new URL(url).pathname, tencentPushBody([duplicate]))).status).toBe(200);

    // A worker that died after a leg's vendor call: the activity's retry finds the leg's acceptance and calls no vendor.
    const calls = { tencent: tencent.sendRequests.length, aliyun: aliyun.sendRequests.length };
    const runId = (await herald.deps.prisma.send.findUniqueOrThrow({ where: { id: sendId } })).runId ?? '';
    const activities = createActivities({
      ...herald.deps,
      whitelist: null,
      settings: activitySettingsFromConfig(herald.deps.config),
      starter: { start: async () => [], startFanOuts: async () => [] },
      workflowRuns: { currentRunId: async () => runId },
    });
    const worker = new MockActivityEnvironment({ workflowExecution: { workflowId: sendWorkflowId(sendId), runId } });
    const again: VendorSendResult = await worker.run((request: VendorSendRequest) => activities.sendViaAccount(request), { sendId, channel: 'SMS' as const, accountId: accounts.aliyun, leg: 2 });
    const legOne: VendorSendResult = await worker.run((request: VendorSendRequest) => activities.sendViaAccount(request), { sendId, channel: 'SMS' as const, accountId: accounts.tencent });
    expect([again.provider, again.vendorMessageId]).toEqual(['aliyun', send.vendorMessageId]);
    expect([legOne.provider, legOne.vendorMessageId]).toEqual(['aliyun', send.vendorMessageId]);
    expect({ tencent: tencent.sendRequests.length, aliyun: aliyun.sendRequests.length }).toEqual(calls);

    const after = (await herald.request('GET', `/v1/sends/${sendId}`)).body;
    expect(after).toMatchObject({ status: 'DELIVERED', vendor: 'aliyun' });
    expect(after.attempts).toHaveLength(2);
    expect(after.receipts).toHaveLength(2);
  });

  it('at most reroutesMax times: Aliyun NO_ROUTE, then Tencent WTNFAIL ends UNDELIVERED with both legs', async () => {
    await routeFirst('aliyun');
    aliyun.faults.inject({ kind: 'undelivered', code: 'NO_ROUTE' });
    tencent.faults.inject({ kind: 'undelivered', code: 'WTNFAIL' });
    const send = await finalSend(herald, await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: 'R-3' }));
    expect(send).toMatchObject({ status: 'UNDELIVERED', reason: 'ROUTE_FAILED', vendor: 'tencent', vendorCode: 'WTNFAIL', reasonDetail: 're-routed after aliyun receipt NO_ROUTE' });
    expect(send.attempts.map((a: { provider: string; leg: number }) => [a.provider, a.leg])).toEqual([['aliyun', 1], ['tencent', 2]]);
  });

  it.each([
    ['MOBILE_IN_BLACK', 'BLACKLISTED'],
    ['MOBILE_SEND_LIMIT', 'FREQUENCY_CAP'],
    ['MOBILE_NOT_ON_SERVICE', 'INVALID_RECEIVER'],
  ])('never on Aliyun %s (%s): the receiver, not the route', async (code, reason) => {
    await routeFirst('aliyun');
    aliyun.faults.inject({ kind: 'undelivered', code });
    const send = await finalSend(herald, await sendOne(herald, TEMPLATE, freshReceiver(), { name: 'Li', order: `R-${code}` }));
    expect(send).toMatchObject({ status: 'UNDELIVERED', reason, vendor: 'aliyun', reroutes: [] });
    expect(send.attempts).toHaveLength(1);
  });

  it('never for a template whose reroutesMax is 0', async () => {
    await routeFirst('aliyun');
    aliyun.faults.inject({ kind: 'undelivered', code: 'IS_CLOSE' });
    const send = await finalSend(herald, await sendOne(herald, ONCE, freshReceiver(), { name: 'Li', order: 'R-5' }));
    expect(send).toMatchObject({ status: 'UNDELIVERED', reason: 'ROUTE_FAILED', vendor: 'aliyun', reroutes: [] });
    expect(send.attempts).toHaveLength(1);
  });
});
