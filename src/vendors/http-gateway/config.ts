/**
 * The account config of a declarative HTTP gateway (provider `http-gateway`):
 * the request to make, how to sign it, and how to read the answer. Adding an
 * SMS gateway is saving an account with this config; no code, no redeploy.
 * Every problem is reported with the path of the field.
 */
import { z } from 'zod';
import { ANSWER_ERROR_CLASSES } from '../../shared/states';
import { placeholderProblem, placeholdersIn, type TemplatePlace } from './placeholders';
import { outboundUrlSchema } from '../outbound-url';

const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name (letters, digits, dashes)');
const secretName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must name a secret of this account');
/** Reasons a gateway's code can carry; the rest (dedup, shield, ...) are Herald's own. */
const GATEWAY_REASONS = [
  'INVALID_RECEIVER', 'BLACKLISTED', 'UNSUBSCRIBED', 'CARRIER_BLOCKED', 'SPAM_INTERCEPTED',
  'POWERED_OFF_OR_NO_SIGNAL', 'INBOX_FULL', 'VENDOR_REJECTED', 'UNKNOWN',
] as const;

const jsonBody = z.strictObject({ encoding: z.literal('json'), fields: z.record(z.string(), z.json()) });
const formBody = z.strictObject({ encoding: z.literal('form'), fields: z.record(z.string(), z.string()) });
const bodySchema = z.discriminatedUnion('encoding', [jsonBody, formBody]);
const templateRecord = z.record(z.string(), z.string()).default({});
const headerRecord = z.record(headerName, z.string()).default({});

const signingSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({
    type: z.literal('bearer'),
    /** Name of the secret holding the token. */
    secret: secretName,
    header: headerName.default('authorization'),
    scheme: z.string().regex(/^[A-Za-z0-9-]*$/).default('Bearer'),
  }),
  z.strictObject({
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

const codeEntry = z.strictObject({
  class: z.enum(ANSWER_ERROR_CLASSES),
  /** Defaults by class: RETRYABLE → UNKNOWN, VENDOR_REJECTED → VENDOR_REJECTED, RECEIVER_INVALID → INVALID_RECEIVER. */
  reason: z.enum(GATEWAY_REASONS).optional(),
});

/** Where the reports are in a body and how to read one (a pull's answer or a push). */
const reportFields = {
  /** Where the list of reports is; without it the whole body is one report. */
  itemsPath: z.string().min(1).optional(),
  /** Inside one report: */
  messageIdPath: z.string().min(1),
  statusPath: z.string().min(1),
  /** Status values that mean delivered / not delivered; any other value is "no report yet". */
  delivered: z.array(z.string().min(1)).min(1),
  undelivered: z.array(z.string().min(1)).min(1),
  errorCodePath: z.string().min(1).optional(),
  errorTextPath: z.string().min(1).optional(),
  doneTimePath: z.string().min(1).optional(),
  /** Error code of an undelivered report → reason (default UNKNOWN). */
  reasons: z.record(z.string(), z.enum(GATEWAY_REASONS)).default({}),
};

/**
 * How the gateway signs the reports it pushes: an HMAC of the raw body (or of
 * `<timestamp><separator><body>`, the timestamp from its own header) with one
 * of the account's secrets, in a header. A push that does not verify is refused.
 */
const pushSignatureSchema = z.strictObject({
  algorithm: z.enum(['sha1', 'sha256', 'sha512']),
  /** Name of the secret used as the HMAC key. */
  secret: secretName,
  header: headerName,
  encoding: z.enum(['hex', 'base64']),
  /** Text before the signature in its header, e.g. `sha256=`. */
  prefix: z.string().regex(/^[^\r\n]*$/, 'must not contain a line break').default(''),
  timestampHeader: headerName.optional(),
  timestampUnit: z.enum(['s', 'ms']).default('s'),
  separator: z.string().default(''),
  /** With timestampHeader: pushes older or newer than this are refused (replays). */
  maxSkewSeconds: z.number().int().positive().max(3600).default(300),
});

/** Reports the gateway pushes to the account's receipt URL (JSON bodies), and their signature. */
const receiptPushSchema = z.strictObject({
  reports: z.strictObject(reportFields),
  signature: pushSignatureSchema.optional(),
});

/**
 * How to ask the gateway for the delivery report of one message (`{messageId}`
 * is the gateway's id), and how to read it. Signed like the send.
 */
const receiptPullSchema = z.strictObject({
  request: z.strictObject({
    method: z.enum(['GET', 'POST']).default('GET'),
    url: outboundUrlSchema,
    query: templateRecord,
    headers: headerRecord,
    body: bodySchema.optional(),
  }),
  response: z.strictObject({
    successStatus: z.array(z.number().int().min(100).max(599)).min(1).optional(),
    successPath: z.string().min(1).optional(),
    successValue: z.union([z.string(), z.number(), z.boolean()]).optional(),
    ...reportFields,
  }),
});

const responseSchema = z.strictObject({
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
    request: z.strictObject({
      method: z.enum(['POST', 'PUT']).default('POST'),
      url: outboundUrlSchema,
      query: templateRecord,
      headers: headerRecord,
      body: bodySchema,
    }),
    signing: signingSchema.default({ type: 'none' }),
    response: responseSchema,
    /** Optional: how to pull delivery reports. Without it (or acceptanceIsDelivery) a send ends EXPIRED NO_RECEIPT. */
    receiptPull: receiptPullSchema.optional(),
    /** Optional: how to read (and verify) the reports the gateway pushes to the account's receipt URL. */
    receiptPush: receiptPushSchema.optional(),
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
    const walkJson = (value: unknown, path: PropertyKey[], pull: boolean) => {
      if (value === '{variables}' && !pull) return void used.add('variables');
      if (typeof value === 'string') return check(value, pull ? 'pull' : 'body', path);
      if (Array.isArray(value)) return value.forEach((item, index) => walkJson(item, [...path, index], pull));
      if (typeof value === 'object' && value !== null) {
        for (const [key, item] of Object.entries(value)) walkJson(item, [...path, key], pull);
      }
    };
    const checkRequest = (request: GatewayRequest, path: PropertyKey[], pull: boolean) => {
      for (const [key, value] of Object.entries(request.query)) check(value, pull ? 'pull' : 'query', [...path, 'query', key]);
      for (const [key, value] of Object.entries(request.headers)) check(value, pull ? 'pull' : 'header', [...path, 'headers', key]);
      const { body } = request;
      if (body?.encoding === 'json') walkJson(body.fields, [...path, 'body', 'fields'], pull);
      else for (const [key, value] of Object.entries(body?.fields ?? {})) check(value, pull ? 'pull' : 'body', [...path, 'body', 'fields', key]);
    };
    const { request, signing, response, receiptPull } = config;
    checkRequest(request, ['request'], false);
    if (receiptPull) checkRequest(receiptPull.request, ['receiptPull', 'request'], true);

    if (signing.type === 'hmac') {
      if (signing.signed.includes('timestamp') && !signing.timestampHeader && !used.has('timestamp')) {
        ctx.addIssue({ code: 'custom', message: 'the timestamp is signed but never sent: set timestampHeader or use {timestamp}', path: ['signing', 'timestampHeader'] });
      }
      if (signing.signed.includes('nonce') && !signing.nonceHeader && !used.has('nonce')) {
        ctx.addIssue({ code: 'custom', message: 'the nonce is signed but never sent: set nonceHeader or use {nonce}', path: ['signing', 'nonceHeader'] });
      }
    }
    const checkSuccess = (condition: SuccessCondition, path: PropertyKey[]) => {
      if ((condition.successPath === undefined) !== (condition.successValue === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'successPath and successValue go together', path: [...path, condition.successPath === undefined ? 'successPath' : 'successValue'] });
      }
    };
    checkSuccess(response, ['response']);
    if (receiptPull) checkSuccess(receiptPull.response, ['receiptPull', 'response']);
  });

export type HttpGatewayConfig = z.infer<typeof httpGatewayConfigSchema>;
/** The parts of a request the renderer fills (the send's, or a receipt pull's). */
export interface GatewayRequest {
  url: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: z.infer<typeof bodySchema>;
}
export type GatewayReceiptPull = z.infer<typeof receiptPullSchema>;
export type GatewayReceiptPush = z.infer<typeof receiptPushSchema>;
/** How to read reports out of a body, pulled or pushed. */
export type GatewayReports = GatewayReceiptPush['reports'];
/** When an answer is a success: HTTP status (default any 2xx) and, if given, a value at a path. */
export interface SuccessCondition {
  successStatus?: number[];
  successPath?: string;
  successValue?: string | number | boolean;
}
export type GatewaySigning = HttpGatewayConfig['signing'];
export type GatewayResponse = HttpGatewayConfig['response'];

/** Any secrets the config names (signing key, tokens, `{secret.<name>}`). */
export const httpGatewaySecretsSchema = z.record(secretName, z.string().min(1));
