import { z } from 'zod';
import { billingReportCsvHeader, billingReportCsvRows, type BillingReport } from '../../billing/billing-report';
import { toCsv } from '../../shared/csv';
import { callApi, type ApiTarget } from '../api-client';
import { EXIT, type ExitCode } from '../exit-codes';
import { printApiError, type Output } from '../output';
import { table } from '../table';

const countsSchema = {
  accepted: z.number(),
  segments: z.number(),
  receipts: z.object({ delivered: z.number(), undelivered: z.number(), expired: z.number(), awaiting: z.number() }),
};

/** `GET /v1/reports/billing` as the CLI reads it. */
const reportSchema: z.ZodType<BillingReport> = z.object({
  month: z.string(),
  timeZone: z.string(),
  accounts: z.array(
    z.object({
      account: z.string(),
      provider: z.string(),
      channel: z.string(),
      ...countsSchema,
      days: z.array(z.object({ day: z.string(), ...countsSchema })).optional(),
    }),
  ),
  totals: z.object(countsSchema),
});

export interface ReportBillingOptions {
  account?: string;
  byDay: boolean;
  csv: boolean;
}

/**
 * `herald report billing <month> [--account] [--by-day] [--csv]`: sends the
 * vendors accepted, billed segments and receipts per account. `--csv` prints
 * the same CSV the API gives, for a spreadsheet. Exit 0 when the report came.
 */
export async function reportBillingCommand(target: ApiTarget, month: string, options: ReportBillingOptions, output: Output): Promise<ExitCode> {
  const query = new URLSearchParams({ month, ...(options.account ? { account: options.account } : {}), ...(options.byDay ? { by: 'day' } : {}) });
  const answer = await callApi(target, 'GET', `/v1/reports/billing?${query.toString()}`);
  if (!answer.ok) {
    printApiError(output, answer.status, answer.error);
    return EXIT.NOT_OK;
  }
  const report = reportSchema.parse(answer.body);
  if (options.csv) {
    output.out(toCsv(billingReportCsvHeader(options.byDay), billingReportCsvRows(report)).trimEnd());
    return EXIT.OK;
  }
  output.out(`billing ${report.month} (days in ${report.timeZone}, all teams)`);
  const headers = ['account', 'provider', 'channel', ...(options.byDay ? ['day'] : []), 'accepted', 'segments', 'delivered', 'undelivered', 'expired', 'awaiting'];
  const rows = report.accounts.flatMap((a) =>
    (a.days ?? [{ ...a, day: '' }]).map((c) => [a.account, a.provider, a.channel, ...(options.byDay ? [c.day] : []), c.accepted, c.segments, c.receipts.delivered, c.receipts.undelivered, c.receipts.expired, c.receipts.awaiting]),
  );
  const t = report.totals;
  rows.push(['total', '', '', ...(options.byDay ? [''] : []), t.accepted, t.segments, t.receipts.delivered, t.receipts.undelivered, t.receipts.expired, t.receipts.awaiting]);
  output.out(table(headers, rows));
  return EXIT.OK;
}
