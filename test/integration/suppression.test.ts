import { createCaller, type TestCaller } from '../support/callers';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

/** The suppression list against the real stack: no suppressed receiver reaches the sandbox vendor. */
describe('suppression list (real Temporal, sandbox vendor)', () => {
  let herald: RunningHerald;
  let otherTeam: TestCaller;

  beforeAll(async () => {
    herald = await startHerald();
    const team = await herald.deps.prisma.team.findUniqueOrThrow({ where: { name: 'demo' } });
    await herald.deps.prisma.template.create({
      data: { code: 'suppression_notice', name: 'Notice', teamId: team.id, channel: 'SMS', messageType: 'NOTICE', content: 'Notice {n}', dedupContentSeconds: 0 },
    });
    await herald.deps.prisma.template.create({
      data: { code: 'suppression_login', name: 'Login code', teamId: team.id, channel: 'SMS', messageType: 'VERIFICATION', content: 'Code {n}', dedupContentSeconds: 0, bypassTeamSuppression: true },
    });
    otherTeam = await createCaller(herald.deps.prisma, 'suppression-other-team', ['send']);
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  async function sendAndSettle(templateCode: string, receiver: string, n: string): Promise<{ sendId: string; status: string; reason: string | null; reasonDetail: string | null }> {
    const accepted = await herald.request('POST', '/v1/messages', { templateCode, receivers: [receiver], variables: { n } });
    expect(accepted.status).toBe(202);
    const sendId: string = accepted.body.sends[0].sendId;
    return eventually(async () => {
      const view = await herald.request('GET', `/v1/sends/${sendId}`);
      const status = String(view.body.status);
      return ['DELIVERED', 'UNDELIVERED', 'SUPPRESSED', 'FILTERED', 'FAILED'].includes(status) ? { sendId, ...view.body } : undefined;
    });
  }

  const sentTo = (receiver: string) => herald.vendor.sent().filter((s) => s.to === receiver).length;

  it('a receiver on the team list ends SUPPRESSED with the reason and never reaches the vendor', async () => {
    const added = await herald.request('POST', '/v1/suppressions', { channel: 'SMS', receiver: '+86 139-0066-1001', reason: 'UNSUBSCRIBED', detail: 'opted out in the shop app' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ scope: 'TEAM', receiver: '+8613900661001', reason: 'UNSUBSCRIBED', source: 'API' });

    const send = await sendAndSettle('suppression_notice', '+8613900661001', '1');
    expect(send).toMatchObject({ status: 'SUPPRESSED', reason: 'UNSUBSCRIBED' });
    expect(send.reasonDetail).toContain("on the team's suppression list");
    expect(send.reasonDetail).toContain('opted out in the shop app');
    expect(sentTo('+8613900661001')).toBe(0);

    const listed = await herald.request('GET', '/v1/suppressions?channel=SMS&receiver=13900661001');
    expect(listed.body.suppressions).toEqual([expect.objectContaining({ id: added.body.id, receiver: expect.not.stringContaining('13900661001') })]);
    const again = await herald.request('POST', '/v1/suppressions', { channel: 'SMS', receiver: '+8613900661001', reason: 'BLACKLISTED' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: added.body.id, reason: 'BLACKLISTED' });
  });

  it('concurrent adds of one receiver keep one entry per list (one 201, the others 200)', async () => {
    const receiver = '+8613900661009';
    const adds = await Promise.all(
      Array.from({ length: 8 }, (_, i) => herald.request('POST', '/v1/suppressions', { channel: 'SMS', receiver, reason: i % 2 ? 'BLACKLISTED' : 'UNSUBSCRIBED' })),
    );
    expect(adds.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(adds.map((a) => String(a.body.id))).size).toBe(1);
    const globalAdds = await Promise.all(
      Array.from({ length: 4 }, () => herald.request('POST', '/v1/admin/suppressions', { channel: 'SMS', receiver, reason: 'BLACKLISTED', global: true })),
    );
    expect(globalAdds.filter((a) => a.status === 201)).toHaveLength(1);
    expect(await herald.deps.prisma.suppression.count({ where: { receiver } })).toBe(2);
  });

  it('another team may not see or remove the entry, nor write the global list without the admin scope', async () => {
    const entry = await herald.request('POST', '/v1/suppressions', { channel: 'SMS', receiver: '+8613900661004', reason: 'UNSUBSCRIBED' });
    expect(entry.status).toBeLessThan(300);
    const removed = await herald.request('DELETE', `/v1/suppressions/${String(entry.body.id)}`, undefined, otherTeam.auth);
    expect(removed.status).toBe(404);
    const listed = await herald.request('GET', '/v1/suppressions', undefined, otherTeam.auth);
    expect(listed.body.suppressions).toEqual([]);
    const admin = await herald.request('POST', '/v1/admin/suppressions', { channel: 'SMS', receiver: '+8613900661004', reason: 'BLACKLISTED', global: true }, otherTeam.auth);
    expect(admin.status).toBe(403);
  });

  it('VERIFICATION with the template flag passes the team list, never the global list', async () => {
    const receiver = '+8613900661002';
    await herald.request('POST', '/v1/suppressions', { channel: 'SMS', receiver, reason: 'UNSUBSCRIBED' });
    const notice = await sendAndSettle('suppression_notice', receiver, '2');
    expect(notice.status).toBe('SUPPRESSED');
    const login = await sendAndSettle('suppression_login', receiver, '2');
    expect(login.status).toBe('DELIVERED');
    expect(sentTo(receiver)).toBe(1);

    const global = await herald.request('POST', '/v1/admin/suppressions', { channel: 'SMS', receiver, reason: 'BLACKLISTED', detail: 'carrier complaint', global: true });
    expect(global.status).toBe(201);
    expect(global.body).toMatchObject({ scope: 'GLOBAL', teamId: null, source: 'MANUAL' });
    const blocked = await sendAndSettle('suppression_login', receiver, '3');
    expect(blocked).toMatchObject({ status: 'SUPPRESSED', reason: 'BLACKLISTED' });
    expect(blocked.reasonDetail).toContain('the global suppression list');
    expect(sentTo(receiver)).toBe(1);

    expect((await herald.request('DELETE', `/v1/admin/suppressions/${String(global.body.id)}`)).status).toBe(204);
    expect((await sendAndSettle('suppression_login', receiver, '4')).status).toBe('DELIVERED');
  });

  it('an unsubscribe receipt puts the receiver on the team list; the next send is SUPPRESSED', async () => {
    // The sandbox answers receivers ending in 0115 with an UNDELIV DB:0115 (unsubscribed) receipt.
    const receiver = '+8613900660115';
    const first = await sendAndSettle('suppression_notice', receiver, '5');
    expect(first).toMatchObject({ status: 'UNDELIVERED', reason: 'UNSUBSCRIBED' });
    const listed = await herald.request('GET', `/v1/suppressions?channel=SMS&receiver=${encodeURIComponent(receiver)}`);
    expect(listed.body.suppressions).toEqual([expect.objectContaining({ scope: 'TEAM', reason: 'UNSUBSCRIBED', source: 'RECEIPT' })]);
    expect(listed.body.suppressions[0].detail).toContain(first.sendId);

    const second = await sendAndSettle('suppression_notice', receiver, '6');
    expect(second).toMatchObject({ status: 'SUPPRESSED', reason: 'UNSUBSCRIBED' });
    expect(sentTo(receiver)).toBe(1);
    const diagnosis = await herald.request('GET', `/v1/diagnose?receiver=${encodeURIComponent(receiver)}`);
    expect(diagnosis.body).toMatchObject({ verdict: 'SUPPRESSED' });
  });

  it('refuses bad entries and a bypass flag on a non-VERIFICATION template with a 400 naming the field', async () => {
    const badReceiver = await herald.request('POST', '/v1/suppressions', { channel: 'SMS', receiver: '12ab', reason: 'UNSUBSCRIBED' });
    expect(badReceiver.status).toBe(400);
    expect(badReceiver.body.error.details.fields).toEqual([{ field: 'receiver', reason: 'receiver has characters that are not part of a phone number' }]);
    const badReason = await herald.request('POST', '/v1/suppressions', { channel: 'SMS', receiver: '+8613900661003', reason: 'BORED' });
    expect(badReason.status).toBe(400);
    expect(badReason.body.error.details.fields).toEqual([expect.objectContaining({ field: 'reason' })]);
    const globalWithoutAdmin = await herald.request('POST', '/v1/suppressions', { channel: 'SMS', receiver: '+8613900661003', reason: 'UNSUBSCRIBED', global: true });
    expect(globalWithoutAdmin.status).toBe(400);
    const bypassOnNotice = await herald.request('POST', '/v1/admin/templates', {
      code: 'suppression_bad_bypass', name: 'Bad bypass', channel: 'SMS', messageType: 'NOTICE', content: 'Hi', bypassTeamSuppression: true,
    });
    expect(bypassOnNotice.status).toBe(400);
    expect(bypassOnNotice.body.error.details.fields).toEqual([{ field: 'bypassTeamSuppression', reason: 'only VERIFICATION templates may pass the team suppression list' }]);
  });
});
