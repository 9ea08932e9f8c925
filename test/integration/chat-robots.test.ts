import { createDingtalkAdapter } from '../../src/vendors/chat/dingtalk';
import { createFeishuAdapter } from '../../src/vendors/chat/feishu';
import { createWecomAdapter } from '../../src/vendors/chat/wecom';
import type { OutgoingMessage, VendorAccount, VendorAdapter } from '../../src/vendors/types';
import { VendorError } from '../../src/vendors/vendor-error';
import { startFakeRobotWebhooks, type FakeRobotWebhooks, type RobotCredentials, type RobotVendor } from '../fakes/robot-webhooks';
import { testOutbound } from '../support/outbound';

const dingtalkAdapter = createDingtalkAdapter(testOutbound);
const feishuAdapter = createFeishuAdapter(testOutbound);
const wecomAdapter = createWecomAdapter(testOutbound);

const CREDENTIALS: RobotCredentials = {
  dingtalk: { accessToken: 'ding-token-1', signSecret: 'SECdingsecret0001' },
  feishu: { hookToken: 'feishu-hook-1', signSecret: 'feishu-secret-1' },
  wecom: { key: 'wecom-key-1' },
};

let fake: FakeRobotWebhooks;

beforeAll(async () => {
  fake = await startFakeRobotWebhooks(CREDENTIALS);
});

afterAll(async () => {
  await fake.close();
});

function account(adapter: VendorAdapter, secrets: Record<string, string>): VendorAccount {
  return { id: `acc-${adapter.provider}`, name: `${adapter.provider}-test`, provider: adapter.provider, channel: 'CHAT', config: { baseUrl: fake.baseUrl, timeoutMs: 500 }, secrets };
}

function message(receiver: string, sendId = 'send-1'): OutgoingMessage {
  return { sendId, reference: sendId, receiver, content: 'Deploy 42 finished', subject: '[ops]', vendorTemplateId: null, variables: {} };
}

async function failure(promise: Promise<unknown>): Promise<VendorError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  if (!(error instanceof VendorError)) throw new Error(`expected a VendorError, got ${String(error)}`);
  return error;
}

const ROBOTS: Array<{ vendor: RobotVendor; adapter: VendorAdapter; secrets: Record<string, string>; wrongSecrets: Record<string, string>; badToken: Record<string, string> }> = [
  {
    vendor: 'dingtalk', adapter: dingtalkAdapter, secrets: CREDENTIALS.dingtalk,
    wrongSecrets: { ...CREDENTIALS.dingtalk, signSecret: 'SECwrong' }, badToken: { ...CREDENTIALS.dingtalk, accessToken: 'gone' },
  },
  {
    vendor: 'feishu', adapter: feishuAdapter, secrets: CREDENTIALS.feishu,
    wrongSecrets: { ...CREDENTIALS.feishu, signSecret: 'wrong' }, badToken: { ...CREDENTIALS.feishu, hookToken: 'gone' },
  },
  { vendor: 'wecom', adapter: wecomAdapter, secrets: CREDENTIALS.wecom, wrongSecrets: {}, badToken: { key: 'gone' } },
];

describe.each(ROBOTS)('$vendor robot against its fake webhook', ({ vendor, adapter, secrets, wrongSecrets, badToken }) => {
  it('posts a (signed) text into the group and counts it as delivered', async () => {
    const before = fake.posts.length;
    const accepted = await adapter.send(account(adapter, secrets), message('group', `${vendor}-ok`));
    expect(accepted).toMatchObject({ vendorMessageId: `${vendor}-ok`, vendorCode: '0', finalReceipt: { status: 'DELIVERED', reason: null } });
    expect(fake.posts).toHaveLength(before + 1);
    expect(JSON.stringify(fake.posts.at(-1)?.body)).toContain('[ops]\\nDeploy 42 finished');
  });

  it('bad token or key: VENDOR_REJECTED (fail over at once)', async () => {
    const error = await failure(adapter.send(account(adapter, badToken), message('group')));
    expect(error).toMatchObject({ errorClass: 'VENDOR_REJECTED', reason: 'VENDOR_REJECTED' });
    expect(error.vendorCode).toBe({ dingtalk: '300005', feishu: '19001', wecom: '93000' }[vendor]);
  });

  it('rate limited: RETRYABLE with the vendor code', async () => {
    fake.failNext(vendor, 'rate-limited');
    const error = await failure(adapter.send(account(adapter, secrets), message('group')));
    expect(error).toMatchObject({ errorClass: 'RETRYABLE', vendorCode: { dingtalk: '130101', feishu: '11232', wecom: '45009' }[vendor] });
  });

  it('HTTP 500: RETRYABLE; no answer at all: AMBIGUOUS (the send retries it: a robot has no query by reference)', async () => {
    fake.failNext(vendor, 'server-error');
    expect(await failure(adapter.send(account(adapter, secrets), message('group')))).toMatchObject({ errorClass: 'RETRYABLE', vendorCode: 'HTTP_500' });
    fake.failNext(vendor, 'hang');
    expect(await failure(adapter.send(account(adapter, secrets), message('group')))).toMatchObject({ errorClass: 'AMBIGUOUS', vendorCode: 'TIMEOUT' });
  });

  if (vendor !== 'wecom') {
    it('a wrong signing secret fails the fake\'s signature check: VENDOR_REJECTED', async () => {
      const error = await failure(adapter.send(account(adapter, wrongSecrets), message('group')));
      expect(error).toMatchObject({ errorClass: 'VENDOR_REJECTED', vendorCode: vendor === 'dingtalk' ? '310000' : '19021' });
    });
  }

  it('an account without its secrets is CONFIG_INVALID, naming the field but not the values', async () => {
    const error = await failure(adapter.send(account(adapter, {}), message('group')));
    expect(error).toMatchObject({ errorClass: 'VENDOR_REJECTED', vendorCode: 'CONFIG_INVALID' });
    expect(error.vendorText).toMatch(/secrets\.\w+/);
  });
});

describe('mentions', () => {
  it('each vendor addresses @all and one member in its own format', async () => {
    await dingtalkAdapter.send(account(dingtalkAdapter, CREDENTIALS.dingtalk), message('@manager4711'));
    expect(fake.posts.at(-1)?.body).toMatchObject({ at: { atUserIds: ['manager4711'], isAtAll: false }, text: { content: '[ops]\nDeploy 42 finished @manager4711' } });
    await dingtalkAdapter.send(account(dingtalkAdapter, CREDENTIALS.dingtalk), message('@all'));
    expect(fake.posts.at(-1)?.body).toMatchObject({ at: { isAtAll: true } });

    await feishuAdapter.send(account(feishuAdapter, CREDENTIALS.feishu), message('@ou_abc123'));
    expect(fake.posts.at(-1)?.body).toMatchObject({ msg_type: 'text', content: { text: '<at user_id="ou_abc123"></at> [ops]\nDeploy 42 finished' } });

    await wecomAdapter.send(account(wecomAdapter, CREDENTIALS.wecom), message('@all'));
    expect(fake.posts.at(-1)?.body).toMatchObject({ text: { mentioned_list: ['@all'] } });
    await wecomAdapter.send(account(wecomAdapter, CREDENTIALS.wecom), message('@zhangsan'));
    expect(fake.posts.at(-1)?.body).toMatchObject({ text: { mentioned_list: ['zhangsan'] } });
  });

  it('a receiver that is not a chat target is RECEIVER_INVALID before any call', async () => {
    const before = fake.posts.length;
    const error = await failure(wecomAdapter.send(account(wecomAdapter, CREDENTIALS.wecom), message('ops-robot')));
    expect(error).toMatchObject({ errorClass: 'RECEIVER_INVALID', reason: 'INVALID_RECEIVER' });
    expect(fake.posts).toHaveLength(before);
  });
});
