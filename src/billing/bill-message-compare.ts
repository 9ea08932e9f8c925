import { Prisma } from '../generated/prisma/client';
import { ACCEPTANCES } from './acceptances';
import { maskReceiver } from '../shared/mask';
import type { BillingMonth } from './billing-month';
import type { BilledMessage } from './bill-rows';

/** Rows inserted into the bill table per statement. */
const INSERT_BATCH = 2000;

/** Kinds of difference between a per-message bill and Herald's sends. */
export const MESSAGE_DIFFERENCES = ['VENDOR_ONLY', 'HERALD_ONLY', 'OUTSIDE_MONTH', 'SEGMENTS_DIFFER'] as const;
export type MessageDifferenceKind = (typeof MESSAGE_DIFFERENCES)[number];

/** One differing message; receivers masked. */
export interface MessageDifference {
  vendorMessageId: string;
  /** Line of the bill (null for a message only Herald has). */
  line: number | null;
  sendId: string | null;
  receiver: string | null;
  sentAt: string | null;
  heraldSegments: number | null;
  vendorSegments: number | null;
}

/** A bounded list of one kind of difference and how many there are in all. */
export interface DifferenceList {
  count: number;
  first: MessageDifference[];
}

export interface MessageComparison {
  vendor: { rows: number; messages: number; segments: number; duplicatedIds: number };
  herald: { messages: number; segments: number };
  /** Billed by the vendor, unknown to Herald for this account. */
  vendorOnly: DifferenceList;
  /** Sent through this account in the month, not on the bill. */
  heraldOnly: DifferenceList;
  /** Billed in this month, but Herald's send has its vendor acceptance in another month (a day boundary). */
  outsideMonth: DifferenceList;
  /** On both sides with a different number of segments. */
  segmentsDiffer: DifferenceList;
}

/** The bill's rows as a temporary table of the open transaction (dropped at its end). */
export class BillTable {
  private lines: number[] = [];
  private ids: string[] = [];
  private memberIds: Array<string | null> = [];
  private receivers: Array<string | null> = [];
  private segments: number[] = [];

  /** `memberIdOf`: the id Herald keeps for a row's send if it went out in a batch call (see batch-member.ts), or null. */
  private constructor(
    private readonly tx: Prisma.TransactionClient,
    private readonly memberIdOf: (row: BilledMessage) => string | null,
  ) {}

  static async create(tx: Prisma.TransactionClient, memberIdOf: (row: BilledMessage) => string | null): Promise<BillTable> {
    await tx.$executeRaw`CREATE TEMPORARY TABLE bill_line (line int NOT NULL, vendor_message_id text NOT NULL, member_id text, receiver text, segments int NOT NULL) ON COMMIT DROP`;
    return new BillTable(tx, memberIdOf);
  }

  async add(row: BilledMessage): Promise<void> {
    this.lines.push(row.line);
    this.ids.push(row.vendorMessageId);
    this.memberIds.push(this.memberIdOf(row));
    this.receivers.push(row.receiver);
    this.segments.push(row.segments);
    if (this.lines.length >= INSERT_BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    await this.tx.$executeRaw`
      INSERT INTO bill_line (line, vendor_message_id, member_id, receiver, segments)
      SELECT * FROM unnest(${this.lines}::int[], ${this.ids}::text[], ${this.memberIds}::text[], ${this.receivers}::text[], ${this.segments}::int[])`;
    this.lines = [];
    this.ids = [];
    this.memberIds = [];
    this.receivers = [];
    this.segments = [];
  }
}

/**
 * Joins the loaded bill with the account's sends in Postgres: a FULL JOIN on
 * the vendor message id between the bill (summed per id; a line of a batch
 * call, whose id the vendor gives the whole batch, under the id of its
 * receiver's send when Herald has that send) and the sends the
 * vendor accepted in the month, then a lookup by `(provider,
 * vendor_message_id)` (indexed) for billed ids Herald has in another month.
 * Only the counts and the first `listLimit` of each kind leave the database.
 */
export async function compareBillMessages(
  tx: Prisma.TransactionClient,
  account: { id: string; provider: string },
  period: BillingMonth,
  listLimit: number,
): Promise<MessageComparison> {
  const monthStart = `${period.month}-01`;
  await tx.$executeRaw`ANALYZE bill_line`;
  await tx.$executeRaw`
    CREATE TEMPORARY TABLE bill_match ON COMMIT DROP AS
    WITH keyed AS (
      SELECT coalesce(m.vendor_message_id, l.vendor_message_id) AS vendor_message_id, l.line, l.receiver, l.segments
        FROM bill_line l
        LEFT JOIN send m ON l.member_id IS NOT NULL AND m.provider = ${account.provider} AND m.vendor_message_id = l.member_id
                        AND m.account_id = ${account.id}::uuid
    ), billed AS (
      SELECT vendor_message_id, min(line) AS line, min(receiver) AS receiver, sum(segments)::int AS segments, count(*)::int AS rows
        FROM keyed GROUP BY vendor_message_id
    ), sent AS (
      SELECT send_id AS id, vendor_message_id, receiver, segments, sent_at
        FROM ${ACCEPTANCES} a
       WHERE account_id = ${account.id}::uuid
         AND sent_at >= (${monthStart}::timestamp AT TIME ZONE ${period.timeZone})
         AND sent_at < ((${monthStart}::timestamp + interval '1 month') AT TIME ZONE ${period.timeZone})
    )
    SELECT coalesce(b.vendor_message_id, s.vendor_message_id) AS vendor_message_id,
           b.line, b.rows AS bill_rows, b.segments AS vendor_segments, b.receiver AS vendor_receiver,
           s.id AS send_id, s.segments AS herald_segments, s.receiver AS herald_receiver, s.sent_at
      FROM billed b FULL JOIN sent s ON s.vendor_message_id = b.vendor_message_id`;
  // Billed ids Herald does not have in the month: known in another month, or unknown.
  await tx.$executeRaw`
    UPDATE bill_match m
       SET send_id = o.send_id, herald_segments = o.segments, herald_receiver = o.receiver, sent_at = o.sent_at
      FROM ${ACCEPTANCES} o
     WHERE m.send_id IS NULL AND o.provider = ${account.provider} AND o.vendor_message_id = m.vendor_message_id AND o.account_id = ${account.id}::uuid`;

  const [totals] = await tx.$queryRaw<Array<{ bill_rows: number; vendor_messages: number; vendor_segments: number; duplicated_ids: number; herald_messages: number; herald_segments: number }>>`
    SELECT coalesce(sum(bill_rows), 0)::int AS bill_rows,
           (count(*) FILTER (WHERE line IS NOT NULL))::int AS vendor_messages,
           coalesce(sum(vendor_segments), 0)::int AS vendor_segments,
           (count(*) FILTER (WHERE bill_rows > 1))::int AS duplicated_ids,
           (count(*) FILTER (WHERE send_id IS NOT NULL AND NOT ${outsideMonthSql(period)}))::int AS herald_messages,
           coalesce(sum(herald_segments) FILTER (WHERE send_id IS NOT NULL AND NOT ${outsideMonthSql(period)}), 0)::int AS herald_segments
      FROM bill_match`;
  const rows = await tx.$queryRaw<Array<DifferenceRow>>`
    WITH classified AS (
      SELECT *, CASE
          WHEN send_id IS NULL THEN 'VENDOR_ONLY'
          WHEN line IS NULL THEN 'HERALD_ONLY'
          WHEN ${outsideMonthSql(period)} THEN 'OUTSIDE_MONTH'
          WHEN vendor_segments <> herald_segments THEN 'SEGMENTS_DIFFER'
        END AS kind
        FROM bill_match
    ), ranked AS (
      SELECT *, row_number() OVER (PARTITION BY kind ORDER BY line NULLS LAST, sent_at, vendor_message_id)::int AS rank,
             (count(*) OVER (PARTITION BY kind))::int AS kind_count
        FROM classified WHERE kind IS NOT NULL
    )
    SELECT kind, kind_count, vendor_message_id, line, send_id::text AS send_id, coalesce(herald_receiver, vendor_receiver) AS receiver,
           sent_at, herald_segments, vendor_segments
      FROM ranked WHERE rank <= ${listLimit} ORDER BY kind, rank`;

  const list = (kind: MessageDifferenceKind): DifferenceList => {
    const ofKind = rows.filter((r) => r.kind === kind);
    return { count: ofKind[0]?.kind_count ?? 0, first: ofKind.map(toDifference) };
  };
  return {
    vendor: { rows: totals?.bill_rows ?? 0, messages: totals?.vendor_messages ?? 0, segments: totals?.vendor_segments ?? 0, duplicatedIds: totals?.duplicated_ids ?? 0 },
    herald: { messages: totals?.herald_messages ?? 0, segments: totals?.herald_segments ?? 0 },
    vendorOnly: list('VENDOR_ONLY'),
    heraldOnly: list('HERALD_ONLY'),
    outsideMonth: list('OUTSIDE_MONTH'),
    segmentsDiffer: list('SEGMENTS_DIFFER'),
  };
}

interface DifferenceRow {
  kind: MessageDifferenceKind;
  kind_count: number;
  vendor_message_id: string;
  line: number | null;
  send_id: string | null;
  receiver: string | null;
  sent_at: Date | null;
  herald_segments: number | null;
  vendor_segments: number | null;
}

/** A matched send whose vendor acceptance lies outside the month (only rows the UPDATE above filled). */
function outsideMonthSql(period: BillingMonth): Prisma.Sql {
  const monthStart = `${period.month}-01`;
  return Prisma.sql`(sent_at < (${monthStart}::timestamp AT TIME ZONE ${period.timeZone}) OR sent_at >= ((${monthStart}::timestamp + interval '1 month') AT TIME ZONE ${period.timeZone}))`;
}

function toDifference(row: DifferenceRow): MessageDifference {
  return {
    vendorMessageId: row.vendor_message_id,
    line: row.line,
    sendId: row.send_id,
    receiver: row.receiver === null ? null : maskReceiver(row.receiver),
    sentAt: row.sent_at === null ? null : row.sent_at.toISOString(),
    heraldSegments: row.herald_segments,
    vendorSegments: row.vendor_segments,
  };
}
