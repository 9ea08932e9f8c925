import type { ListeningSandbox } from '../../src/sandbox/sandbox-vendor';
import { createSandboxVendor } from '../../src/sandbox/sandbox-vendor';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

const SENDS = 200;

describe('failover between two vendors (vendor A answers 5xx to everything, vendor B works)', () => {
  let herald: RunningHerald;
  let vendorA: ListeningSandbox;
  let accountA: string;
  let accountB: string;

  beforeAll(async () => {
    herald = await startHerald();
    const { prisma, secrets, config } = herald.deps;
    const downVendor = createSandboxVendor({ receiptDelayMs: 0, receiptCallbackUrl: null, appKey: config.SANDBOX_APP_KEY, appSecret: config.SANDBOX_APP_SECRET });
    downVendor.faults.always('5xx');
    vendorA = await downVendor.listen(0, '127.0.0.1');
    accountB = (await prisma.account.update({ where: { name: 'sandbox-primary' }, data: { weight: 1, priority: 2 } })).id;
    accountA = (
      await prisma.account.create({
        data: {
          name: 'sandbox-a-down', channel: 'SMS', provider: 'sandbox', weight: 1, priority: 1,
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

  it(`delivers all ${SENDS} sends through B, and A's open circuit sends later ones to B first`, async () => {
    // Distinct numbers that avoid the sandbox's magic endings (0000, 0001 get UNDELIVERED receipts).
    const receivers = Array.from({ length: SENDS }, (_, i) => `+86139${10_000_000 + i * 7 + 2}`);
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers, variables: { name: 'Li', order: 'F-1' } });
    expect(accepted.status).toBe(202);
    const messageId: string = accepted.body.messageId;

    const counts = await eventually(async () => {
      const message = await herald.request('GET', `/v1/messages/${messageId}`);
      return message.body.statusCounts.DELIVERED === SENDS ? message.body.statusCounts : undefined;
    }, 180_000, 1000);
    expect(counts).toEqual({ DELIVERED: SENDS });

    const { prisma, redis } = herald.deps;
    const sends = await prisma.send.findMany({ where: { messageId }, select: { accountId: true } });
    expect(new Set(sends.map((s) => s.accountId))).toEqual(new Set([accountB]));

    const failedOnA = await prisma.sendAttempt.count({ where: { accountId: accountA, send: { messageId } } });
    const sendsThatTriedA = await prisma.sendAttempt.groupBy({ by: ['sendId'], where: { accountId: accountA, send: { messageId } } });
    // Without the circuit about half the sends would try A first, 3 attempts each (~300 failures).
    expect(sendsThatTriedA.length).toBeLessThan(SENDS / 4);
    expect(failedOnA).toBeLessThan(SENDS);
    expect(await redis.exists(`circuit:{${accountA}}:open`)).toBe(1);
    // Every send that tried A moved on to B once: herald_vendor_failovers_total says so.
    const failovers = (await herald.deps.metrics.vendorFailovers.get()).values.reduce((sum, v) => sum + v.value, 0);
    expect(failovers).toBe(sendsThatTriedA.length);
    console.log(`failover: ${sendsThatTriedA.length} of ${SENDS} sends tried A (${failedOnA} failed attempts) before its circuit opened`);
  }, 240_000);

  it('skips an account whose secret cannot be decrypted instead of stopping the channel', async () => {
    const { prisma } = herald.deps;
    await prisma.account.create({
      data: { name: 'sandbox-broken-secret', channel: 'SMS', provider: 'sandbox', weight: 100, priority: 0, config: { endpoint: 'http://127.0.0.1:9' }, secretCiphertext: 'v1.bad.bad.bad' },
    });
    await new Promise((resolve) => setTimeout(resolve, 3_100)); // the worker's account cache
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: ['+8613912345678'], variables: { name: 'Li', order: 'F-2' } });
    const sendId: string = accepted.body.sends[0].sendId;
    const send = await eventually(async () => {
      const s = await herald.request('GET', `/v1/sends/${sendId}`);
      return s.body.status === 'DELIVERED' ? s.body : undefined;
    });
    expect(send.attempts.map((a: { account: string }) => a.account)).toEqual(['sandbox-primary']);
  });
});
