import { Prisma, type PrismaClient } from '../generated/prisma/client';
import { ACCEPTANCES } from './acceptances';
import type { BillingMonth } from './billing-month';

/** What one vendor account was billed for on one day of the month, as Herald counts it. */
export interface AccountDay {
  account: string;
  provider: string;
  channel: string;
  /** `YYYY-MM-DD` in the month's time zone. */
  day: string;
  /** Sends the vendor accepted (they carry a vendor message id): what the vendor bills. */
  accepted: number;
  /** Sum of the sends' segments: SMS billing units (GSM-7 160/153, UCS-2 70/67), 1 per e-mail or chat message. */
  segments: number;
  delivered: number;
  undelivered: number;
  /** No receipt came within the receipt window. */
  expired: number;
  /** Still waiting for a receipt. */
  awaiting: number;
}

/**
 * Sends the vendors accepted in the month, grouped by account and day in
 * Postgres (one row per account and day, whatever the number of sends).
 * A send counts on the day its vendor accepted it (`sent_at`), read in the
 * month's time zone, once per acceptance: a send an operator re-ran (reset or
 * retry) that went out again counts twice, as the vendor bills it. Receipt
 * counts come from the final status of the run each acceptance belongs to.
 * Uses the `send(sent_at)` index for the month's range.
 */
export async function loadAccountDays(prisma: PrismaClient, period: BillingMonth, accountName?: string): Promise<AccountDay[]> {
  const monthStart = `${period.month}-01`;
  const accountFilter = accountName === undefined ? Prisma.empty : Prisma.sql`AND a.name = ${accountName}`;
  const rows = await prisma.$queryRaw<Array<Omit<AccountDay, 'awaiting'>>>`
    WITH days AS (
      SELECT s.account_id,
             to_char(s.sent_at AT TIME ZONE ${period.timeZone}, 'YYYY-MM-DD') AS day,
             count(*)::int AS accepted,
             sum(s.segments)::int AS segments,
             (count(*) FILTER (WHERE s.status = 'DELIVERED'))::int AS delivered,
             (count(*) FILTER (WHERE s.status = 'UNDELIVERED'))::int AS undelivered,
             (count(*) FILTER (WHERE s.status = 'EXPIRED'))::int AS expired
        FROM ${ACCEPTANCES} s
       WHERE s.sent_at >= (${monthStart}::timestamp AT TIME ZONE ${period.timeZone})
         AND s.sent_at < ((${monthStart}::timestamp + interval '1 month') AT TIME ZONE ${period.timeZone})
       GROUP BY 1, 2
    )
    SELECT a.name AS account, a.provider, a.channel, d.day, d.accepted, d.segments, d.delivered, d.undelivered, d.expired
      FROM days d JOIN account a ON a.id = d.account_id
     WHERE true ${accountFilter}
     ORDER BY a.name, d.day`;
  return rows.map((row) => ({ ...row, awaiting: row.accepted - row.delivered - row.undelivered - row.expired }));
}
