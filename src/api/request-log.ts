import type { RequestHandler } from 'express';
import type { Pool } from 'pg';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import { logFacts } from './caller';
import { redactReceiptToken } from './routes/receipts';
import { escapeNul } from '../shared/variable-rules';

/**
 * Records every `/v1` request, accepted or not, with the receivers exactly as
 * they arrived: the first evidence for "were we called at all?".
 */
export function requestLog(metrics: Metrics, writer: RequestLogWriter): RequestHandler {
  return (req, res, next) => {
    const startedAt = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
      metrics.httpDuration.observe({ route, method: req.method }, durationMs / 1000);
      if (!req.path.startsWith('/v1/')) return;
      const facts = logFacts(res);
      writer.add({
        at: new Date(),
        method: req.method,
        path: escapeNul(redactReceiptToken(req.path)),
        status: res.statusCode,
        apiKeyId: facts.caller?.apiKeyId ?? null,
        teamId: facts.caller?.teamId ?? null,
        templateRef: facts.templateRef === undefined ? null : escapeNul(facts.templateRef),
        messageId: facts.messageId ?? null,
        receiversRaw: facts.receiversRaw ?? [],
        receiversNormalized: facts.receiversNormalized ?? [],
        receiverKeys: facts.receiverKeys?.() ?? [],
        error: facts.error === undefined ? null : jsonWithoutNul(facts.error),
        durationMs: Math.round(durationMs),
      });
    });
    next();
  };
}

/**
 * JSON for a jsonb column: Postgres refuses NUL in jsonb, so a NUL in any
 * string is kept as the visible escape; the row of a refused request is never lost to it.
 */
function jsonWithoutNul(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_key, item: unknown) => (typeof item === 'string' ? escapeNul(item) : item));
}

/** How long a request log row waits for others to share its insert, and how many one insert takes at most. */
const FLUSH_AFTER_MS = 50;
const FLUSH_ROWS = 500;

/** One `api_request_log` row as the API writes it (its id is given by Postgres). */
export interface RequestLogRow {
  at: Date;
  method: string;
  path: string;
  status: number;
  apiKeyId: string | null;
  teamId: string | null;
  templateRef: string | null;
  messageId: string | null;
  receiversRaw: string[];
  receiversNormalized: string[];
  receiverKeys: string[];
  /** The refusal's error body (jsonb), or null for an answer that was not an error. */
  error: unknown;
  durationMs: number;
}

/**
 * A batch of rows in one statement through node-postgres: the rows travel as one JSON parameter
 * (their array columns included), so every batch size is the same statement. Through Prisma's
 * createMany each batch size was a new query to plan, a sixth of the API's CPU under load.
 */
const INSERT_ROWS = `
INSERT INTO api_request_log (id, at, method, path, status, api_key_id, team_id, template_ref, message_id,
                             receivers_raw, receivers_normalized, receiver_keys, error, duration_ms)
SELECT gen_random_uuid(), r."at", r."method", r."path", r."status", r."apiKeyId", r."teamId", r."templateRef", r."messageId",
       r."receiversRaw", r."receiversNormalized", r."receiverKeys", r."error", r."durationMs"
FROM json_to_recordset($1::json) AS r("at" timestamptz, "method" text, "path" text, "status" int, "apiKeyId" uuid, "teamId" uuid,
     "templateRef" text, "messageId" uuid, "receiversRaw" text[], "receiversNormalized" text[], "receiverKeys" text[], "error" jsonb,
     "durationMs" int)`;

/**
 * The request log's rows, written after their answers in batches (one insert
 * per FLUSH_AFTER_MS or FLUSH_ROWS rows instead of one per request). A
 * stopping API waits for `settled()` before it closes the database, so the
 * row of a request answered during shutdown is not lost.
 */
export interface RequestLogWriter {
  add(row: RequestLogRow): void;
  /** Writes what waits now and resolves once every write so far has ended. */
  settled(): Promise<void>;
}

export function createRequestLogWriter(pool: Pool, logger: Logger): RequestLogWriter {
  let waiting: RequestLogRow[] = [];
  let timer: NodeJS.Timeout | null = null;
  const running = new Set<Promise<unknown>>();

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (waiting.length === 0) return;
    const rows = waiting;
    waiting = [];
    const write = pool
      .query(INSERT_ROWS, [JSON.stringify(rows)])
      .catch((error: unknown) => logger.error({ err: error, rows: rows.length }, 'request log write failed'));
    running.add(write);
    void write.finally(() => running.delete(write));
  }

  return {
    add(row) {
      waiting.push(row);
      if (waiting.length >= FLUSH_ROWS) flush();
      else timer ??= setTimeout(flush, FLUSH_AFTER_MS);
    },
    async settled() {
      flush();
      await Promise.allSettled([...running]);
    },
  };
}
