import type { z } from 'zod';
import type { Scope } from '../scopes';

/**
 * Who may call an operation: anyone (health, metrics, docs), a vendor holding
 * an account's receipt URL token, an API key holding one scope (or a console
 * session of such a key), or a console session of any key.
 */
export type Access = { kind: 'public' } | { kind: 'receipt-token' } | { kind: 'api-key'; scope: Scope } | { kind: 'console-session' };

/**
 * One answer of an operation: a JSON body with its schema, another media
 * type, or both (the same answer in either form, as the caller asks).
 */
export interface Answer {
  description: string;
  /** The JSON body; must be a schema named in src/api/openapi/components.ts. */
  schema?: z.ZodType;
  /** A body that is not JSON (Prometheus text, the docs page), or the other form of the JSON one (CSV). */
  mediaType?: string;
  /** Headers the answer carries (`Retry-After`). */
  headers?: Record<string, string>;
}

/**
 * One route of the HTTP API as the OpenAPI document describes it: the same
 * zod schemas the route parses its input with and types its answer with.
 * Errors list only what this route itself adds; the ones every route of its
 * kind can answer (401, 403, 429, 500, 503, bad JSON) are added by the
 * document builder from `access` and `body`.
 */
export interface ApiOperation {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Express syntax (`/v1/sends/:id`), exactly as the route is registered. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  /**
   * For an API-key route whose request decides: when the `platform` scope is
   * needed instead of `access.scope` (`for global: true`). src/api/route.ts
   * checks it once the input is parsed.
   */
  platformWhen?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: Record<string, { schema: z.ZodType; description: string }>;
  /** The JSON request body; must be a schema named in src/api/openapi/components.ts. */
  body?: z.ZodType;
  /** A request body that is not JSON (a vendor's bill as CSV): text in any of these media types. */
  textBody?: { mediaTypes: readonly string[]; description: string };
  /** Success answers by status. */
  answers: Record<number, Answer>;
  /** Error answers this route adds, by status: which codes and when. */
  errors?: Record<number, string>;
  /** True when the route talks to Temporal before answering (503 TEMPORAL_UNAVAILABLE). */
  usesTemporal?: boolean;
}
