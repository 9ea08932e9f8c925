import type { CountryCode } from 'libphonenumber-js';
import type { PrismaClient } from '../generated/prisma/client';
import { normaliseReceiver } from '../shared/receivers';
import { batchMemberId } from '../vendors/batch-member';
import { compareDays, type DayDifference } from './bill-day-compare';
import { BillRejected } from './bill-errors';
import { detectBillLayout, type BillLayout } from './bill-layout';
import { BillTable, compareBillMessages, type MessageComparison } from './bill-message-compare';
import { readCsvRecords } from './bill-reader';
import { readBillRow, type BilledMessage, type BillRowProblem } from './bill-rows';
import { loadAccountDays } from './billing-days';
import type { BillingMonth } from './billing-month';

/** What a per-day bill counts: billed segments, or messages. */
export type BillUnit = 'segments' | 'messages';

/** The account a bill is for. */
export interface BilledAccount {
  id: string;
  name: string;
  provider: string;
}

export interface BillCompareRequest {
  account: BilledAccount;
  period: BillingMonth;
  /** Per-day bills only; a per-message bill always counts segments. */
  unit: BillUnit;
  maxBytes: number;
  /** How many of each kind of difference (and of bad rows) are listed; all are counted. */
  listLimit: number;
  /** Longest a per-message comparison may hold its transaction (loading the bill and joining). */
  transactionTimeoutMs: number;
  /** Region of bill phone numbers written without a country code (DEFAULT_PHONE_REGION). */
  phoneRegion: CountryCode;
}

interface ComparisonHead {
  month: string;
  timeZone: string;
  account: string;
  provider: string;
  /** True when both sides agree in every respect compared. */
  matches: boolean;
}

/** `POST /v1/reports/billing/compare` answer for a per-day bill. */
export interface DayBillComparison extends ComparisonHead {
  format: 'per-day';
  unit: BillUnit;
  vendor: { rows: number; total: number };
  herald: { total: number };
  /** Days whose counts differ (vendor − herald), from either side. */
  days: DayDifference[];
}

/** `POST /v1/reports/billing/compare` answer for a per-message bill. */
export interface MessageBillComparison extends ComparisonHead, MessageComparison {
  format: 'per-message';
  unit: 'segments';
}

export type BillComparison = DayBillComparison | MessageBillComparison;

/**
 * Reads a vendor's bill CSV as it streams in and compares it with what
 * Herald sent through the account in the month. Every row must be readable:
 * one bad row rejects the bill (BillRejected, with line numbers), since a
 * comparison that skipped rows would report differences that are not there.
 */
export async function compareBill(prisma: PrismaClient, request: BillCompareRequest, body: AsyncIterable<Buffer | string>): Promise<BillComparison> {
  const records = readCsvRecords(body, request.maxBytes);
  const first = await records.next();
  if (first.done) throw new BillRejected([{ line: 1, field: 'header', reason: 'the bill is empty' }], 1);
  const layout = detectBillLayout(first.value.fields);
  if (!('kind' in layout)) throw new BillRejected([{ line: first.value.line, ...layout }], 1);
  const rows = readRows(records, layout, request);
  return layout.kind === 'per-day' ? compareDayBill(prisma, request, rows) : compareMessageBill(prisma, request, rows);
}

/** Data rows of the bill, each read or recorded as a problem. */
interface BillRows {
  records: AsyncGenerator<ReturnType<typeof readBillRow>>;
  problems: ProblemLog;
}

function readRows(records: AsyncGenerator<{ line: number; fields: string[] }>, layout: BillLayout, request: BillCompareRequest): BillRows {
  const problems = new ProblemLog(request.listLimit);
  async function* read() {
    for await (const record of records) {
      const row = readBillRow(layout, record.fields, record.line, request.period.month);
      if (row.kind === 'problem') problems.add(row.problem);
      else yield row;
    }
  }
  return { records: read(), problems };
}

async function compareDayBill(prisma: PrismaClient, request: BillCompareRequest, rows: BillRows): Promise<DayBillComparison> {
  const vendorDays = new Map<string, number>();
  let rowCount = 0;
  for await (const row of rows.records) {
    if (row.kind !== 'day') continue;
    rowCount += 1;
    // A bill may split a day into several rows (per template or signature): they add up.
    vendorDays.set(row.row.day, (vendorDays.get(row.row.day) ?? 0) + row.row.count);
  }
  rows.problems.throwIfAny();
  const heraldDays = new Map<string, number>();
  for (const day of await loadAccountDays(prisma, request.period, request.account.name)) {
    heraldDays.set(day.day, request.unit === 'segments' ? day.segments : day.accepted);
  }
  const days = compareDays(heraldDays, vendorDays);
  return {
    ...head(request, days.length === 0),
    format: 'per-day',
    unit: request.unit,
    vendor: { rows: rowCount, total: sum(vendorDays) },
    herald: { total: sum(heraldDays) },
    days,
  };
}

async function compareMessageBill(prisma: PrismaClient, request: BillCompareRequest, rows: BillRows): Promise<MessageBillComparison> {
  const comparison = await prisma.$transaction(
    async (tx) => {
      const table = await BillTable.create(tx, (row) => batchMemberIdOf(row, request.phoneRegion));
      for await (const row of rows.records) if (row.kind === 'message') await table.add(row.row);
      // Throwing here rolls the transaction back: the loaded rows go with it.
      rows.problems.throwIfAny();
      await table.flush();
      return compareBillMessages(tx, request.account, request.period, request.listLimit);
    },
    { timeout: request.transactionTimeoutMs },
  );
  const differences = comparison.vendorOnly.count + comparison.heraldOnly.count + comparison.outsideMonth.count + comparison.segmentsDiffer.count;
  return { ...head(request, differences === 0 && comparison.vendor.duplicatedIds === 0), format: 'per-message', unit: 'segments', ...comparison };
}

function head(request: BillCompareRequest, matches: boolean): ComparisonHead {
  return { month: request.period.month, timeZone: request.period.timeZone, account: request.account.name, provider: request.account.provider, matches };
}

function sum(values: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const value of values.values()) total += value;
  return total;
}

/** Bad rows: the first `limit` kept with their lines, all counted. */
class ProblemLog {
  private readonly kept: BillRowProblem[] = [];
  private count = 0;

  constructor(private readonly limit: number) {}

  add(problem: BillRowProblem): void {
    this.count += 1;
    if (this.kept.length < this.limit) this.kept.push(problem);
  }

  throwIfAny(): void {
    if (this.count > 0) throw new BillRejected(this.kept, this.count);
  }
}

/**
 * The id Herald keeps for the send of a bill line if it went out in a batch
 * call (`<batch id>|<receiver>`), from the line's id and phone number; null
 * when the line names no number Herald can read.
 */
function batchMemberIdOf(row: BilledMessage, phoneRegion: CountryCode): string | null {
  if (row.receiver === null) return null;
  const phone = normaliseReceiver(row.receiver, 'SMS', phoneRegion);
  return phone.ok ? batchMemberId(row.vendorMessageId, phone.receiver) : null;
}
