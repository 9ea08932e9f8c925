import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { compareDays } from '../../src/billing/bill-day-compare';
import { BillRejected, BillTooLarge } from '../../src/billing/bill-errors';
import { detectBillLayout } from '../../src/billing/bill-layout';
import { readCsvRecords } from '../../src/billing/bill-reader';
import { readBillRow } from '../../src/billing/bill-rows';
import { billingReport, billingReportCsvHeader, billingReportCsvRows } from '../../src/billing/billing-report';
import { isDayOfMonth, isTimeZone } from '../../src/billing/billing-month';
import { csvField, toCsv } from '../../src/shared/csv';

async function records(text: string, maxBytes = 1024, chunk = 7) {
  const chunks = [];
  for (let i = 0; i < text.length; i += chunk) chunks.push(Buffer.from(text.slice(i, i + chunk)));
  const read = [];
  for await (const record of readCsvRecords(Readable.from(chunks), maxBytes)) read.push(record);
  return read;
}

describe('CSV writing', () => {
  it('quotes commas, quotes, line breaks and edge spaces, and parses back', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(12)).toBe('12');
    expect(csvField(null)).toBe('');
    const rows = [['腾讯, 主账号', 'say "hi"', 3], ['line\r\nbreak', '', 0]];
    expect(parse(toCsv(['a', 'b', 'c'], rows))).toEqual([['a', 'b', 'c'], ...rows.map((r) => r.map(String))]);
  });
});

describe('billing month', () => {
  it('knows IANA zones and the days of a month', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isDayOfMonth('2026-02-28', '2026-02')).toBe(true);
    expect(isDayOfMonth('2026-02-29', '2026-02')).toBe(false);
    expect(isDayOfMonth('2028-02-29', '2028-02')).toBe(true);
    expect(isDayOfMonth('2026-03-01', '2026-02')).toBe(false);
  });
});

describe('bill layout', () => {
  it('reads per-message bills by their message id column (ours, Tencent, Aliyun, Chinese exports)', () => {
    expect(detectBillLayout(['vendor_message_id', 'receiver', 'segments', 'status'])).toEqual({ kind: 'per-message', columns: 4, vendorMessageId: 0, segments: 2, receiver: 1 });
    expect(detectBillLayout(['SerialNo', 'PhoneNumber', 'Fee'])).toMatchObject({ kind: 'per-message', vendorMessageId: 0, segments: 2, receiver: 1 });
    expect(detectBillLayout(['PhoneNum', ' BizId ', 'SmsSize'])).toMatchObject({ kind: 'per-message', vendorMessageId: 1, segments: 2, receiver: 0 });
    expect(detectBillLayout(['发送流水号', '手机号码', '计费条数'])).toMatchObject({ kind: 'per-message', vendorMessageId: 0, segments: 2 });
    expect(detectBillLayout(['BizId', 'PhoneNum'])).toEqual({ field: 'header', reason: expect.stringContaining('needs a segments column') });
  });

  it('reads per-day bills by a date and a count column, and names what is missing', () => {
    expect(detectBillLayout(['date', 'count'])).toEqual({ kind: 'per-day', columns: 2, date: 0, count: 1 });
    expect(detectBillLayout(['日期', '计费条数'])).toMatchObject({ kind: 'per-day' });
    expect(detectBillLayout(['date', 'amount'])).toEqual({ field: 'header', reason: expect.stringContaining('needs a count column') });
    expect(detectBillLayout(['when', 'what'])).toEqual({ field: 'header', reason: expect.stringContaining('line 1 is neither') });
  });
});

describe('bill rows', () => {
  const perDay = { kind: 'per-day', columns: 2, date: 0, count: 1 } as const;
  const perMessage = { kind: 'per-message', columns: 3, vendorMessageId: 0, segments: 2, receiver: 1 } as const;

  it('reads dates in three spellings, within the month only', () => {
    expect(readBillRow(perDay, ['2026-11-03', '12'], 2, '2026-11')).toEqual({ kind: 'day', row: { line: 2, day: '2026-11-03', count: 12 } });
    expect(readBillRow(perDay, ['2026/11/03', '12'], 2, '2026-11')).toMatchObject({ row: { day: '2026-11-03' } });
    expect(readBillRow(perDay, ['20261103', ' 12 '], 2, '2026-11')).toMatchObject({ row: { day: '2026-11-03', count: 12 } });
    expect(readBillRow(perDay, ['2026-11/03', '1'], 7, '2026-11')).toMatchObject({ problem: { line: 7, field: 'date' } });
    expect(readBillRow(perDay, ['2026-02-30', '1'], 7, '2026-02')).toMatchObject({ problem: { field: 'date' } });
    expect(readBillRow(perDay, ['2026-12-01', '1'], 7, '2026-11')).toMatchObject({ problem: { reason: '2026-12-01 is not a day of 2026-11' } });
    expect(readBillRow(perDay, ['2026-11-01', '1.5'], 7, '2026-11')).toMatchObject({ problem: { field: 'count' } });
  });

  it('reads message rows and refuses empty ids, bad segments and wrong field counts', () => {
    expect(readBillRow(perMessage, ['sn-1', '+8613800138000', '2'], 3, '2026-11')).toEqual({ kind: 'message', row: { line: 3, vendorMessageId: 'sn-1', receiver: '+8613800138000', segments: 2 } });
    expect(readBillRow(perMessage, ['sn-1', '', '2'], 3, '2026-11')).toMatchObject({ row: { receiver: null } });
    expect(readBillRow(perMessage, [' ', 'x', '2'], 3, '2026-11')).toMatchObject({ problem: { field: 'vendor_message_id', reason: 'is empty' } });
    expect(readBillRow(perMessage, ['sn-1', 'x', ''], 3, '2026-11')).toMatchObject({ problem: { field: 'segments' } });
    expect(readBillRow(perMessage, ['sn-1', 'x'], 3, '2026-11')).toMatchObject({ problem: { field: 'row', reason: 'has 2 fields, the header has 3' } });
  });
});

describe('readCsvRecords', () => {
  it('streams records with the line each ends on, across chunk borders, skipping blank lines and a BOM', async () => {
    const read = await records('\ufeffdate,count\r\n2026-11-01,"1"\r\n\r\n"2026-11-02",2\n');
    expect(read).toEqual([
      { line: 1, fields: ['date', 'count'] },
      { line: 2, fields: ['2026-11-01', '1'] },
      { line: 4, fields: ['2026-11-02', '2'] },
    ]);
  });

  it('stops at the size limit and reports broken quoting with its line', async () => {
    await expect(records(`date,count\n${'2026-11-01,1\n'.repeat(100)}`, 200)).rejects.toBeInstanceOf(BillTooLarge);
    const broken = records('date,count\n2026-11-01,1\n2026-11-02,"2\n');
    await expect(broken).rejects.toBeInstanceOf(BillRejected);
    await expect(broken).rejects.toMatchObject({ problems: [{ line: 3, field: 'csv' }] });
  });
});

describe('compareDays', () => {
  it('lists every day that differs on either side, vendor minus Herald', () => {
    const herald = new Map([['2026-11-01', 5], ['2026-11-02', 3], ['2026-11-04', 1]]);
    const vendor = new Map([['2026-11-01', 5], ['2026-11-02', 4], ['2026-11-03', 2]]);
    expect(compareDays(herald, vendor)).toEqual([
      { day: '2026-11-02', herald: 3, vendor: 4, difference: 1 },
      { day: '2026-11-03', herald: 0, vendor: 2, difference: 2 },
      { day: '2026-11-04', herald: 1, vendor: 0, difference: -1 },
    ]);
  });
});

describe('billingReport', () => {
  it('folds account days into accounts, days and totals, and CSV rows in header order', () => {
    const day = (account: string, d: string, accepted: number, segments: number) => ({ account, provider: 'tencent', channel: 'SMS', day: d, accepted, segments, delivered: accepted - 1, undelivered: 1, expired: 0, awaiting: 0 });
    const rows = [day('a', '2026-11-01', 2, 3), day('a', '2026-11-02', 4, 9), day('b', '2026-11-02', 1, 1)];
    const report = billingReport({ month: '2026-11', timeZone: 'Asia/Shanghai' }, rows, true);
    expect(report.accounts.map((a) => [a.account, a.accepted, a.segments, a.days?.length])).toEqual([['a', 6, 12, 2], ['b', 1, 1, 1]]);
    expect(report.totals).toEqual({ accepted: 7, segments: 13, receipts: { delivered: 4, undelivered: 3, expired: 0, awaiting: 0 } });
    expect(billingReportCsvRows(report)[1]).toEqual(['2026-11', '2026-11-02', 'a', 'tencent', 'SMS', 4, 9, 3, 1, 0, 0]);
    expect(billingReportCsvHeader(true)).toHaveLength(11);
    expect(billingReport({ month: '2026-11', timeZone: 'UTC' }, rows, false).accounts[0]).not.toHaveProperty('days');
  });
});

describe('CSV files Herald writes', () => {
  it('neutralise every text cell a spreadsheet would run as a formula; numbers stay numbers', () => {
    expect(['=1+1', '+86138', '-2', '@SUM(A1)', '\tx', '\rx', 'plain'].map(csvField)).toEqual(["'=1+1", "'+86138", "'-2", "'@SUM(A1)", "'\tx", "\"'\rx\"", 'plain']);
    expect(toCsv(['n'], [[-5], ['=cmd|x']])).toBe("n\r\n-5\r\n'=cmd|x\r\n");
  });
});
