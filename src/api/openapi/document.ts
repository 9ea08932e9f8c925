import { z } from 'zod';
import { HERALD_VERSION } from '../../version';
import { errorAnswerSchema } from '../answers';
import { SESSION_COOKIE } from '../console/console-session';
import { ANSWER_SCHEMAS, REQUEST_SCHEMAS } from './components';
import type { ApiOperation, Answer } from './operation';
import { API_OPERATIONS } from '../routes';

/** A JSON Schema or any other part of the document: plain JSON. */
export type JsonObject = { [key: string]: unknown };

/** The OpenAPI 3.1 document, as served at `/openapi.json`. */
export interface OpenApiDocument {
  openapi: '3.1.1';
  info: { title: string; version: string; description: string };
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, JsonObject>>;
  components: { schemas: Record<string, JsonObject>; securitySchemes: Record<string, JsonObject> };
}

const SCHEMA_REF = '#/components/schemas/';
const API_KEY_SCHEME = 'apiKey';
const CONSOLE_SCHEME = 'consoleSession';

const DESCRIPTION = [
  'Herald pushes messages (SMS, e-mail, chat robots): one durable Temporal workflow per receiver.',
  '',
  '**Authentication.** `/v1` routes take `Authorization: Bearer <API key>`. Each key holds scopes:',
  '`send` (send messages, read and control its team\'s sends), `admin` (its team\'s templates, API keys and manual suppressions),',
  '`ops` (diagnose, trace, template search across teams), `platform` (vendor accounts, template approval, billing, the global',
  'suppression list, the audit log). Each operation names the scope it needs.',
  'Vendors push receipts to a per-account URL whose token is the credential. Health, metrics and these docs are open.',
  'The ops console (`/console`) signs in with a key and then calls the same routes with its session cookie; a request that changes',
  'something also carries the session\'s `X-CSRF-Token` header.',
  '',
  '**Errors.** Every error answer is `{"error":{"code","message","details"}}`; `code` is stable,',
  'and for bad input (`INVALID_REQUEST`) `details.fields` names each field and why.',
].join('\n');

/**
 * Dates are `z.date()` in the answer schemas (the routes hold Dates);
 * on the wire they are ISO 8601 text.
 */
const datesAsIsoText: NonNullable<z.core.ToJSONSchemaParams['override']> = (ctx) => {
  if (ctx.zodSchema._zod.def.type === 'date') {
    ctx.jsonSchema.type = 'string';
    ctx.jsonSchema.format = 'date-time';
  }
};

const CONVERSION = { target: 'draft-2020-12', unrepresentable: 'any', override: datesAsIsoText } as const;

/**
 * The OpenAPI document of the HTTP API, generated from the route table
 * (src/api/routes/index.ts) and the zod schemas it names: the same
 * schemas the routes parse their input with and type their answers with.
 */
export function buildOpenApiDocument(operations: readonly ApiOperation[] = API_OPERATIONS): OpenApiDocument {
  const requestNames = namesOf(REQUEST_SCHEMAS);
  const answerNames = namesOf(ANSWER_SCHEMAS);
  const clash = [...requestNames.values()].find((name) => Object.hasOwn(ANSWER_SCHEMAS, name));
  if (clash) throw new Error(`schema name ${clash} is both a request and an answer`);

  const paths: OpenApiDocument['paths'] = {};
  for (const operation of operations) {
    const path = openApiPath(operation.path);
    const item = (paths[path] ??= {});
    if (item[operation.method]) throw new Error(`${operation.method.toUpperCase()} ${operation.path} is in the operation table twice`);
    item[operation.method] = describeOperation(operation, requestNames, answerNames);
  }
  return {
    openapi: '3.1.1',
    info: { title: 'Herald', version: HERALD_VERSION, description: DESCRIPTION },
    tags: [...new Set(operations.map((operation) => operation.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { ...componentSchemas(REQUEST_SCHEMAS, 'input'), ...componentSchemas(ANSWER_SCHEMAS, 'output') },
      securitySchemes: {
        [API_KEY_SCHEME]: { type: 'http', scheme: 'bearer', description: 'An API key issued by POST /v1/admin/api-keys (or the seed key). The scopes an operation needs are listed in its security requirement.' },
        [CONSOLE_SCHEME]: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The ops console session (POST /console/session), acting as the key it signed in with; state-changing requests also need the X-CSRF-Token header.' },
      },
    },
  };
}

/** `/v1/sends/:id` → `/v1/sends/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function namesOf(named: Record<string, z.ZodType>): Map<z.ZodType, string> {
  return new Map(Object.entries(named).map(([name, schema]) => [schema, name]));
}

/** Named schemas as components that refer to each other by `$ref`; requests as callers send them, answers as Herald writes them. */
function componentSchemas(named: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { ...CONVERSION, io, uri: (id) => `${SCHEMA_REF}${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, withoutHeader(schema)]));
}

/** One parameter or inline schema, without the `$schema` header a standalone JSON Schema carries. */
function inlineSchema(schema: z.ZodType): JsonObject {
  return withoutHeader(z.toJSONSchema(schema, { ...CONVERSION, io: 'input' }));
}

function withoutHeader(schema: JsonObject): JsonObject {
  const rest = { ...schema };
  delete rest.$schema;
  delete rest.$id;
  return rest;
}

function describeOperation(operation: ApiOperation, requestNames: Map<z.ZodType, string>, answerNames: Map<z.ZodType, string>): JsonObject {
  const where = `${operation.method.toUpperCase()} ${operation.path}`;
  const ref = (names: Map<z.ZodType, string>, schema: z.ZodType) => {
    const name = names.get(schema);
    if (!name) throw new Error(`${where}: name its schema in src/api/openapi/components.ts`);
    return { $ref: `${SCHEMA_REF}${name}` };
  };
  const access = operation.access;

  const responses: Record<string, JsonObject> = {};
  for (const [status, answer] of Object.entries(operation.answers)) responses[status] = describeAnswer(answer, (schema) => ref(answerNames, schema));
  for (const [status, lines] of errorsOf(operation)) {
    if (responses[status]) throw new Error(`${where}: status ${status} is both an answer and an error`);
    responses[status] = {
      description: lines.map((line) => `- ${line}`).join('\n'),
      ...(status === 429 ? { headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } } } : {}),
      content: { 'application/json': { schema: ref(answerNames, errorAnswerSchema) } },
    };
  }

  return {
    tags: [operation.tag],
    summary: operation.summary,
    description: [operation.description, accessText(operation)].filter(Boolean).join('\n\n'),
    operationId: operationId(operation),
    security:
      access.kind === 'api-key'
        ? [...[access.scope, ...(operation.platformWhen ? ['platform'] : [])].map((scope) => ({ [API_KEY_SCHEME]: [scope] })), { [CONSOLE_SCHEME]: [] }]
        : access.kind === 'console-session' ? [{ [CONSOLE_SCHEME]: [] }] : [],
    parameters: [
      ...parametersOf(operation.params, 'path'),
      ...parametersOf(operation.query, 'query'),
      ...Object.entries(operation.headers ?? {}).map(([name, header]) => ({ name, in: 'header', required: false, description: header.description, schema: inlineSchema(header.schema) })),
    ],
    ...requestBodyOf(operation, (schema) => ref(requestNames, schema)),
    responses,
  };
}

function accessText({ access, platformWhen }: ApiOperation): string {
  switch (access.kind) {
    case 'api-key':
      return `Needs an API key with the \`${access.scope}\` scope${platformWhen ? `; the \`platform\` scope instead ${platformWhen}` : ''} (or a console session of one).`;
    case 'receipt-token':
      return 'No API key: the account token in the path is the credential.';
    case 'console-session':
      return 'Needs the console session cookie.';
    case 'public':
      return 'No authentication.';
  }
}

/** The `requestBody` of an operation with one: JSON by a named schema, or text. */
function requestBodyOf(operation: ApiOperation, ref: (schema: z.ZodType) => JsonObject): JsonObject {
  if (operation.body && operation.textBody) throw new Error(`${operation.method.toUpperCase()} ${operation.path}: a body is JSON or text, not both`);
  if (operation.body) return { requestBody: { required: true, content: { 'application/json': { schema: ref(operation.body) } } } };
  if (operation.textBody) {
    const { mediaTypes, description } = operation.textBody;
    return { requestBody: { required: true, description, content: Object.fromEntries(mediaTypes.map((mediaType) => [mediaType, { schema: { type: 'string' } }])) } };
  }
  return {};
}

function describeAnswer(answer: Answer, ref: (schema: z.ZodType) => JsonObject): JsonObject {
  const content = { ...(answer.schema ? { 'application/json': { schema: ref(answer.schema) } } : {}), ...(answer.mediaType ? { [answer.mediaType]: {} } : {}) };
  return { description: answer.description, ...(Object.keys(content).length > 0 ? { content } : {}) };
}

/** Each property of a params or query object schema as one parameter. */
function parametersOf(schema: z.ZodObject | undefined, location: 'path' | 'query'): JsonObject[] {
  if (!schema) return [];
  const json = inlineSchema(schema) as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return { name, in: location, required: location === 'path' || (json.required ?? []).includes(name), ...(description ? { description } : {}), schema: propertySchema };
  });
}

/**
 * The error answers of an operation, by status: the ones every route of its
 * kind can give (src/api/app.ts, auth.ts, scopes.ts, caller-rate-limit.ts)
 * and the ones it adds itself.
 */
function errorsOf(operation: ApiOperation): Map<number, string[]> {
  const errors = new Map<number, string[]>();
  const add = (status: number, line: string) => errors.set(status, [...(errors.get(status) ?? []), line]);
  if (operation.params || operation.query || operation.headers || operation.body) {
    add(400, 'INVALID_REQUEST: a parameter or the body is invalid; `details.fields` names each field and why');
  }
  if (operation.body) {
    add(400, 'INVALID_JSON: the body is not valid JSON');
    add(413, 'BODY_TOO_LARGE: the body is larger than MAX_BODY_BYTES');
  }
  if (operation.access.kind === 'api-key') {
    add(401, 'UNAUTHENTICATED: missing or invalid API key (missing, unknown and revoked keys answer alike), or a console session that ended');
    add(403, `FORBIDDEN: the API key lacks the ${operation.access.scope} scope${operation.platformWhen ? ` (the platform scope ${operation.platformWhen})` : ''}`);
    if (operation.method !== 'get') add(403, 'CSRF_TOKEN_INVALID: made with the console session cookie without its X-CSRF-Token header');
    add(429, 'RATE_LIMITED: too many requests for this API key (Retry-After)');
  }
  for (const [status, line] of Object.entries(operation.errors ?? {})) add(Number(status), line);
  if (operation.access.kind !== 'public') add(503, 'DATABASE_UNAVAILABLE: Postgres cannot be reached; nothing was accepted');
  if (operation.usesTemporal) add(503, 'TEMPORAL_UNAVAILABLE: Temporal cannot be reached; try again');
  add(500, 'INTERNAL: an unexpected error (logged)');
  return new Map([...errors.entries()].sort(([a], [b]) => a - b));
}

/** `POST /v1/sends/:id/send-now` → `postV1SendsIdSendNow`: stable, for generated clients. */
function operationId(operation: ApiOperation): string {
  const words = operation.path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return operation.method + words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
}
