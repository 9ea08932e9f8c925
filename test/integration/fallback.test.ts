import { startFakeSmtpServer, type FakeSmtpServer } from '../fakes/smtp-server';
import { eventually, startHerald, type RunningHerald } from '../support/herald';
import { finalSend } from '../support/vendor-accounts';

/**
 * Channel fallback: an SMS template names an e-mail template as its fallback; a send that ends
 * UNDELIVERED (the sandbox's `…0000` numbers), or is not DELIVERED in time, starts a send of the
 * fallback to the receiver's e-mail alternate: its own send, linked by `fallbackOf`, in the message
 * view, diagnose, the trace and the metrics.
 */
const SMTP_LOGIN = { user: 'mailer', pass: 'mailer-pass' };

let herald: RunningHerald;
let smtp: FakeSmtpServer;
const templates = { sms: '', mail: '' };

beforeAll(async () => {
  [herald, smtp] = await Promise.all([startHerald(), startFakeSmtpServer(SMTP_LOGIN)]);
  const { prisma, secrets } = herald.deps;
  await prisma.account.create({
    data: {
      name: 'fallback-smtp', channel: 'EMAIL', provider: 'smtp', weight: 1, priority: 1, secretCiphertext: secrets.seal(SMTP_LOGIN),
      config: { host: '127.0.0.1', port: smtp.port, from: 'noreply@herald.test', timeoutMs: 2000 },
    },
  });
  const mail = await herald.request('POST', '/v1/admin/templates', {
    code: 'fb_mail', name: 'order mail', channel: 'EMAIL', messageType: 'NOTICE', subject: 'Your order', content: 'Hello {name}, your order {order} has shipped.',
  });
  const sms = await herald.request('POST', '/v1/admin/templates', {
    code: 'fb_sms', name: 'order sms', channel: 'SMS', messageType: 'NOTICE', content: 'Hello {name}, order {order} shipped.', fallbackTemplateId: mail.body.id,
  });
  expect([mail.status, sms.status]).toEqual([201, 201]);
  expect(sms.body.fallbackTemplateId).toBe(mail.body.id);
  templates.mail = mail.body.id as string;
  templates.sms = sms.body.id as string;
  await prisma.template.updateMany({ where: { id: { in: [templates.mail, templates.sms] } }, data: { status: 'ACTIVE', dedupContentSeconds: 0 } });
}, 120_000);

afterAll(async () => {
  await herald?.stop();
  await smtp?.close();
});

async function sendWithAlternate(receiver: string, email: string, order: string) {
  const accepted = await herald.request('POST', '/v1/messages', {
    templateCode: 'fb_sms', receivers: [receiver], variables: { name: 'Li', order }, alternates: { [receiver]: { EMAIL: email } },
  });
  expect(accepted.status).toBe(202);
  return { messageId: accepted.body.messageId as string, sendId: accepted.body.sends[0].sendId as string };
}

describe('channel fallback', () => {
  it('an UNDELIVERED SMS starts the e-mail fallback: its own send, linked, visible in the message view, diagnose, trace and metrics', async () => {
    const { messageId, sendId } = await sendWithAlternate('+86 138 0013 0000', 'Li@Example.com', 'F-1');
    const primary = await finalSend(herald, sendId);
    expect(primary).toMatchObject({ status: 'UNDELIVERED', channel: 'SMS', fallbackOf: null });

    const withFallback = await eventually(async () => {
      const body = (await herald.request('GET', `/v1/sends/${sendId}`)).body;
      return body.fallback?.status === 'DELIVERED' ? body : undefined;
    });
    const fallbackId = withFallback.fallback.sendId as string;
    expect(withFallback.fallback).toMatchObject({ channel: 'EMAIL', receiver: 'li@example.com' });
    expect(await finalSend(herald, fallbackId)).toMatchObject({ status: 'DELIVERED', channel: 'EMAIL', vendor: 'smtp', fallbackOf: sendId });
    expect(smtp.received.some((m) => m.raw.includes('Hello Li, your order F-1 has shipped.'))).toBe(true);

    const message = (await herald.request('GET', `/v1/messages/${messageId}`)).body;
    expect(message.sends.map((s: { sendId: string; channel: string; fallbackOf: string | null }) => [s.sendId, s.channel, s.fallbackOf]))
      .toEqual([[sendId, 'SMS', null], [fallbackId, 'EMAIL', sendId]]);

    const phone = (await herald.request('GET', `/v1/diagnose?receiver=${encodeURIComponent('+8613800130000')}`)).body;
    expect(phone.sends[0].explanation).toContain(`Its fallback went on EMAIL: send ${fallbackId}, now DELIVERED.`);
    const mailbox = (await herald.request('GET', '/v1/diagnose?receiver=li%40example.com')).body;
    expect(mailbox.sends[0]).toMatchObject({ sendId: fallbackId, verdict: 'DELIVERED', evidence: { fallbackOf: sendId } });

    const trace = (await herald.request('GET', `/v1/sends/${sendId}/trace`)).body;
    const lines = (trace.events as Array<{ what: string }>).map((event) => event.what);
    expect(lines).toContainEqual(`fallback send ${fallbackId} started on EMAIL, now DELIVERED`);
    expect(lines).toContainEqual(expect.stringContaining('fallback send started: UNDELIVERED'));

    const metrics = await (await fetch(`${herald.baseUrl}/metrics`)).text();
    expect(metrics).toContain('herald_fallbacks_started_total{from_channel="SMS",to_channel="EMAIL",trigger="UNDELIVERED"} 1');
  });

  it('a send not DELIVERED within fallbackAfterSeconds starts the fallback and still ends by its own receipt', async () => {
    await herald.deps.prisma.template.update({ where: { id: templates.sms }, data: { fallbackAfterSeconds: 1 } });
    herald.vendor.faults.inject('no_receipt', 1);
    const { sendId } = await sendWithAlternate('+86 138 0013 8001', 'wang@example.com', 'F-2');
    const fallback = await eventually(async () => (await herald.deps.prisma.send.findUnique({ where: { fallbackOf: sendId } })) ?? undefined);
    expect(fallback).toMatchObject({ channel: 'EMAIL', receiver: 'wang@example.com' });
    expect((await finalSend(herald, fallback.id)).status).toBe('DELIVERED');
    expect((await herald.request('GET', `/v1/sends/${sendId}`)).body.status).toBe('SENT');
    await herald.deps.prisma.template.update({ where: { id: templates.sms }, data: { fallbackAfterSeconds: null } });
  });

  it('no alternate for the fallback channel: no fallback send; a DELIVERED send starts none', async () => {
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'fb_sms', receivers: ['+86 138 0013 0000', '+86 138 0013 8002'], variables: { name: 'Li', order: 'F-3' } });
    const [undelivered, delivered] = accepted.body.sends as Array<{ sendId: string }>;
    expect((await finalSend(herald, undelivered.sendId)).status).toBe('UNDELIVERED');
    expect((await finalSend(herald, delivered.sendId)).status).toBe('DELIVERED');
    expect(await herald.deps.prisma.send.count({ where: { fallbackOf: { in: [undelivered.sendId, delivered.sendId] } } })).toBe(0);
  });

  it('refuses an alternate that is not one of the receivers, an invalid alternate, and a fallback on the same channel, naming the field', async () => {
    const stray = await herald.request('POST', '/v1/messages', { templateCode: 'fb_sms', receivers: ['+8613800138003'], variables: { name: 'Li', order: 'F-4' }, alternates: { '+8613800138999': { EMAIL: 'a@example.com' } } });
    expect([stray.status, stray.body.error.details.fields[0].field]).toEqual([400, 'alternates.+8613800138999']);
    const invalid = await herald.request('POST', '/v1/messages', { templateCode: 'fb_sms', receivers: ['+8613800138003'], variables: { name: 'Li', order: 'F-4' }, alternates: { '+8613800138003': { EMAIL: 'not-an-address' } } });
    expect([invalid.status, invalid.body.error.details.fields[0].field]).toEqual([400, 'alternates.+8613800138003.EMAIL']);
    const sameChannel = await herald.request('PATCH', `/v1/admin/templates/${templates.sms}`, { fallbackTemplateId: templates.sms });
    expect([sameChannel.status, sameChannel.body.error.details.fields[0].field]).toEqual([400, 'fallbackTemplateId']);
  });
});
