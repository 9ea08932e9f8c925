import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import express, { type ErrorRequestHandler } from 'express';
import { isDatabaseUnavailable } from '../db/database-unavailable';
import { adminAccountsRouter } from './admin/accounts';
import { adminApiKeysRouter } from './admin/api-keys';
import { adminTemplatesRouter } from './admin/templates';
import { authenticate } from './auth';
import { callerRateLimit } from './caller-rate-limit';
import { logFacts } from './caller';
import { apiDocsRouter } from './openapi/docs-router';
import type { ApiDeps } from './deps';
import { HttpError } from './http-error';
import { keepReceiptRawBody } from './raw-body';
import { requestLog } from './request-log';
import { audiencesRouter } from './routes/audiences';
import { billingRouter } from './routes/billing';
import { campaignsRouter } from './routes/campaigns';
import { diagnoseRouter } from './routes/diagnose';
import { healthRouter } from './routes/health';
import { messagesRouter } from './routes/messages';
import { receiptsRouter, redactReceiptToken } from './routes/receipts';
import { sendControlRouter } from './routes/send-control';
import { sendsRouter } from './routes/sends';
import { adminSuppressionsRouter, suppressionsRouter } from './routes/suppressions';
import { requireScope } from './scopes';
import { templatesRouter } from './routes/templates';
import { sendRetryRouter } from './routes/send-retry';
import { traceRouter } from './routes/trace';

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(deps.config.TRUST_PROXY));
  app.use(requestLog(deps.prisma, deps.logger, deps.metrics));
  app.use(express.json({ limit: deps.config.MAX_BODY_BYTES, verify: keepReceiptRawBody }));

  app.use(healthRouter(deps));
  // The API's own description and docs hold no secrets: open like health.
  app.use(apiDocsRouter());
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  // Vendors push receipts without our API keys; their own verification is the adapter's job.
  app.use(receiptsRouter(deps));

  app.use('/v1', authenticate(deps.prisma, deps.logger), callerRateLimit(deps.redis, deps.config, deps.logger, deps.metrics));
  app.use(messagesRouter(deps));
  app.use(sendsRouter(deps));
  app.use(sendControlRouter(deps));
  app.use(suppressionsRouter(deps));
  app.use(audiencesRouter(deps));
  app.use(campaignsRouter(deps));
  // Management API: templates, vendor accounts, API keys and the global suppression list, for admin keys only.
  app.use('/v1/admin', requireScope('admin'));
  app.use(adminTemplatesRouter(deps));
  app.use(adminAccountsRouter(deps));
  app.use(adminApiKeysRouter(deps));
  app.use(adminSuppressionsRouter(deps));
  app.use(diagnoseRouter(deps));
  app.use(traceRouter(deps));
  app.use(sendRetryRouter(deps));
  app.use(templatesRouter(deps));
  app.use(billingRouter(deps));

  app.use((req, _res, next) => next(new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`)));
  app.use(errorHandler(deps));
  return app;
}

/** TRUST_PROXY as express reads it: nothing trusted when empty, a hop count, or the proxies' addresses. */
function trustProxySetting(value: string): boolean | number | string {
  if (value.trim() === '') return false;
  return /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
}

function errorHandler(deps: ApiDeps): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known = toHttpError(error, deps.config.MAX_BODY_BYTES);
    if (known.status >= 500) deps.logger.error({ err: error }, 'request failed');
    // 401s are logged where they are decided (authenticate, receipt tokens); a 403 is a key used beyond its scopes.
    if (known.status === 403) deps.logger.warn({ path: redactReceiptToken(req.path), apiKeyId: logFacts(res).caller?.apiKeyId, ip: req.ip }, 'authorization refused');
    logFacts(res).error = { code: known.code, message: known.message, details: known.details };
    res.set(known.headers).status(known.status).json({ error: { code: known.code, message: known.message, ...(known.details ? { details: known.details } : {}) } });
  };
}

function toHttpError(error: unknown, maxBodyBytes: number): HttpError {
  if (error instanceof HttpError) return error;
  const status = (error as { status?: unknown; type?: unknown }).status;
  const type = (error as { type?: unknown }).type;
  // Errors raised by express.json(): malformed JSON and oversized bodies.
  // The parser's own message may quote the body (receivers, secrets): never passed on.
  if (type === 'entity.parse.failed') return new HttpError(400, 'INVALID_JSON', 'the body is not valid JSON', { field: 'body', reason: 'is not valid JSON' });
  if (type === 'entity.too.large') {
    return new HttpError(413, 'BODY_TOO_LARGE', `the body is larger than ${maxBodyBytes} bytes (MAX_BODY_BYTES)`, { field: 'body', limit: maxBodyBytes });
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'BAD_REQUEST', 'the request could not be read', { field: 'body', reason: typeof type === 'string' ? type : 'unreadable' });
  }
  if (error instanceof ServiceError) return new HttpError(503, 'TEMPORAL_UNAVAILABLE', 'Temporal is unavailable; try again');
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return new HttpError(503, 'WORKFLOW_NOT_ANSWERING', "the send's workflow did not answer in time (is a worker running?); try again");
  if (isDatabaseUnavailable(error)) return new HttpError(503, 'DATABASE_UNAVAILABLE', 'the database is unavailable; nothing was accepted');
  return new HttpError(500, 'INTERNAL', 'internal error');
}
