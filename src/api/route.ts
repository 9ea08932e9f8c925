import type { ApiKey, Template } from '../generated/prisma/client';
import type { LookupCache } from './lookup-cache';
import type { PushedAccountRow } from './routes/receipts';
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { ConsolePage } from './console/console-page';
import type { ConsoleSessions } from './console/console-session';
import type { ApiDeps } from './deps';
import type { OpenApiDocument } from './openapi/document';
import type { ApiOperation } from './openapi/operation';
import type { ReceiverBurstGuard } from './receiver-burst';
import { assertScope, requireScope } from './scopes';
import { parseOr400 } from './validate';

/** What a route handler may use: the API's dependencies and the guards built once per app. */
export interface RouteDeps extends ApiDeps {
  receiverBurst: ReceiverBurstGuard;
  /** The OpenAPI document of the route table, built once. */
  openApiDocument: OpenApiDocument;
  /** Console sign-ins as sealed cookies (also read by `authenticate`). */
  consoleSessions: ConsoleSessions;
  /** The built ops console. */
  consolePage: ConsolePage;
  /** Bearer API keys (by prefix), usable templates (by team and reference) and the accounts receipt pushes come to (by provider), kept API_LOOKUP_CACHE_MS. */
  lookups: { keys: LookupCache<ApiKey>; templates: LookupCache<Template>; receiptAccounts: LookupCache<PushedAccountRow[]> };
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** A handler's input: the params, query and body already parsed with the route's own schemas. */
export interface RouteInput<P, Q, B> {
  deps: RouteDeps;
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
}

/**
 * One route of the HTTP API: what the OpenAPI document says of it (method,
 * path, access, schemas, answers, errors) and its handler. The same schemas
 * parse the input (a failure is a 400 naming each field) and describe it, so
 * the route and its documentation cannot disagree.
 */
export type RouteDefinition<P extends z.ZodObject | undefined, Q extends z.ZodObject | undefined, B extends z.ZodType | undefined> = Omit<ApiOperation, 'params' | 'query' | 'body' | 'platformWhen'> & {
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The body is documented by `body` but read by the handler (`req.body`), after checks that
   * must come first: a receipt push's account token, then the provider's own format.
   */
  bodyReadByHandler?: true;
  /**
   * An API-key route whose request decides its scope: when `applies` holds for
   * the parsed input, the key needs the `platform` scope instead of
   * `access.scope` (`when` says so in the document). A key holding neither is
   * refused before its input is read.
   */
  platformWhen?: { when: string; applies: (input: RouteInput<Parsed<P>, Parsed<Q>, Parsed<B>>) => boolean | Promise<boolean> };
  /** Runs before the input is parsed: what must be recorded or refused even when the input is invalid. */
  before?: (input: { deps: RouteDeps; req: Request; res: Response }) => void;
  handler: (input: RouteInput<Parsed<P>, Parsed<Q>, Parsed<B>>) => Promise<void> | void;
};

/** A route ready for the table: its operation for the document, and how it answers a request. */
export interface ApiRoute {
  operation: ApiOperation;
  handle(deps: RouteDeps, req: Request, res: Response): Promise<void>;
}

/** Declares a route; its handler is typed by the schemas it declares. */
export function route<P extends z.ZodObject | undefined = undefined, Q extends z.ZodObject | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  definition: RouteDefinition<P, Q, B>,
): ApiRoute {
  const { handler, before, bodyReadByHandler, platformWhen, ...rest } = definition;
  const operation: ApiOperation = { ...rest, ...(platformWhen ? { platformWhen: platformWhen.when } : {}) };
  const { access } = operation;
  if (platformWhen && access.kind !== 'api-key') throw new Error(`${operation.method.toUpperCase()} ${operation.path}: platformWhen needs an API-key route`);
  const parse = <S extends z.ZodType | undefined>(schema: S, value: unknown, where: 'params' | 'query' | 'body'): Parsed<S> =>
    (schema ? parseOr400(schema, value, where) : undefined) as Parsed<S>;
  return {
    operation,
    async handle(deps, req, res) {
      before?.({ deps, req, res });
      const params = parse(definition.params as P, req.params, 'params');
      const query = parse(definition.query as Q, req.query, 'query');
      const body = bodyReadByHandler ? (undefined as Parsed<B>) : parse(definition.body as B, req.body, 'body');
      const input = { deps, req, res, params, query, body };
      if (platformWhen && access.kind === 'api-key') assertScope(res, (await platformWhen.applies(input)) ? 'platform' : access.scope);
      await handler(input);
    },
  };
}

/**
 * An express router with the given routes, each behind the scope its access
 * names. API-key routes expect the caller to be authenticated already
 * (src/api/app.ts mounts them after `authenticate`).
 */
export function routerOf(routes: readonly ApiRoute[], deps: RouteDeps): Router {
  const router = Router();
  for (const apiRoute of routes) {
    const { access, method, path } = apiRoute.operation;
    // A route whose request decides lets `platform` in too; the handler's input then decides which one it needs.
    const guards = access.kind === 'api-key' ? [requireScope(access.scope, apiRoute.operation.platformWhen ? ['platform'] : [])] : [];
    router[method](path, ...guards, (req, res) => apiRoute.handle(deps, req, res));
  }
  return router;
}
