import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import express, { type ErrorRequestHandler } from 'express';
import { isDatabaseUnavailable } from '../db/database-unavailable';
import type { ApiKey, Template } from '../generated/prisma/client';
import { authenticate } from './auth';
import { CONSOLE_ASSETS_PATH, CONSOLE_PATH, createConsolePage } from './console/console-page';
import { createConsoleSessions } from './console/console-session';
import { callerRateLimit } from './caller-rate-limit';
import { logFacts } from './caller';
import { createLookupCache } from './lookup-cache';
import type { ApiDeps } from './deps';
import { HttpError } from './http-error';
import { buildOpenApiDocument } from './openapi/document';
import { docsAssets, DOCS_ASSETS_PATH } from './openapi/docs-routes';
import { isFormReceiptPush, keepReceiptRawBody } from './raw-body';
import { createReceiverBurstGuard } from './receiver-burst';
import { createRequestLogWriter, requestLog } from './request-log';
import { routerOf, type RouteDeps } from './route';
import { API_OPERATIONS, API_ROUTES } from './routes';
import { redactReceiptToken, type PushedAccountRow } from './routes/receipts';

/** API keys, templates, and providers' receipt accounts, one API process keeps at most (each). */
const LOOKUP_CACHE_ENTRIES = 10_000;

export function createApp(deps: ApiDeps): express.Express {
  const routeDeps: RouteDeps = {
    ...deps,
    receiverBurst: createReceiverBurstGuard(deps.redis, deps.config, deps.logger, deps.metrics),
    openApiDocument: buildOpenApiDocument(API_OPERATIONS),
    consoleSessions: createConsoleSessions(deps.config.SECRET_KEY, deps.config.CONSOLE_SESSION_HOURS),
    consolePage: createConsolePage(deps.config.CONSOLE_DIR),
    lookups: {
      keys: createLookupCache<ApiKey>(deps.config.API_LOOKUP_CACHE_MS, LOOKUP_CACHE_ENTRIES),
      templates: createLookupCache<Template>(deps.config.API_LOOKUP_CACHE_MS, LOOKUP_CACHE_ENTRIES),
      receiptAccounts: createLookupCache<PushedAccountRow[]>(deps.config.API_LOOKUP_CACHE_MS, LOOKUP_CACHE_ENTRIES),
    },
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(deps.config.TRUST_PROXY));
  app.use(requestLog(deps.metrics, deps.logWrites ?? createRequestLogWriter(deps.pool, deps.logger)));
  app.use(express.json({ limit: deps.config.MAX_BODY_BYTES, verify: keepReceiptRawBody }));
  app.use(express.urlencoded({ extended: false, limit: deps.config.MAX_BODY_BYTES, verify: keepReceiptRawBody, type: isFormReceiptPush }));

  // Health, metrics, the API's own docs (they hold no secrets), receipt pushes (the URL's token is the
  // credential) and the console's page and sign-in take no API key; every other route is behind
  // `authenticate` (a bearer key or a console session) and its own scope.
  app.use(routerOf(API_ROUTES.filter((apiRoute) => apiRoute.operation.access.kind !== 'api-key'), routeDeps));
  app.use(DOCS_ASSETS_PATH, docsAssets());
  app.use(CONSOLE_ASSETS_PATH, routeDeps.consolePage.assets);
  app.use(CONSOLE_PATH, routeDeps.consolePage.deepLinks);
  app.use('/v1', authenticate(deps.prisma, deps.logger, routeDeps.consoleSessions, routeDeps.lookups.keys), callerRateLimit(deps.redis, deps.config, deps.logger, deps.metrics));
  app.use(routerOf(API_ROUTES.filter((apiRoute) => apiRoute.operation.access.kind === 'api-key'), routeDeps));

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
