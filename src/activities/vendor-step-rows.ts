import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { VendorReceipt } from '../vendors/types';
import { vendorExcerpt } from '../vendors/vendor-text';

/**
 * The vendor step's two hot statements, straight through node-postgres (as the API's accepting
 * statement is): each one round trip where Prisma took three (a send with its message and template)
 * and five (a transaction). Prisma's query interpreter and the round trips' socket writes were the
 * largest costs of the worker's main thread per send (BENCHMARKS.md, profile notes).
 */

/** What a vendor call needs of its send: the row, its message's variables and its template's vendor fields. */
export interface SendForVendor {
  id: string;
  runId: string | null;
  runNo: number;
  receiver: string;
  content: string;
  /** A campaign send's own variables; null: the message's. */
  variables: Record<string, string> | null;
  messageVariables: Record<string, string> | null;
  subject: string | null;
  vendorTemplateIds: Record<string, string> | null;
  /** The first leg's acceptance, if the row has one. */
  accountId: string | null;
  provider: string | null;
  vendorMessageId: string | null;
  sentAt: Date | null;
  /** The calls already made in the leg asked for (any run), newest first: the failover and re-route counters read them. */
  legCalls: Array<{ accountId: string; provider: string }>;
}

const SEND_FOR_VENDOR = `
SELECT s.id, s.run_id AS "runId", s.run_no AS "runNo", s.receiver, s.content, s.variables,
       m.variables AS "messageVariables", t.subject, t.vendor_template_ids AS "vendorTemplateIds",
       s.account_id AS "accountId", s.provider, s.vendor_message_id AS "vendorMessageId", s.sent_at AS "sentAt",
       COALESCE((SELECT json_agg(json_build_object('accountId', a.account_id, 'provider', a.provider) ORDER BY a.started_at DESC)
                 FROM send_attempt a WHERE a.send_id = s.id AND a.leg = $2), '[]') AS "legCalls"
FROM send s
JOIN message m ON m.id = s.message_id
JOIN template t ON t.id = m.template_id
WHERE s.id = $1::uuid`;

/** An activity was asked about a send that has no row. */
export class SendRowMissing extends Error {
  constructor(sendId: string) {
    super(`send ${sendId} has no row`);
    this.name = 'SendRowMissing';
  }
}

/** The send as a vendor call of `leg` needs it, in one statement. */
export async function loadSendForVendor(pool: Pool, sendId: string, leg: number): Promise<SendForVendor> {
  const { rows } = await pool.query<SendForVendor>(SEND_FOR_VENDOR, [sendId, leg]);
  const send = rows[0];
  if (!send) throw new SendRowMissing(sendId);
  return send;
}

/** One accepted vendor call as the run that made it records it. */
export interface AcceptedCall {
  sendId: string;
  runId: string;
  accountId: string;
  provider: string;
  attemptNo: number;
  leg: number;
  vendorCode: string;
  vendorText: string;
  vendorMessageId: string;
  startedAt: Date;
  acceptedAt: Date;
  /** The receipt that came with the acceptance and is already the outcome; null: none. */
  finalReceipt: VendorReceipt | null;
}

/** $1–$13: the ACCEPTED attempt; the send row shows it as SENT (at $13) only while the calling run ($12) owns the row. */
const ATTEMPT_AND_SENT = `
attempt AS (
  INSERT INTO send_attempt (id, send_id, account_id, provider, attempt_no, leg, outcome, vendor_code, vendor_text,
                            vendor_message_id, started_at, duration_ms, run_id)
  VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, 'ACCEPTED', $7, $8, $9, $10, $11, $12)
),
shown AS (
  UPDATE send SET status = 'SENT', account_id = $3::uuid, provider = $4, vendor_message_id = $9,
                  sent_at = $13, updated_at = now()
  WHERE id = $2::uuid AND run_id = $12
  RETURNING id
)`;

/** $14–$21: the receipt that came with the acceptance, for the same account, source SEND. */
const RECEIPT_WITH_ANSWER = `,
receipt AS (
  INSERT INTO receipt (id, provider, account_id, vendor_message_id, receiver, send_id, status, reason, vendor_code,
                       vendor_text, delivered_at, source, run_id)
  VALUES ($14::uuid, $4, $3::uuid, $15, $16, $2::uuid, $17, $18, $19, $20, $21, 'SEND', $12)
)`;

const COUNT_SHOWN = `
SELECT count(*)::int AS shown FROM shown`;

/**
 * The attempt row, the send row as SENT (only while the run owns it) and a receipt that came with the
 * answer, in ONE statement: atomic as the transaction it replaces. Returns whether the send row shows it
 * (false: a reset replaced the run while the call was out).
 */
export async function recordAcceptedCall(pool: Pool, call: AcceptedCall): Promise<boolean> {
  const receipt = call.finalReceipt;
  const durationMs = call.acceptedAt.getTime() - call.startedAt.getTime();
  const values: unknown[] = [
    randomUUID(), call.sendId, call.accountId, call.provider, call.attemptNo, call.leg, call.vendorCode, vendorExcerpt(call.vendorText),
    call.vendorMessageId, call.startedAt, durationMs, call.runId, call.acceptedAt,
  ];
  if (receipt) {
    values.push(
      randomUUID(), receipt.vendorMessageId, receipt.receiver, receipt.status, receipt.reason, receipt.vendorCode,
      receipt.vendorText === null ? null : vendorExcerpt(receipt.vendorText), receipt.deliveredAt,
    );
  }
  const text = `WITH ${ATTEMPT_AND_SENT}${receipt ? RECEIPT_WITH_ANSWER : ''}${COUNT_SHOWN}`;
  const { rows } = await pool.query<{ shown: number }>(text, values);
  return (rows[0]?.shown ?? 0) > 0;
}
