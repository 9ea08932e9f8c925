import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { SEED_SANDBOX_ACCOUNT } from '../../src/db/seed';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

/**
 * Input bounds: receipts per push, NUL anywhere in input (a 400 naming the
 * field, and the refused request's log row kept), a billing month that does
 * not exist, and formula cells in the CSV files Herald writes.
 */
describe('bounds on input', () => {
  let herald: RunningHerald;
  let receiptPath: string;

  beforeAll(async () => {
    herald = await startHerald({ RECEIPT_PUSH_MAX_RECEIPTS: '3' });
    const account = await herald.deps.prisma.account.findUniqueOrThrow({ where: { name: SEED_SANDBOX_ACCOUNT } });
    const view = await herald.request('GET', `/v1/admin/accounts/${account.id}`);
    receiptPath = new URL(view.body.receiptUrl as string).pathname;
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  const receipt = (messageId: string) => ({ messageId, to: '+8613800138000', status: 'DELIVRD', errCode: 'DELIVRD', errMsg: 'ok', doneTime: new Date().toISOString() });

  /** The api_request_log row of the latest request to `path` (the log is written after the answer). */
  async function loggedRow(path: string, since: Date) {
    return eventually(async () => (await herald.deps.prisma.apiRequestLog.findFirst({ where: { path, at: { gte: since } }, orderBy: { at: 'desc' } })) ?? undefined, 10_000, 100);
  }

  it('refuses a receipt push over RECEIPT_PUSH_MAX_RECEIPTS with a 413 that tells the vendor to split it; stores nothing of it', async () => {
    const ids = Array.from({ length: 4 }, () => `sbx-bound-${randomUUID()}`);
    const tooMany = await herald.request('POST', receiptPath, { receipts: ids.map(receipt) });
    expect(tooMany).toMatchObject({ status: 413, body: { error: { code: 'TOO_MANY_RECEIPTS', message: expect.stringContaining('split it'), details: { limit: 3, received: 4 } } } });
    expect(await herald.deps.prisma.receipt.count({ where: { vendorMessageId: { in: ids } } })).toBe(0);
    expect((await herald.request('POST', receiptPath, { receipts: ids.slice(0, 3).map(receipt) })).status).toBe(200);
  });

  it('answers NUL in any input with a 400 naming the field, and keeps the refused request in the log', async () => {
    const since = new Date();
    const campaign = await herald.request('POST', '/v1/campaigns', { name: 'nul', templateCode: 'welcome\u0000sms', audienceId: randomUUID(), schedule: { at: new Date(Date.now() + 3_600_000).toISOString() } });
    expect(campaign).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', details: { fields: [{ field: 'templateCode', reason: 'must not contain the NUL character' }] } } } });
    const logged = await loggedRow('/v1/campaigns', since);
    expect(logged).toMatchObject({ status: 400, error: { code: 'INVALID_REQUEST', details: { fields: [{ field: 'templateCode' }] } } });

    const pushed = await herald.request('POST', receiptPath, { receipts: [receipt('sbx-\u0000-1')] });
    expect(pushed).toMatchObject({ status: 400, body: { error: { details: { fields: [{ field: 'receipts[0].messageId' }] } } } });
    expect(await loggedRow('/v1/receipts/sandbox/***', since)).toMatchObject({ status: 400 });

    const diagnose = await herald.request('GET', '/v1/diagnose?receiver=%2B86138%00');
    expect(diagnose).toMatchObject({ status: 400, body: { error: { details: { fields: [{ field: 'receiver' }] } } } });
    const keyed = await herald.request('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: ['+8613800138000'], variables: { 'na\u0000me': 'Li' } });
    expect(keyed.status).toBe(400);
    expect(keyed.body.error.details.fields).toContainEqual({ field: 'variables.na\\u0000me', reason: 'the name must not contain the NUL character' });
    expect(await loggedRow('/v1/messages', since)).toMatchObject({ status: 400 });
  });

  it('keeps an audience row with NUL in a cell as a refused row (its column named), never a 500', async () => {
    const csv = 'receiver,name\n+8613800138000,Li\n+8613800138001,Wa\u0000ng\n';
    const uploaded = await herald.request('POST', `/v1/audiences?name=nul-${randomUUID().slice(0, 6)}&channel=SMS`, csv, { 'content-type': 'text/csv' });
    expect(uploaded).toMatchObject({ status: 201, body: { rowCount: 1, invalidCount: 1, errors: [{ line: 3, reason: expect.stringContaining('name must not contain the NUL character') }] } });
  });

  it('refuses a billing month that does not exist', async () => {
    for (const month of ['0000-01', '2026-13', '1969-12']) {
      expect(await herald.request('GET', `/v1/reports/billing?month=${month}`)).toMatchObject({ status: 400, body: { error: { details: { fields: [{ field: 'month' }] } } } });
    }
    expect((await herald.request('GET', '/v1/reports/billing?month=2026-11')).status).toBe(200);
  });

  it('neutralises formula cells in the audience errors CSV', async () => {
    const csv = 'receiver,name\n=1+2,Li\n@SUM(1),Li\n-1+2,Li\n';
    const uploaded = await herald.request('POST', `/v1/audiences?name=formula-${randomUUID().slice(0, 6)}&channel=SMS`, csv, { 'content-type': 'text/csv' });
    expect(uploaded.status).toBe(201);
    const errors = await fetch(`${herald.baseUrl}/v1/audiences/${uploaded.body.id}/errors`, { headers: { authorization: `Bearer ${herald.apiKey}`, accept: 'text/csv' } });
    const rows: string[][] = parse(await errors.text(), { from_line: 2 });
    const cells = rows.map((row) => row[2] ?? '');
    expect(cells).toEqual(["'=1+2,Li", "'@SUM(1),Li", "'-1+2,Li"]);
  });
});
