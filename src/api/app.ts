import { ServiceError } from '@temporalio/client';
import express, { type ErrorRequestHandler } from 'express';
import { authenticate } from './auth';
import { logFacts } from './caller';
import type { ApiDeps } from './deps';
import { HttpError } from './http-error';
import { requestLog } from './request-log';
import { diagnoseRouter } from './routes/diagnose';
import { healthRouter } from './routes/health';
import { messagesRouter } from './routes/messages';
import { receiptsRouter } from './routes/receipts';
import { sendControlRouter } from './routes/send-control';
import { sendsRouter } from './routes/sends';
import { templatesRouter } from './routes/templates';
import { traceRouter } from './routes/trace';

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestLog(deps.prisma, deps.logger, deps.metrics));
  app.use(express.json({ limit: '2mb' }));

  app.use(healthRouter(deps));
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  // Vendors push receipts without our API keys; their own verification is the adapter's job.
  app.use(receiptsRouter(deps));

  app.use('/v1', authenticate(deps.prisma, deps.logger));
  app.use(messagesRouter(deps));
  app.use(sendsRouter(deps));
  app.use(sendControlRouter(deps));
  app.use(diagnoseRouter(deps));
  app.use(traceRouter(deps));
  app.use(templatesRouter(deps));

  app.use((req, _res, next) => next(new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`)));
  app.use(errorHandler(deps));
  return app;
}

function errorHandler(deps: ApiDeps): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const known = toHttpError(error);
    if (known.status >= 500) deps.logger.error({ err: error }, 'request failed');
    logFacts(res).error = { code: known.code, message: known.message, details: known.details };
    res.status(known.status).json({ error: { code: known.code, message: known.message, ...(known.details ? { details: known.details } : {}) } });
  };
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const status = (error as { status?: unknown; type?: unknown }).status;
  const type = (error as { type?: unknown }).type;
  // Errors raised by express.json(): malformed JSON and oversized bodies.
  if (type === 'entity.parse.failed') return new HttpError(400, 'INVALID_JSON', 'the body is not valid JSON');
  if (type === 'entity.too.large') return new HttpError(413, 'BODY_TOO_LARGE', 'the body is larger than 2 MB');
  if (typeof status === 'number' && status >= 400 && status < 500) return new HttpError(status, 'BAD_REQUEST', 'the request could not be read');
  if (error instanceof ServiceError) return new HttpError(503, 'TEMPORAL_UNAVAILABLE', 'Temporal is unavailable; try again');
  const prismaCode = (error as { code?: unknown }).code;
  if (typeof prismaCode === 'string' && /^P10\d\d$/.test(prismaCode)) {
    return new HttpError(503, 'DATABASE_UNAVAILABLE', 'the database is unavailable; nothing was accepted');
  }
  return new HttpError(500, 'INTERNAL', 'internal error');
}
