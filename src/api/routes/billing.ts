import type { CountryCode } from 'libphonenumber-js';
import { Router } from 'express';
import { compareBill } from '../../billing/bill-compare';
import { BillRejected, BillTooLarge } from '../../billing/bill-errors';
import { loadAccountDays } from '../../billing/billing-days';
import { billingReport, billingReportCsvHeader, billingReportCsvRows } from '../../billing/billing-report';
import { toCsv } from '../../shared/csv';
import { billComparisonAnswerSchema, billingReportAnswerSchema, type AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { billCompareQuerySchema, billingReportQuerySchema } from '../schemas';
import { requireScope } from '../scopes';
import { parseOr400 } from '../validate';
import { wantsCsv } from '../wants-csv';

/** How many differences of each kind, and bad bill rows, an answer lists (all are counted). */
const LIST_LIMIT = 100;

/**
 * Billing and reconciliation for ops: what each vendor account was billed
 * for in a month, and a vendor's bill compared with it. Covers all teams:
 * vendors bill the account, and accounts are shared by every team.
 */
export function billingRouter(deps: ApiDeps): Router {
  const router = Router();

  router.get('/v1/reports/billing', requireScope('platform'), async (req, res) => {
    const query = parseOr400(billingReportQuerySchema, req.query, 'query');
    const period = { month: query.month, timeZone: query.timeZone ?? deps.config.DEFAULT_TIME_ZONE };
    const byDay = query.by === 'day';
    const report = billingReport(period, await loadAccountDays(deps.prisma, period, query.account), byDay);
    if (wantsCsv(req, query.format)) {
      res.type('text/csv; charset=utf-8').attachment(`herald-billing-${period.month}${byDay ? '-by-day' : ''}.csv`);
      res.send(toCsv(billingReportCsvHeader(byDay), billingReportCsvRows(report)));
      return;
    }
    res.json(report satisfies AnswerOf<typeof billingReportAnswerSchema>);
  });

  router.post('/v1/reports/billing/compare', requireScope('platform'), async (req, res) => {
    const query = parseOr400(billCompareQuerySchema, req.query, 'query');
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
  });

  return router;
}

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
