import type { Pool } from 'pg';
import { runStatement } from '../db/pool';

/** The message row of an accepted request. */
export interface MessageColumns {
  id: string;
  apiKeyId: string;
  teamId: string;
  templateId: string;
  variables: Record<string, string>;
  idempotencyKey: string | null;
  requestHash: string;
  receiverCount: number;
}

/** What every send of one message shares. */
export interface MessageSendColumns {
  messageId: string;
  templateId: string;
  channel: string;
  content: string;
  segments: number;
  sendAt: Date | null;
  status: string;
}

/** What differs per send of one message. */
export interface SendRowColumns {
  id: string;
  receiver: string;
  receiverRaw: string;
  /** The receiver's alternates by channel (normalised), where a fallback send goes; null: none given. */
  alternates: Record<string, string> | null;
}

/**
 * An accepted request in ONE statement, one round trip, no transaction to
 * open and commit, straight through node-postgres (the hot path: Prisma's
 * interactive transaction cost three round trips and a fifth of the API's
 * CPU per request, BENCHMARKS.md): the message, its sends (the per-row columns as arrays,
 * unnested: for 10,000 rows 0.2 s where `createMany`, binding every value as
 * its own parameter, took 3 s; bench/large-message-phases.ts) and the outbox:
 * one row per send, or (`fanOut`) one row for the message whose fan-out
 * workflow starts the sends. One statement is atomic: a failure (a raced
 * Idempotency-Key) leaves nothing. Data-modifying CTEs all run to completion
 * whether the outer insert reads them or not. The wait for a pooled
 * connection is bounded (`maxWaitMs`, then PoolWaitTimeout: nothing accepted).
 */
export async function insertAcceptedMessage(pool: Pool, message: MessageColumns, shared: MessageSendColumns, rows: SendRowColumns[], fanOut: boolean, maxWaitMs: number): Promise<void> {
  await runStatement(pool, fanOut ? ACCEPT_FAN_OUT : ACCEPT_SENDS, [
    message.id, message.apiKeyId, message.teamId, message.templateId, JSON.stringify(message.variables),
    message.idempotencyKey, message.requestHash, message.receiverCount,
    shared.channel, shared.content, shared.segments, shared.sendAt, shared.status,
    rows.map((r) => r.id), rows.map((r) => r.receiver), rows.map((r) => r.receiverRaw),
    rows.map((r) => (r.alternates ? JSON.stringify(r.alternates) : null)),
  ], maxWaitMs);
}

/** The message ($1–$8) and its sends ($4 their template, $9–$13 what they share, $14–$17 the per-row arrays). */
const MESSAGE_AND_SENDS = `
  WITH m AS (
    INSERT INTO message (id, api_key_id, team_id, template_id, variables, idempotency_key, request_hash, receiver_count)
    VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::jsonb, $6, $7, $8)
    RETURNING id),
  s AS (
    INSERT INTO send (id, message_id, template_id, channel, receiver, receiver_raw, content, segments, send_at, status, alternates)
    SELECT row.id, m.id, $4::uuid, $9, row.receiver, row.receiver_raw, $10, $11, $12::timestamptz(3), $13, row.alternates::jsonb
    FROM m, unnest($14::uuid[], $15::text[], $16::text[], $17::text[]) AS row(id, receiver, receiver_raw, alternates)
    RETURNING id)`;
const ACCEPT_SENDS = `${MESSAGE_AND_SENDS} INSERT INTO outbox (send_id) SELECT s.id FROM s`;
const ACCEPT_FAN_OUT = `${MESSAGE_AND_SENDS} INSERT INTO outbox (message_id) SELECT m.id FROM m`;
