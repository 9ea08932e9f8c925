import { acmeGatewayConfig, startFakeHttpGateway, type FakeHttpGateway } from '../fakes/http-gateway';
import { startFakeRobotWebhooks, type FakeRobotWebhooks, type RobotCredentials } from '../fakes/robot-webhooks';
import { startFakeSmtpServer, type FakeSmtpServer } from '../fakes/smtp-server';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

const SMTP_LOGIN = { user: 'mailer', pass: 'mailer-pass' };
const ROBOTS: RobotCredentials = {
  dingtalk: { accessToken: 'e2e-ding', signSecret: 'SECe2e' },
  feishu: { hookToken: 'e2e-feishu', signSecret: 'e2e-feishu-secret' },
  wecom: { key: 'e2e-wecom' },
};
const ACME = { appKey: 'acme-e2e', appSecret: 'acme-e2e-secret' };

/** GET /v1/sends/:id once the send is final. */
async function finalSend(herald: RunningHerald, sendId: string, status: string) {
  return eventually(async () => {
    const send = await herald.request('GET', `/v1/sends/${sendId}`);
    return send.body.status === status ? send.body : undefined;
  });
}

describe('e-mail, chat robots and a config-only SMS gateway, end to end through Herald', () => {
  let herald: RunningHerald;
  let smtp: FakeSmtpServer;
  let robots: FakeRobotWebhooks;
  let gateway: FakeHttpGateway;

  beforeAll(async () => {
    [herald, smtp, robots, gateway] = await Promise.all([
      startHerald(), startFakeSmtpServer(SMTP_LOGIN), startFakeRobotWebhooks(ROBOTS), startFakeHttpGateway(ACME),
    ]);
    const { prisma, secrets } = herald.deps;
    const team = await prisma.team.findUniqueOrThrow({ where: { name: 'demo' } });
    const templates = [
      { code: 'e2e_mail', channel: 'EMAIL', subject: 'Your order shipped', content: 'Hello {name}, your order {order} has shipped.' },
      { code: 'e2e_chat', channel: 'CHAT', subject: null, content: 'Build {build} deployed to {env}.' },
    ];
    for (const { code, ...template } of templates) {
      await prisma.template.create({ data: { code, name: code, teamId: team.id, messageType: 'NOTICE', shieldPolicy: 'NONE', ...template } });
    }
    const accounts = [
      { name: 'e2e-smtp', channel: 'EMAIL', provider: 'smtp', config: { host: '127.0.0.1', port: smtp.port, from: 'noreply@herald.test', timeoutMs: 2000 }, secrets: SMTP_LOGIN },
      { name: 'e2e-dingtalk', channel: 'CHAT', provider: 'dingtalk', config: { baseUrl: robots.baseUrl, timeoutMs: 2000 }, secrets: ROBOTS.dingtalk },
      { name: 'e2e-feishu', channel: 'CHAT', provider: 'feishu', config: { baseUrl: robots.baseUrl, timeoutMs: 2000 }, secrets: ROBOTS.feishu },
      { name: 'e2e-wecom', channel: 'CHAT', provider: 'wecom', config: { baseUrl: robots.baseUrl, timeoutMs: 2000 }, secrets: ROBOTS.wecom },
    ];
    for (const { secrets: opened, ...account } of accounts) {
      await prisma.account.create({ data: { ...account, secretCiphertext: secrets.seal(opened), weight: 1, priority: 1 } });
    }
    // A gateway Herald has no code for: one call to the management API is all it takes.
    const acme = await herald.request('POST', '/v1/admin/accounts', {
      name: 'e2e-acme', provider: 'http-gateway', config: acmeGatewayConfig(gateway.url), secrets: ACME, weight: 1, priority: 1,
    });
    expect(acme.status).toBe(201);
    expect(JSON.stringify(acme.body)).not.toContain(ACME.appSecret);
    // The sandbox account would share the SMS sends; this file is about the new providers.
    await prisma.account.update({ where: { name: 'sandbox-primary' }, data: { enabled: false } });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
    await Promise.all([smtp?.close(), robots?.close(), gateway?.close()]);
  });

  it('an e-mail goes SENT → DELIVERED on the SMTP server\'s 250, with the receipt recorded from the send itself', async () => {
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'e2e_mail', receivers: ['Li@Example.com'], variables: { name: 'Li', order: 'M-1' } });
    expect(accepted.status).toBe(202);
    const { sendId, receiver }: { sendId: string; receiver: string } = accepted.body.sends[0];
    expect(receiver).toBe('li@example.com');
    const send = await finalSend(herald, sendId, 'DELIVERED');
    expect(send.vendor).toBe('smtp');
    expect(send.receipts).toEqual([expect.objectContaining({ status: 'DELIVERED', source: 'SEND' })]);
    const mail = smtp.received.find((m) => m.raw.includes(`Message-ID: <${sendId}@herald.test>`));
    expect(mail).toMatchObject({ user: 'mailer', to: ['li@example.com'] });
    expect(mail?.raw).toContain('Hello Li, your order M-1 has shipped.');
    const metrics = await fetch(`${herald.baseUrl}/metrics`).then((r) => r.text());
    expect(metrics).toContain('herald_receipts_total{provider="smtp",status="DELIVERED",reason="none"} 1');
  });

  it('a mailbox the server refuses (550) ends FAILED INVALID_RECEIVER after one attempt, no failover', async () => {
    smtp.answerRecipient('gone@example.com', { code: 550, text: '5.1.1 mailbox unavailable' });
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'e2e_mail', receivers: ['gone@example.com'], variables: { name: 'X', order: 'M-2' } });
    const send = await finalSend(herald, String(accepted.body.sends[0].sendId), 'FAILED');
    expect(send.reason).toBe('INVALID_RECEIVER');
    expect(send.attempts).toEqual([expect.objectContaining({ provider: 'smtp', errorClass: 'RECEIVER_INVALID' })]);
  });

  it('chat sends to the group, @all and one member are posted by the robots and end DELIVERED', async () => {
    const before = robots.posts.length;
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'e2e_chat', receivers: ['group', '@all', '@zhangsan'], variables: { build: '42', env: 'prod' } });
    expect(accepted.status).toBe(202);
    for (const { sendId } of accepted.body.sends as Array<{ sendId: string }>) {
      const send = await finalSend(herald, sendId, 'DELIVERED');
      expect(['dingtalk', 'feishu', 'wecom']).toContain(send.vendor);
    }
    expect(robots.posts.length - before).toBe(3);
  });

  it('a rate-limited robot is retried (RETRYABLE) and the send still ends DELIVERED', async () => {
    for (const vendor of ['dingtalk', 'feishu', 'wecom'] as const) robots.failNext(vendor, 'rate-limited');
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'e2e_chat', receivers: ['group'], variables: { build: '43', env: 'prod' } });
    const send = await finalSend(herald, String(accepted.body.sends[0].sendId), 'DELIVERED');
    expect(send.attempts[0]).toMatchObject({ outcome: 'FAILED', errorClass: 'RETRYABLE' });
    expect(send.attempts.at(-1)).toMatchObject({ outcome: 'ACCEPTED' });
  });

  it('CHAT receivers are checked at the API: anything but group, @all, @<userId> is a 400 naming it', async () => {
    const answer = await herald.request('POST', '/v1/messages', { templateCode: 'e2e_chat', receivers: ['group', 'ops-robot'], variables: { build: '1', env: 'x' } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details.invalid).toEqual([expect.objectContaining({ field: 'receivers[1]', raw: 'ops-robot' })]);
  });

  it('an SMS through the config-only gateway is signed, verified, and DELIVERED by its pulled report', async () => {
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: ['+86 139 1234 5678'], variables: { name: 'Wu', order: 'G-1' } });
    expect(accepted.status).toBe(202);
    const { sendId }: { sendId: string } = accepted.body.sends[0];
    const send = await finalSend(herald, sendId, 'DELIVERED');
    expect(send.vendor).toBe('http-gateway');
    expect(send.receipts).toEqual([expect.objectContaining({ status: 'DELIVERED', source: 'POLL' })]);
    const received = gateway.accepted.find((m) => m.fields.ref === sendId);
    expect(received?.fields).toMatchObject({ to: '+8613912345678', text: 'Hello Wu, your order G-1 has shipped.', vars: { name: 'Wu', order: 'G-1' } });
    expect(send.vendorMessageId).toBe(received?.id);
    expect(gateway.badSignatures).toBe(0);
  });

  it('a report of non-delivery from the gateway ends UNDELIVERED with the reason from its config', async () => {
    gateway.setReport('+8613912345679', { state: 'UNDELIV', err: 'MK:0001', desc: 'phone off' });
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: ['+8613912345679'], variables: { name: 'Wu', order: 'G-2' } });
    const send = await finalSend(herald, String(accepted.body.sends[0].sendId), 'UNDELIVERED');
    expect(send).toMatchObject({ reason: 'POWERED_OFF_OR_NO_SIGNAL' });
  });
});
