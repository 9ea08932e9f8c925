import type { CsvCell } from '../shared/csv';
import type { AccountDay } from './billing-days';
import type { BillingMonth } from './billing-month';

/** Sends accepted by the vendor, billed segments and receipts by status. */
export interface BillingCounts {
  accepted: number;
  segments: number;
  receipts: { delivered: number; undelivered: number; expired: number; awaiting: number };
}

/** One vendor account's month, and its days when asked. */
export interface AccountBilling extends BillingCounts {
  account: string;
  provider: string;
  channel: string;
  days?: Array<BillingCounts & { day: string }>;
}

/** `GET /v1/reports/billing`: every vendor account with sends in the month (all teams: vendors bill the account, not the team). */
export interface BillingReport {
  month: string;
  timeZone: string;
  accounts: AccountBilling[];
  totals: BillingCounts;
}

/** Folds the per-account, per-day rows (already aggregated in SQL) into the report. */
export function billingReport(period: BillingMonth, rows: AccountDay[], byDay: boolean): BillingReport {
  const accounts = new Map<string, AccountBilling>();
  for (const row of rows) {
    let account = accounts.get(row.account);
    if (!account) {
      account = { account: row.account, provider: row.provider, channel: row.channel, ...emptyCounts(), ...(byDay ? { days: [] } : {}) };
      accounts.set(row.account, account);
    }
    add(account, row);
    account.days?.push({ day: row.day, ...add(emptyCounts(), row) });
  }
  const totals = emptyCounts();
  for (const account of accounts.values()) add(totals, { accepted: account.accepted, segments: account.segments, ...account.receipts });
  return { month: period.month, timeZone: period.timeZone, accounts: [...accounts.values()], totals };
}

/** Header of the CSV form of the report: one row per account, or per account and day. */
export function billingReportCsvHeader(byDay: boolean): string[] {
  return ['month', ...(byDay ? ['day'] : []), 'account', 'provider', 'channel', 'accepted', 'segments', 'delivered', 'undelivered', 'expired', 'awaiting'];
}

/** The report's rows for CSV, in the order of billingReportCsvHeader. */
export function billingReportCsvRows(report: BillingReport): CsvCell[][] {
  const cells = (counts: BillingCounts) => [counts.accepted, counts.segments, counts.receipts.delivered, counts.receipts.undelivered, counts.receipts.expired, counts.receipts.awaiting];
  return report.accounts.flatMap((a) =>
    a.days ? a.days.map((d) => [report.month, d.day, a.account, a.provider, a.channel, ...cells(d)]) : [[report.month, a.account, a.provider, a.channel, ...cells(a)]],
  );
}

function emptyCounts(): BillingCounts {
  return { accepted: 0, segments: 0, receipts: { delivered: 0, undelivered: 0, expired: 0, awaiting: 0 } };
}

function add(counts: BillingCounts, row: Pick<AccountDay, 'accepted' | 'segments' | 'delivered' | 'undelivered' | 'expired' | 'awaiting'>): BillingCounts {
  counts.accepted += row.accepted;
  counts.segments += row.segments;
  counts.receipts.delivered += row.delivered;
  counts.receipts.undelivered += row.undelivered;
  counts.receipts.expired += row.expired;
  counts.receipts.awaiting += row.awaiting;
  return counts;
}
