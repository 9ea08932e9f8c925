/**
 * The account config of a declarative HTTP gateway (provider `http-gateway`):
 * the request to make, how to sign it, and how to read the answer. Adding an
 * SMS gateway is saving an account with this config; no code, no redeploy.
 * Every problem is reported with the path of the field.
 */
import { z } from 'zod';
import { ERROR_CLASSES } from '../../shared/states';
import { placeholderProblem, placeholdersIn, type TemplatePlace } from './placeholders';

const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name (letters, digits, dashes)');
const secretName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must name a secret of this account');
/** Reasons a gateway's code can carry; the rest (dedup, shield, ...) are Herald's own. */
const GATEWAY_REASONS = [
  'INVALID_RECEIVER', 'BLACKLISTED', 'UNSUBSCRIBED', 'CARRIER_BLOCKED', 'SPAM_INTERCEPTED',
  'POWERED_OFF_OR_NO_SIGNAL', 'INBOX_FULL', 'VENDOR_REJECTED', 'UNKNOWN',
] as const;

const jsonBody = z.object({ encoding: z.literal('json'), fields: z.record(z.string(), z.json()) });
const formBody = z.object({ encoding: z.literal('form'), fields: z.record(z.string(), z.string()) });

const signingSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({
    type: z.literal('bearer'),
    /** Name of the secret holding the token. */
    secret: secretName,
    header: headerName.default('authorization'),
    scheme: z.string().regex(/^[A-Za-z0-9-]*$/).default('Bearer'),
  }),
  z.object({
    type: z.literal('hmac'),
    algorithm: z.enum(['sha1', 'sha256', 'sha512']),
    /** Name of the secret used as the HMAC key. */
    secret: secretName,
    /** What is signed, in this order, joined by `separator`. `path` includes the query string. */
    signed: z.array(z.enum(['method', 'path', 'timestamp', 'nonce', 'body'])).min(1),
    separator: z.string().default(''),
    encoding: z.enum(['hex', 'base64']),
    signatureHeader: headerName,
    /** Text before the signature in its header, e.g. `HMAC-SHA256 `. */
    signaturePrefix: z.string().regex(/^[^\r\n]*$/, 'must not contain a line break').default(''),
    /** Header that carries the timestamp; or put `{timestamp}` in the body or query. */
    timestampHeader: headerName.optional(),
    timestampUnit: z.enum(['s', 'ms']).default('s'),
    nonceHeader: headerName.optional(),
  }),
]);

const codeEntry = z.object({
  class: z.enum(ERROR_CLASSES),
  /** Defaults by class: RETRYABLE → UNKNOWN, VENDOR_REJECTED → VENDOR_REJECTED, RECEIVER_INVALID → INVALID_RECEIVER. */
  reason: z.enum(GATEWAY_REASONS).optional(),
});

const responseSchema = z.object({
  /** HTTP statuses that can mean success (default: any 2xx). */
  successStatus: z.array(z.number().int().min(100).max(599)).min(1).optional(),
  /** Dotted path (array items by index: `result.0.code`) whose value must equal successValue. */
  successPath: z.string().min(1).optional(),
  successValue: z.union([z.string(), z.number(), z.boolean()]).optional(),
  /** Where the gateway's message id is; without it the send id is the message id. */
  messageIdPath: z.string().min(1).optional(),
  errorCodePath: z.string().min(1).optional(),
  errorTextPath: z.string().min(1).optional(),
  /** Gateway code (or `HTTP_<status>` when the answer has no code) → handling. Unlisted: 5xx, 429 and timeouts RETRYABLE, the rest VENDOR_REJECTED. */
  codes: z.record(z.string(), codeEntry).default({}),
});

export const httpGatewayConfigSchema = z
  .object({
    request: z.object({
      method: z.enum(['POST', 'PUT']).default('POST'),
      url: z.url({ protocol: /^https?$/ }),
      query: z.record(z.string(), z.string()).default({}),
      headers: z.record(headerName, z.string()).default({}),
      body: z.discriminatedUnion('encoding', [jsonBody, formBody]),
    }),
    signing: signingSchema.default({ type: 'none' }),
    response: responseSchema,
    /** For gateways without delivery reports: the gateway's acceptance is recorded as delivery. */
    acceptanceIsDelivery: z.boolean().default(false),
    timeoutMs: z.number().int().positive().max(60_000).default(10_000),
  })
  .superRefine((config, ctx) => {
    const used = new Set<string>();
    const check = (template: string, place: TemplatePlace, path: PropertyKey[]) => {
      for (const name of placeholdersIn(template)) {
        used.add(name);
        const problem = placeholderProblem(name, place);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, path });
      }
    };
    const walkJson = (value: unknown, path: PropertyKey[]) => {
      if (value === '{variables}') return void used.add('variables');
      if (typeof value === 'string') return check(value, 'body', path);
      if (Array.isArray(value)) return value.forEach((item, index) => walkJson(item, [...path, index]));
      if (typeof value === 'object' && value !== null) {
        for (const [key, item] of Object.entries(value)) walkJson(item, [...path, key]);
      }
    };
    const { request, signing, response } = config;
    for (const [key, value] of Object.entries(request.query)) check(value, 'query', ['request', 'query', key]);
    for (const [key, value] of Object.entries(request.headers)) check(value, 'header', ['request', 'headers', key]);
    if (request.body.encoding === 'json') walkJson(request.body.fields, ['request', 'body', 'fields']);
    else for (const [key, value] of Object.entries(request.body.fields)) check(value, 'body', ['request', 'body', 'fields', key]);

    if (signing.type === 'hmac') {
      if (signing.signed.includes('timestamp') && !signing.timestampHeader && !used.has('timestamp')) {
        ctx.addIssue({ code: 'custom', message: 'the timestamp is signed but never sent: set timestampHeader or use {timestamp}', path: ['signing', 'timestampHeader'] });
      }
      if (signing.signed.includes('nonce') && !signing.nonceHeader && !used.has('nonce')) {
        ctx.addIssue({ code: 'custom', message: 'the nonce is signed but never sent: set nonceHeader or use {nonce}', path: ['signing', 'nonceHeader'] });
      }
    }
    if ((response.successPath === undefined) !== (response.successValue === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'successPath and successValue go together', path: ['response', response.successPath === undefined ? 'successPath' : 'successValue'] });
    }
  });

export type HttpGatewayConfig = z.infer<typeof httpGatewayConfigSchema>;
export type GatewaySigning = HttpGatewayConfig['signing'];
export type GatewayResponse = HttpGatewayConfig['response'];

/** Any secrets the config names (signing key, tokens, `{secret.<name>}`). */
export const httpGatewaySecretsSchema = z.record(secretName, z.string().min(1));
