import type { RequestHandler } from 'express';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import { logFacts } from './caller';
import { redactReceiptToken } from './routes/receipts';
import { escapeNul } from '../shared/variable-rules';

/**
 * Records every `/v1` request, accepted or not, with the receivers exactly as
 * they arrived: the first evidence for "were we called at all?".
 */
export function requestLog(prisma: PrismaClient, logger: Logger, metrics: Metrics, pending?: PendingLogWrites): RequestHandler {
  return (req, res, next) => {
    const startedAt = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
      metrics.httpDuration.observe({ route, method: req.method }, durationMs / 1000);
      if (!req.path.startsWith('/v1/')) return;
      const facts = logFacts(res);
      const write = prisma.apiRequestLog
        .create({
          data: {
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
            error: facts.error === undefined ? undefined : jsonWithoutNul(facts.error),
            durationMs: Math.round(durationMs),
          },
        })
        .catch((error: unknown) => logger.error({ err: error }, 'request log write failed'));
      pending?.track(write);
    });
    next();
  };
}

/**
 * JSON for a jsonb column: Postgres refuses NUL in jsonb, so a NUL in any
 * string is kept as the visible escape; the row of a refused request is never lost to it.
 */
function jsonWithoutNul(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value), (_key, item: unknown) => (typeof item === 'string' ? escapeNul(item) : item)) as Prisma.InputJsonValue;
}

/**
 * The log writes still running (each starts after its answer went out): a
 * stopping API waits for them before it closes the database, so the row of a
 * request answered during shutdown is not lost.
 */
export interface PendingLogWrites {
  track(write: Promise<unknown>): void;
  settled(): Promise<void>;
}

export function createPendingLogWrites(): PendingLogWrites {
  const running = new Set<Promise<unknown>>();
  return {
    track(write) {
      running.add(write);
      void write.finally(() => running.delete(write));
    },
    async settled() {
      await Promise.allSettled([...running]);
    },
  };
}
