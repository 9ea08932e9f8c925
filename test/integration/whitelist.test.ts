import { eventually, startHerald, type RunningHerald } from '../support/herald';

/** Test mode: WHITELIST_ENABLED with two receivers; everyone else ends FILTERED / NOT_WHITELISTED. */
describe('test whitelist (real Temporal, sandbox vendor)', () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald({ WHITELIST_ENABLED: 'true', WHITELIST_RECEIVERS: '+86 139 0066 2001, 13900662002' });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  it('sends only to whitelisted receivers; the others end FILTERED / NOT_WHITELISTED and reach no vendor', async () => {
    const receivers = ['+8613900662001', '+8613900662002', '+8613900662003'];
    const accepted = await herald.request('POST', '/v1/messages', { templateCode: 'verify_code', receivers, variables: { code: '123456' } });
    expect(accepted.status).toBe(202);
    const ids: string[] = accepted.body.sends.map((s: { sendId: string }) => s.sendId);
    const settled = await eventually(async () => {
      const rows = await herald.deps.prisma.send.findMany({ where: { id: { in: ids } }, orderBy: { receiver: 'asc' } });
      return rows.every((r) => ['DELIVERED', 'FILTERED'].includes(r.status)) ? rows : undefined;
    });
    expect(settled.map((r) => [r.receiver, r.status, r.reason])).toEqual([
      ['+8613900662001', 'DELIVERED', null],
      ['+8613900662002', 'DELIVERED', null],
      ['+8613900662003', 'FILTERED', 'NOT_WHITELISTED'],
    ]);
    expect(settled[2].reasonDetail).toContain('WHITELIST_RECEIVERS');
    expect(herald.vendor.sent().map((s) => s.to).filter((to) => receivers.includes(to)).sort()).toEqual(['+8613900662001', '+8613900662002']);
  });
});
