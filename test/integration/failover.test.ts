import type { ListeningSandbox } from '../../src/sandbox/sandbox-vendor';
import { createSandboxVendor } from '../../src/sandbox/sandbox-vendor';
import { eventually, startHerald, type RunningHerald } from '../support/herald';
import { seededAccountAsFailover } from '../support/vendor-accounts';

/** Sends while A's circuit is still closed: A is their first pick (B, weight 0, is the failover only). */
const BEFORE_OPEN = 5;
/** Sends after A's circuit opened: none may try A, whatever its weight. */
const AFTER_OPEN = 20;

/** Distinct numbers that avoid the sandbox's magic endings (0000, 0001 get UNDELIVERED receipts). */
function receivers(count: number, first: number): string[] {
  return Array.from({ length: count }, (_, i) => `+86139${10_000_000 + (first + i) * 7 + 2}`);
}

describe('failover between two vendors (vendor A answers 5xx to everything, vendor B works)', () => {
  let herald: RunningHerald;
  let vendorA: ListeningSandbox;
  let accountA: string;
  let accountB: string;

  beforeAll(async () => {
    herald = await startHerald();
    const { prisma, secrets } = herald.deps;
    const config = herald.settings;
    const downVendor = createSandboxVendor({ receiptDelayMs: 0, receiptCallbackUrl: null, appKey: config.SANDBOX_APP_KEY, appSecret: config.SANDBOX_APP_SECRET });
    downVendor.faults.always('5xx');
    vendorA = await downVendor.listen(0, '127.0.0.1');
    accountB = await seededAccountAsFailover(herald);
    accountA = (
      await prisma.account.create({
        data: {
          name: 'sandbox-a-down', channel: 'SMS', provider: 'sandbox', weight: 100, priority: 1,
          config: { endpoint: `http://127.0.0.1:${vendorA.port}`, timeoutMs: 2000 },
          secretCiphertext: secrets.seal({ appKey: config.SANDBOX_APP_KEY, appSecret: config.SANDBOX_APP_SECRET }),
        },
      })
    ).id;
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
    await vendorA?.close();
  });

  /** Sends one message to `to` and waits until every send is DELIVERED; answers its id. */
  async function deliver(to: string[]): Promise<string> {
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: to, variables: { name: 'Li', order: 'F-1' } });
    expect(accepted.status).toBe(202);
    const messageId: string = accepted.body.messageId;
    const counts = await eventually(async () => {
      const message = await herald.request('GET', `/v1/messages/${messageId}`);
      return message.body.statusCounts.DELIVERED === to.length ? message.body.statusCounts : undefined;
    }, 120_000, 500);
    expect(counts).toEqual({ DELIVERED: to.length });
    return messageId;
  }

  it('delivers every send through B once A fails; A\u2019s open circuit then sends every later one to B first', async () => {
    const { prisma, redis } = herald.deps;
    await prisma.account.update({ where: { id: accountA }, data: { enabled: true } });
    const early = await deliver(receivers(BEFORE_OPEN, 0));
    const earlySends = await prisma.send.findMany({ where: { messageId: early }, select: { accountId: true } });
    expect(new Set(earlySends.map((s) => s.accountId))).toEqual(new Set([accountB]));
    const triedA = await prisma.sendAttempt.groupBy({ by: ['sendId'], where: { accountId: accountA, send: { messageId: early } } });
    expect(triedA.length).toBeGreaterThan(0);
    expect(await redis.exists(`circuit:{${accountA}}:open`)).toBe(1);
    // Every send that tried A moved on to B once: herald_vendor_failovers_total says so.
    const failovers = (await herald.deps.metrics.vendorFailovers.get()).values.reduce((sum, v) => sum + v.value, 0);
    expect(failovers).toBe(triedA.length);

    const late = await deliver(receivers(AFTER_OPEN, BEFORE_OPEN));
    expect(await prisma.sendAttempt.count({ where: { accountId: accountA, send: { messageId: late } } })).toBe(0);
    expect(await prisma.sendAttempt.count({ where: { accountId: accountB, outcome: 'ACCEPTED', send: { messageId: late } } })).toBe(AFTER_OPEN);
  }, 240_000);

  it('skips an account whose secret cannot be decrypted instead of stopping the channel', async () => {
    const { prisma } = herald.deps;
    // Only B and the broken account: A's circuit is open or not, depending on what ran before.
    await prisma.account.update({ where: { id: accountA }, data: { enabled: false } });
    await prisma.account.create({
      data: { name: 'sandbox-broken-secret', channel: 'SMS', provider: 'sandbox', weight: 100, priority: 0, config: { endpoint: 'http://127.0.0.1:9' }, secretCiphertext: 'v1.bad.bad.bad' },
    });
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: ['+8613912345678'], variables: { name: 'Li', order: 'F-2' } });
    const sendId: string = accepted.body.sends[0].sendId;
    const send = await eventually(async () => {
      const s = await herald.request('GET', `/v1/sends/${sendId}`);
      return s.body.status === 'DELIVERED' ? s.body : undefined;
    });
    expect(send.attempts.map((a: { account: string }) => a.account)).toEqual(['sandbox-primary']);
  });
});
