import { execFile } from 'node:child_process';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { SEED_SANDBOX_ACCOUNT } from '../../src/db/seed';
import { createCaller } from '../support/callers';
import { startHerald, type RunningHerald } from '../support/herald';
import { finalSend, sendOne, useOnlyAccount, useTemplate } from '../support/vendor-accounts';

const ROOT = path.join(__dirname, '..', '..');
const DIRECT = 'billing-direct';
const ROUTED = 'billing-sandbox';

/** Mixed content through the real API and the sandbox vendor; segments counted by hand (template adds "Notice: ", 8 characters). */
const ROUTED_SENDS = [
  { text: 'Hello Li, your order A-1001 has shipped.', receiver: '+8613912340101', segments: 1 }, // GSM-7, 48
  { text: 'Your parcel is on its way. '.repeat(6), receiver: '+8613912340102', segments: 2 }, // GSM-7, 170 > 160: 153 per segment
  { text: '您的订单已发货，请注意查收。', receiver: '+8613912340000', segments: 1 }, // UCS-2, 22; sandbox: UNDELIVERED
  { text: '尊敬的客户您好，您本月的账单已经生成，请登录应用查看详情。'.repeat(3), receiver: '+8613912340104', segments: 2 }, // UCS-2, 95 > 70: 67 per segment
  { text: 'Order A-1001 has shipped, 订单已发货. Track it in the app any time you like. '.repeat(2), receiver: '+8613912340105', segments: 3 }, // one Chinese character makes all 152 UCS-2
  { text: '€'.repeat(80), receiver: '+8613912340106', segments: 2 }, // 88 characters, but € costs two septets: 168
];

/**
 * Sends of the account `billing-direct`, written as rows (the clearest way to
 * place sends on both sides of a Beijing day and month boundary).
 */
const DIRECT_SENDS = [
  { id: 'tx-1', sentAt: '2026-10-31T16:30:00Z', segments: 1, status: 'DELIVERED' }, // Beijing 11-01 00:30
  { id: 'tx-2', sentAt: '2026-10-31T15:30:00Z', segments: 2, status: 'DELIVERED' }, // Beijing 10-31 23:30
  { id: 'tx-3', sentAt: '2026-11-15T04:00:00Z', segments: 3, status: 'UNDELIVERED' },
  { id: 'tx-4', sentAt: '2026-11-15T05:00:00Z', segments: 1, status: 'EXPIRED' },
  { id: 'tx-5', sentAt: '2026-11-30T15:59:00Z', segments: 2, status: 'SENT' }, // Beijing 11-30 23:59
  { id: 'tx-6', sentAt: '2026-11-30T16:01:00Z', segments: 4, status: 'DELIVERED' }, // Beijing 12-01 00:01
  { id: null, sentAt: null, segments: 5, status: 'FAILED' }, // never accepted by a vendor: not billed
];

function herald(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', ['bin/herald.js', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('billing report and vendor bill comparison', () => {
  let running: RunningHerald;

  const compare = (query: string, body: string, contentType = 'text/csv') => running.request('POST', `/v1/reports/billing/compare?${query}`, body, { 'content-type': contentType });

  beforeAll(async () => {
    running = await startHerald({ BILL_MAX_BYTES: '4096' });
    const { prisma } = running.deps;
    const config = running.settings;
    const seeded = await prisma.account.findUniqueOrThrow({ where: { name: SEED_SANDBOX_ACCOUNT } });
    await useOnlyAccount(running, {
      name: ROUTED,
      provider: 'sandbox',
      config: seeded.config as Record<string, string | number>,
      secrets: { appKey: config.SANDBOX_APP_KEY, appSecret: config.SANDBOX_APP_SECRET },
    });
    await useTemplate(running, 'billing_notice', 'Notice: {text}', {});

    const direct = await prisma.account.upsert({
      where: { name: DIRECT },
      create: { name: DIRECT, channel: 'SMS', provider: 'sandbox', enabled: false },
      update: { enabled: false },
    });
    const apiKey = await prisma.apiKey.findFirstOrThrow();
    const template = await prisma.template.findFirstOrThrow({ where: { code: 'billing_notice' } });
    const message = await prisma.message.create({ data: { apiKeyId: apiKey.id, teamId: apiKey.teamId, templateId: template.id, requestHash: 'billing-test', receiverCount: DIRECT_SENDS.length } });
    await prisma.send.createMany({
      data: DIRECT_SENDS.map((s, i) => ({
        messageId: message.id, templateId: template.id, channel: 'SMS', receiver: `+86138000000${String(i).padStart(2, '0')}`, receiverRaw: '-', content: '-',
        segments: s.segments, status: s.status, accountId: direct.id, provider: 'sandbox', vendorMessageId: s.id, sentAt: s.sentAt ? new Date(s.sentAt) : null,
      })),
    });
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
  });

  it('sums billed segments of mixed Latin, Chinese and long messages sent through the API, with receipts by status', async () => {
    const sendIds = await Promise.all(ROUTED_SENDS.map((s) => sendOne(running, 'billing_notice', s.receiver, { text: s.text })));
    const finals = await Promise.all(sendIds.map((id) => finalSend(running, id)));
    expect(finals.map((s) => s.status)).toEqual(['DELIVERED', 'DELIVERED', 'UNDELIVERED', 'DELIVERED', 'DELIVERED', 'DELIVERED']);
    expect(finals.map((s) => s.segments)).toEqual(ROUTED_SENDS.map((s) => s.segments));

    const beijingDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });
    const days = [...new Set(finals.map((s) => beijingDay.format(new Date(s.sentAt as string))))].sort();
    const month = (days[0] ?? '').slice(0, 7);
    const report = await running.request('GET', `/v1/reports/billing?month=${month}&account=${ROUTED}&by=day`);
    expect(report.status).toBe(200);
    expect(report.body.accounts).toHaveLength(1);
    expect(report.body.accounts[0]).toMatchObject({ account: ROUTED, provider: 'sandbox', channel: 'SMS', accepted: 6, segments: 11, receipts: { delivered: 5, undelivered: 1, expired: 0, awaiting: 0 } });
    expect(report.body.accounts[0].days.map((d: { day: string }) => d.day)).toEqual(days);
    expect(report.body.totals).toMatchObject({ accepted: 6, segments: 11 });
  });

  it('counts days and the month in the time zone asked for (default Asia/Shanghai), only sends a vendor accepted', async () => {
    const beijing = await running.request('GET', `/v1/reports/billing?month=2026-11&account=${DIRECT}&by=day`);
    expect(beijing.status).toBe(200);
    expect(beijing.body).toMatchObject({ month: '2026-11', timeZone: 'Asia/Shanghai' });
    expect(beijing.body.accounts[0]).toMatchObject({ accepted: 4, segments: 7, receipts: { delivered: 1, undelivered: 1, expired: 1, awaiting: 1 } });
    expect(beijing.body.accounts[0].days).toEqual([
      { day: '2026-11-01', accepted: 1, segments: 1, receipts: { delivered: 1, undelivered: 0, expired: 0, awaiting: 0 } },
      { day: '2026-11-15', accepted: 2, segments: 4, receipts: { delivered: 0, undelivered: 1, expired: 1, awaiting: 0 } },
      { day: '2026-11-30', accepted: 1, segments: 2, receipts: { delivered: 0, undelivered: 0, expired: 0, awaiting: 1 } },
    ]);

    const utc = await running.request('GET', `/v1/reports/billing?month=2026-11&account=${DIRECT}&timeZone=UTC&by=day`);
    expect(utc.body.accounts[0]).toMatchObject({ accepted: 4, segments: 10 });
    expect(utc.body.accounts[0].days.map((d: { day: string; accepted: number }) => [d.day, d.accepted])).toEqual([['2026-11-15', 2], ['2026-11-30', 2]]);

    const all = await running.request('GET', '/v1/reports/billing?month=2026-11');
    expect(all.body.accounts.map((a: { account: string }) => a.account)).toContain(DIRECT);
  });

  it('gives CSV (Accept: text/csv or ?format=csv) that parses back to the same numbers', async () => {
    const json = await running.request('GET', '/v1/reports/billing?month=2026-11&by=day');
    const asked = await fetch(`${running.baseUrl}/v1/reports/billing?month=2026-11&by=day`, { headers: { authorization: `Bearer ${running.apiKey}`, accept: 'text/csv' } });
    expect(asked.headers.get('content-type')).toContain('text/csv');
    const text = await asked.text();
    const viaFormat = await fetch(`${running.baseUrl}/v1/reports/billing?month=2026-11&by=day&format=csv`, { headers: { authorization: `Bearer ${running.apiKey}` } });
    expect(await viaFormat.text()).toBe(text);

    const rows = parse<Record<string, string>>(text, { columns: true });
    const fromJson = json.body.accounts.flatMap((a: { account: string; days: Array<{ day: string; accepted: number; segments: number; receipts: Record<string, number> }> }) =>
      a.days.map((d) => ({ month: '2026-11', day: d.day, account: a.account, accepted: String(d.accepted), segments: String(d.segments), delivered: String(d.receipts.delivered), undelivered: String(d.receipts.undelivered), expired: String(d.receipts.expired), awaiting: String(d.receipts.awaiting) })),
    );
    expect(rows.map(({ provider: _p, channel: _c, ...rest }) => rest)).toEqual(fromJson);
    expect(rows.find((r) => r.account === DIRECT && r.day === '2026-11-15')).toMatchObject({ accepted: '2', segments: '4' });
  });

  it('refuses a bad month, time zone or missing ops scope, naming the field', async () => {
    const month = await running.request('GET', '/v1/reports/billing?month=2026-13');
    expect(month.status).toBe(400);
    expect(month.body.error.details.fields).toEqual([{ field: 'month', reason: 'must be a month as YYYY-MM, e.g. 2026-11' }]);
    const zone = await running.request('GET', '/v1/reports/billing?month=2026-11&timeZone=Mars/Olympus');
    expect(zone.body.error.details.fields[0].field).toBe('timeZone');

    const sender = await createCaller(running.deps.prisma, 'billing-test-team', ['send']);
    const refused = await running.request('GET', '/v1/reports/billing?month=2026-11', undefined, sender.auth);
    expect(refused.status).toBe(403);
    expect((await compare(`month=2026-11&account=${DIRECT}`, 'date,count\n')).status).toBe(200);
    expect((await running.request('POST', `/v1/reports/billing/compare?month=2026-11&account=${DIRECT}`, 'date,count\n', { ...sender.auth, 'content-type': 'text/csv' })).status).toBe(403);
  });

  it('compares a per-day bill and finds the day that is off', async () => {
    // 11-15 is split in two rows (they add up) and billed 3 segments more than Herald sent.
    const bill = 'date,count\r\n2026-11-01,1\r\n20261115,4\r\n2026/11/15,3\r\n2026-11-30,2\r\n';
    const answer = await compare(`month=2026-11&account=${DIRECT}`, bill);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      month: '2026-11', timeZone: 'Asia/Shanghai', account: DIRECT, provider: 'sandbox', matches: false, format: 'per-day', unit: 'segments',
      vendor: { rows: 4, total: 10 }, herald: { total: 7 },
      days: [{ day: '2026-11-15', herald: 4, vendor: 7, difference: 3 }],
    });

    const messages = await compare(`month=2026-11&account=${DIRECT}&unit=messages`, '日期,计费条数\n2026-11-01,1\n2026-11-15,2\n2026-11-30,1\n');
    expect(messages.body).toMatchObject({ matches: true, unit: 'messages', vendor: { total: 4 }, herald: { total: 4 }, days: [] });
  });

  it('compares a per-message bill (Tencent column names) and lists each kind of difference, receivers masked', async () => {
    const bill = [
      'SerialNo,PhoneNumber,Fee,SendTime',
      'tx-1,+8613800000000,1,2026-11-01 00:30:00',
      'tx-3,+8613800000002,4,2026-11-15 12:00:00', // Herald counted 3 segments
      'tx-4,+8613800000003,1,2026-11-15 13:00:00',
      'tx-6,+8613800000005,4,2026-12-01 00:01:00', // Herald has it on Beijing 12-01
      'tx-999,+8613800000099,1,2026-11-20 10:00:00', // unknown to Herald
    ].join('\n'); // tx-5 is missing: sent by Herald, not billed
    const answer = await compare(`month=2026-11&account=${DIRECT}`, bill);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      format: 'per-message', unit: 'segments', matches: false,
      vendor: { rows: 5, messages: 5, segments: 11, duplicatedIds: 0 },
      herald: { messages: 4, segments: 7 },
      vendorOnly: { count: 1, first: [{ vendorMessageId: 'tx-999', line: 6, sendId: null, heraldSegments: null, vendorSegments: 1 }] },
      heraldOnly: { count: 1, first: [{ vendorMessageId: 'tx-5', line: null, heraldSegments: 2, vendorSegments: null, sentAt: '2026-11-30T15:59:00.000Z' }] },
      outsideMonth: { count: 1, first: [{ vendorMessageId: 'tx-6', line: 5, heraldSegments: 4, vendorSegments: 4, sentAt: '2026-11-30T16:01:00.000Z' }] },
      segmentsDiffer: { count: 1, first: [{ vendorMessageId: 'tx-3', line: 3, heraldSegments: 3, vendorSegments: 4 }] },
    });
    expect(answer.body.segmentsDiffer.first[0].receiver).toBe('+86138****0002');
    expect(JSON.stringify(answer.body)).not.toMatch(/\+86138000000\d\d/);
  });

  it('matches the lines of a batch call (one id for every number) to each receiver\'s send', async () => {
    const { prisma } = running.deps;
    const account = await prisma.account.create({ data: { name: 'billing-batch', channel: 'SMS', provider: 'aliyun', enabled: false } });
    const message = await prisma.message.findFirstOrThrow({ where: { requestHash: 'billing-test' } });
    // Aliyun's SendBatchSms gives one BizId to the whole call: Herald keeps "<BizId>|<receiver>" per send.
    const sends = [
      { receiver: '+8613800000071', vendorMessageId: 'biz-7|+8613800000071' },
      { receiver: '+8613800000072', vendorMessageId: 'biz-7|+8613800000072' },
      { receiver: '+8613800000073', vendorMessageId: 'biz-8' },
    ];
    await prisma.send.createMany({
      data: sends.map((s) => ({
        messageId: message.id, templateId: message.templateId, channel: 'SMS', receiver: s.receiver, receiverRaw: '-', content: '-',
        segments: 1, status: 'DELIVERED', accountId: account.id, provider: 'aliyun', vendorMessageId: s.vendorMessageId, sentAt: new Date('2026-11-10T04:00:00Z'),
      })),
    });
    const bill = 'BizId,PhoneNum,SmsSize\nbiz-7,13800000071,1\nbiz-7,+86 138 0000 0072,1\nbiz-8,13800000073,1\n';
    const answer = await compare('month=2026-11&account=billing-batch', bill);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      matches: true,
      vendor: { rows: 3, messages: 3, segments: 3, duplicatedIds: 0 },
      herald: { messages: 3, segments: 3 },
      vendorOnly: { count: 0 }, heraldOnly: { count: 0 },
    });
  });

  it('rejects a bill with bad rows, naming every line, and compares nothing', async () => {
    const bill = 'vendor_message_id,receiver,segments\ntx-1,+8613800000000,1\ntx-3,+8613800000002,two\ntx-4,+8613800000003\n,+8613800000004,1\n';
    const answer = await compare(`month=2026-11&account=${DIRECT}`, bill);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('INVALID_BILL');
    expect(answer.body.error.details).toEqual({
      problemCount: 3,
      rows: [
        { line: 3, field: 'segments', reason: 'must be a whole number of 0 or more' },
        { line: 4, field: 'row', reason: 'has 2 fields, the header has 3' },
        { line: 5, field: 'vendor_message_id', reason: 'is empty' },
      ],
    });

    const days = await compare(`month=2026-11&account=${DIRECT}`, 'date,count\n2026-11-31,1\n2026-12-01,2\n2026-11-02,-1\n');
    expect(days.body.error.details.rows).toEqual([
      { line: 2, field: 'date', reason: '"2026-11-31" is not a date (YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)' },
      { line: 3, field: 'date', reason: '2026-12-01 is not a day of 2026-11' },
      { line: 4, field: 'count', reason: 'must be a whole number of 0 or more' },
    ]);

    const unclosed = await compare(`month=2026-11&account=${DIRECT}`, 'date,count\n2026-11-01,1\n2026-11-02,"5\n');
    expect(unclosed.status).toBe(400);
    expect(unclosed.body.error.details.rows[0]).toMatchObject({ field: 'csv', line: 3 });

    const header = await compare(`month=2026-11&account=${DIRECT}`, 'when,how many\n2026-11-01,1\n');
    expect(header.body.error.details.rows[0]).toMatchObject({ line: 1, field: 'header' });
  });

  it('refuses an oversized bill (413), a bill that is not CSV (415) and an unknown account (404)', async () => {
    const big = `date,count\n${'2026-11-01,1\n'.repeat(400)}`;
    const tooLarge = await compare(`month=2026-11&account=${DIRECT}`, big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toMatchObject({ code: 'BILL_TOO_LARGE', details: { field: 'body', limit: 4096 } });

    expect((await compare(`month=2026-11&account=${DIRECT}`, '{}', 'application/json')).status).toBe(415);
    const unknown = await compare('month=2026-11&account=nobody', 'date,count\n');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.details.fields).toEqual([{ field: 'account', reason: 'no such account' }]);
  });

  it('the CLI prints the report as a table and as CSV', async () => {
    const env = { HERALD_URL: running.baseUrl, HERALD_API_KEY: running.apiKey };
    const printed = await herald(['report', 'billing', '2026-11', '--account', DIRECT, '--by-day'], env);
    expect(printed).toMatchObject({ code: 0, stderr: '' });
    expect(printed.stdout).toContain('billing 2026-11 (days in Asia/Shanghai, all teams)');
    expect(printed.stdout).toMatch(/billing-direct\s+sandbox\s+SMS\s+2026-11-15\s+2\s+4\s+0\s+1\s+1\s+0/);
    expect(printed.stdout).toMatch(/total\s+4\s+7\s+1\s+1\s+1\s+1/);

    const csv = await herald(['report', 'billing', '2026-11', '--account', DIRECT, '--csv'], env);
    expect(csv.stdout.trim().split('\r\n')).toEqual(['month,account,provider,channel,accepted,segments,delivered,undelivered,expired,awaiting', '2026-11,billing-direct,sandbox,SMS,4,7,1,1,1,1']);

    const bad = await herald(['report', 'billing', '2026-13'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('month: must be a month as YYYY-MM');
    expect((await herald(['report', 'billing'], env)).code).toBe(2);
  });
});
