import type { CountryCode } from 'libphonenumber-js';
import { compareBill } from '../../billing/bill-compare';
import { BillRejected, BillTooLarge } from '../../billing/bill-errors';
import { loadAccountDays } from '../../billing/billing-days';
import { billingReport, billingReportCsvHeader, billingReportCsvRows } from '../../billing/billing-report';
import { toCsv } from '../../shared/csv';
import { billComparisonAnswerSchema, billingReportAnswerSchema, type AnswerOf } from '../answers';
import { HttpError } from '../http-error';
import { billCompareQuerySchema, billingReportQuerySchema } from '../schemas';
import { wantsCsv } from '../wants-csv';
import { route, type ApiRoute } from '../route';
import { ok, PLATFORM } from '../openapi/access';

/** How many differences of each kind, and bad bill rows, an answer lists (all are counted). */
const LIST_LIMIT = 100;

/**
 * Billing and reconciliation for platform admins (the `platform` scope):
 * what each vendor account was billed for in a month, and a vendor's bill
 * compared with it. Covers all teams: vendors bill the account, and accounts
 * are shared by every team.
 */
export const billingRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/reports/billing',
    tag: 'billing',
    summary: 'What each vendor account was billed for in a month',
    description:
      'Per vendor account (all teams: vendors bill the account): sends the vendor accepted, their billed segments, and receipts by final status; with `by=day` each day too. A send counts on the day its vendor accepted it, in `timeZone` (default `DEFAULT_TIME_ZONE`). JSON, or CSV (one row per account, or per account and day) with `format=csv` or `Accept: text/csv` without a `format`.',
    access: PLATFORM,
    query: billingReportQuerySchema,
    answers: { 200: { description: 'the report; as CSV (RFC 4180, an attachment) when asked', schema: billingReportAnswerSchema, mediaType: 'text/csv' } },
    handler: async ({ deps, req, res, query }) => {
      const period = { month: query.month, timeZone: query.timeZone ?? deps.config.DEFAULT_TIME_ZONE };
      const byDay = query.by === 'day';
      const report = billingReport(period, await loadAccountDays(deps.prisma, period, query.account), byDay);
      if (wantsCsv(req, query.format)) {
        res.type('text/csv; charset=utf-8').attachment(`herald-billing-${period.month}${byDay ? '-by-day' : ''}.csv`);
        res.send(toCsv(billingReportCsvHeader(byDay), billingReportCsvRows(report)));
        return;
      }
      res.json(report satisfies AnswerOf<typeof billingReportAnswerSchema>);
    },
  }),

  route({
    method: 'post',
    path: '/v1/reports/billing/compare',
    tag: 'billing',
    summary: "A vendor's bill compared with Herald's sends",
    description:
      "The body is the vendor's bill as CSV, per message (a vendor message id and a segments column) or per day (a date and a count column), told apart by the header row; read as it streams in, at most `BILL_MAX_BYTES`. Any unreadable row refuses the whole bill: nothing is compared.",
    access: PLATFORM,
    query: billCompareQuerySchema,
    textBody: { mediaTypes: ['text/csv', 'text/plain'], description: "the vendor's bill: a header row, then one row per message or per day" },
    answers: ok('the comparison, per day or per message (`format`); each list of differences holds the first 100 and counts all', billComparisonAnswerSchema),
    errors: {
      400: 'INVALID_BILL: the bill has unreadable rows; `details.problemCount` counts them, `details.rows` lists the first 100 as `{line, field, reason}` (line 1 is the header, `field: "csv"` for broken quoting)',
      404: 'ACCOUNT_NOT_FOUND: no vendor account named `account`',
      413: 'BILL_TOO_LARGE: the bill is larger than BILL_MAX_BYTES (`details.limit`)',
      415: 'UNSUPPORTED_MEDIA_TYPE: the body is not text/csv (or text/plain)',
    },
    handler: async ({ deps, req, res, query }) => {
      if (!req.is(['text/csv', 'text/plain'])) {
        throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type: send the bill as text/csv', { fields: [{ field: 'content-type', reason: 'must be text/csv' }] });
      }
      const account = await deps.prisma.account.findUnique({ where: { name: query.account }, select: { id: true, name: true, provider: true } });
      if (!account) throw new HttpError(404, 'ACCOUNT_NOT_FOUND', `account: no vendor account named ${query.account}`, { fields: [{ field: 'account', reason: 'no such account' }] });
      try {
        res.json(
          await compareBill(
            deps.prisma,
            {
              account,
              period: { month: query.month, timeZone: query.timeZone ?? deps.config.DEFAULT_TIME_ZONE },
              unit: query.unit,
              maxBytes: deps.config.BILL_MAX_BYTES,
              listLimit: LIST_LIMIT,
              transactionTimeoutMs: deps.config.BILL_COMPARE_TIMEOUT_SECONDS * 1000,
              phoneRegion: deps.config.DEFAULT_PHONE_REGION as CountryCode,
            },
            req,
          ) satisfies AnswerOf<typeof billComparisonAnswerSchema>,
        );
      } catch (error) {
        throw billError(error);
      }
    },
  }),
];

/** A bill Herald cannot read as the answer that says where; anything else passes on. */
function billError(error: unknown): unknown {
  if (error instanceof BillRejected) {
    return new HttpError(400, 'INVALID_BILL', error.message, { problemCount: error.problemCount, rows: error.problems });
  }
  if (error instanceof BillTooLarge) {
    return new HttpError(413, 'BILL_TOO_LARGE', error.message, { field: 'body', limit: error.maxBytes });
  }
  return error;
}
