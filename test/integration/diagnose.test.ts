import { apiKeyPrefix, hashApiKey } from '../../src/security/api-keys';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

/** Quiet hours around the current UTC hour, so a DEFER template defers right now. */
function quietNow() {
  const hour = new Date().getUTCHours();
  const hh = (offset: number) => `${String((hour + offset + 24) % 24).padStart(2, '0')}:00`;
  return { quietStart: hh(-1), quietEnd: hh(2), releaseAt: hh(3), timeZone: 'UTC' };
}

const SEND_ONLY_KEY = 'hk_test_send_only_key_00000000000000';

describe('GET /v1/diagnose: every verdict from real sends', () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald();
    const { prisma } = herald.deps;
    const team = await prisma.team.findUniqueOrThrow({ where: { name: 'demo' } });
    await prisma.template.create({
      data: { code: 'diagnose_night', name: 'Deferred notice', teamId: team.id, channel: 'SMS', messageType: 'NOTICE', content: 'Night notice {n}', shieldPolicy: 'DEFER', dedupContentSeconds: 0, ...quietNow() },
    });
    await prisma.apiKey.create({ data: { teamId: team.id, name: 'send only', keyPrefix: apiKeyPrefix(SEND_ONLY_KEY), keyHash: hashApiKey(SEND_ONLY_KEY), scopes: ['send'] } });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  async function sendTo(receiver: string, templateCode = 'welcome_sms', variables: Record<string, string> = { name: 'Li', order: 'D-1' }): Promise<string> {
    const accepted = await herald.request('POST', '/v1/messages', { templateCode, receivers: [receiver], variables });
    expect(accepted.status).toBe(202);
    return accepted.body.sends[0].sendId;
  }

  async function untilStatus(sendId: string, status: string): Promise<void> {
    await eventually(async () => ((await herald.request('GET', `/v1/sends/${sendId}`)).body.status === status ? true : undefined));
  }

  async function diagnose(receiver: string) {
    const answer = await herald.request('GET', `/v1/diagnose?receiver=${encodeURIComponent(receiver)}`);
    expect(answer.status).toBe(200);
    return answer.body;
  }

  it('all vendors failing: VENDOR_FAILED with each attempt (vendor, code, text, class)', async () => {
    herald.vendor.faults.inject('auth', 1);
    const sendId = await sendTo('+8613912340011');
    await untilStatus(sendId, 'FAILED');
    const answer = await diagnose('139 1234 0011');
    expect(answer.verdict).toBe('VENDOR_FAILED');
    const [send] = answer.sends;
    expect(send).toMatchObject({ sendId, status: 'FAILED', reason: 'ALL_VENDORS_FAILED', stoppedAt: 'vendor' });
    expect(send.evidence.attempts).toEqual([
      expect.objectContaining({ account: 'sandbox-primary', provider: 'sandbox', errorClass: 'VENDOR_REJECTED', vendorCode: expect.any(String), vendorText: expect.any(String) }),
    ]);
    expect(send.steps.map((s: { outcome: string }) => s.outcome)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'stopped', 'not reached']);
    expect(send.workflowUrl).toContain(`/workflows/send-${sendId}`);
    expect(answer.summary).toContain('No vendor accepted it');
  });

  it('DELIVERED: the delivery time and what to check on the phone', async () => {
    const sendId = await sendTo('+8613912340012');
    await untilStatus(sendId, 'DELIVERED');
    const answer = await diagnose('+86 139-1234-0012');
    expect(answer.verdict).toBe('DELIVERED');
    expect(answer.sends[0].steps.every((s: { outcome: string }) => s.outcome === 'passed')).toBe(true);
    const deliveredAt: string = answer.sends[0].evidence.receipts[0].deliveredAt;
    expect(answer.summary).toContain(`Delivered to the handset at ${deliveredAt}`);
    expect(answer.summary).toContain('spam filter');
  });

  it('UNDELIVERED by receipt: the normalised reason, vendor code and the vendor message id to ask about', async () => {
    const sendId = await sendTo('+8613912340000');
    await untilStatus(sendId, 'UNDELIVERED');
    const answer = await diagnose('+8613912340000');
    expect(answer.verdict).toBe('UNDELIVERED');
    const [send] = answer.sends;
    expect(send).toMatchObject({ reason: 'CARRIER_BLOCKED', stoppedAt: 'receipt' });
    expect(send.evidence.vendorCode).toBeTruthy();
    expect(answer.summary).toContain(`Ask sandbox with vendor message id ${send.evidence.vendorMessageId}`);
  });

  it('deduped: FILTERED, naming the earlier send it collided with', async () => {
    const first = await sendTo('+8613912340013', 'welcome_sms', { name: 'Li', order: 'DUP-1' });
    await untilStatus(first, 'DELIVERED');
    const second = await sendTo('+8613912340013', 'welcome_sms', { name: 'Li', order: 'DUP-1' });
    await untilStatus(second, 'DEDUPED');
    const answer = await diagnose('+8613912340013');
    expect(answer.verdict).toBe('FILTERED');
    expect(answer.sends.map((s: { sendId: string }) => s.sendId)).toEqual([second, first]);
    expect(answer.sends[0]).toMatchObject({ reason: 'CONTENT_DUPLICATE', stoppedAt: 'dedup' });
    expect(answer.sends[0].evidence.collidedWith).toMatchObject({ sendId: first, status: 'DELIVERED' });
    expect(answer.sends[0].evidence.collidedWith.workflowUrl).toContain(`send-${first}`);
  });

  it('deferred by the night shield: DEFERRED until a time, with how to release it', async () => {
    const sendId = await sendTo('+8613912340014', 'diagnose_night', { n: '1' });
    await untilStatus(sendId, 'DEFERRED');
    const answer = await diagnose('+8613912340014');
    expect(answer.verdict).toBe('DEFERRED');
    expect(answer.sends[0]).toMatchObject({ stoppedAt: 'night shield' });
    expect(answer.sends[0].steps[4]).toMatchObject({ step: 'night shield', outcome: 'waiting' });
    expect(new Date(String(answer.sends[0].evidence.deferredUntil)).getTime()).toBeGreaterThan(Date.now());
    expect(answer.summary).toContain(`/v1/sends/${sendId}/send-now`);
    await herald.request('POST', `/v1/sends/${sendId}/cancel`);
  });

  it('rejected for a tab: REJECTED, showing the receiver exactly as it arrived', async () => {
    const refused = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: ['+8613912340099', '+86 139\t1234 0015'], variables: { name: 'Li', order: 'T-1' } });
    expect(refused.status).toBe(400);
    const answer = await eventually(async () => {
      const body = await diagnose('+8613912340015');
      return body.verdict === 'REJECTED' ? body : undefined;
    });
    expect(answer.sends).toEqual([]);
    const [rejected] = answer.rejectedRequests;
    expect(rejected).toMatchObject({ errorCode: 'INVALID_RECEIVERS', caller: 'demo sender', template: 'welcome_sms', receiverAsReceived: ['+86 139\\t1234 0015'] });
    expect(rejected.explanation).toContain('a tab at position 8');
    // The other receiver of that request is never shown.
    expect(JSON.stringify(answer)).not.toContain('13912340099');
  });

  it('never sent to: NOT_CALLED, with the latest requests of the window, receivers masked', async () => {
    const answer = await diagnose('+8613700000123');
    expect(answer.verdict).toBe('NOT_CALLED');
    expect(answer.summary).toContain('Herald was not called');
    expect(answer.windowRequests.length).toBeGreaterThan(0);
    expect(answer.windowRequests[0]).toMatchObject({ caller: 'demo sender', template: 'welcome_sms' });
    const text = JSON.stringify(answer.windowRequests);
    expect(text).not.toMatch(/\+86139123400\d\d/);
    expect(text).toContain('****');
  });

  it('refuses bad input and keys without the ops scope', async () => {
    const noReceiver = await herald.request('GET', '/v1/diagnose');
    expect(noReceiver.status).toBe(400);
    expect(noReceiver.body.error.details.fields[0].field).toBe('receiver');
    const badWindow = await herald.request('GET', '/v1/diagnose?receiver=%2B8613912340012&from=2026-01-01&to=2026-03-01');
    expect(badWindow.status).toBe(400);
    expect(badWindow.body.error.message).toContain('31 days');
    const forbidden = await herald.request('GET', '/v1/diagnose?receiver=%2B8613912340012', undefined, { authorization: `Bearer ${SEND_ONLY_KEY}` });
    expect(forbidden.status).toBe(403);
  });
});
