/**
 * Adapter for the sandbox SMS vendor (src/sandbox/sandbox-vendor.ts documents
 * its wire format). Every failure is classified once, in VENDOR_CODES.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { SIGNATURE_HEADERS, signRequest } from '../sandbox/signature';
import type { ErrorClass, Reason } from '../shared/states';
import { SANDBOX_BATCH_MAX } from '../sandbox/sms-routes';
import type {
  BatchOutcome, OutgoingMessage, ReferenceLookup, SentMessage, SentReference, VendorAccepted, VendorAccount, VendorAdapter, VendorReceipt,
} from './types';
import { VendorError } from './vendor-error';
import { outboundUrlSchema } from './outbound-url';
import { callVendorHttp, parseJson } from './http-call';
import type { VendorOutbound } from './outbound/vendor-outbound';

export const sandboxConfigSchema = z.object({
  /** Base URL, e.g. http://127.0.0.1:4010 */
  endpoint: outboundUrlSchema,
  timeoutMs: z.number().int().positive().optional(),
});

export const sandboxSecretsSchema = z.object({ appKey: z.string().min(1), appSecret: z.string().min(1) });

const DEFAULT_TIMEOUT_MS = 10_000;

interface Classification {
  errorClass: ErrorClass;
  reason: Reason;
}

const RETRYABLE: Classification = { errorClass: 'RETRYABLE', reason: 'UNKNOWN' };
const REJECTED: Classification = { errorClass: 'VENDOR_REJECTED', reason: 'VENDOR_REJECTED' };

/**
 * Vendor codes, plus the adapter's own for failures without a vendor answer
 * (TIMEOUT, CONNECTION_ERROR, BAD_RESPONSE, CONFIG_INVALID). Unknown codes are
 * classified by HTTP status in classify().
 */
const VENDOR_CODES: ReadonlyMap<string, Classification> = new Map([
  ['INTERNAL_ERROR', RETRYABLE],
  ['RATE_LIMITED', RETRYABLE],
  ['TIMEOUT', RETRYABLE],
  ['CONNECTION_ERROR', RETRYABLE],
  ['BAD_RESPONSE', RETRYABLE],
  ['AUTH_FAILED', REJECTED],
  ['INSUFFICIENT_BALANCE', REJECTED],
  ['TEMPLATE_NOT_APPROVED', REJECTED],
  ['CONFIG_INVALID', REJECTED],
  ['INVALID_NUMBER', { errorClass: 'RECEIVER_INVALID', reason: 'INVALID_RECEIVER' }],
  ['BLACKLISTED', { errorClass: 'RECEIVER_INVALID', reason: 'BLACKLISTED' }],
  ['UNSUBSCRIBED', { errorClass: 'RECEIVER_INVALID', reason: 'UNSUBSCRIBED' }],
]);

function classify(code: string, httpStatus: number | null): Classification {
  const known = VENDOR_CODES.get(code);
  if (known) return known;
  if (httpStatus === null || httpStatus >= 500 || httpStatus === 429) return RETRYABLE;
  return REJECTED;
}

function vendorError(code: string, text: string, httpStatus: number | null = null): VendorError {
  const { errorClass, reason } = classify(code, httpStatus);
  return new VendorError(errorClass, reason, code, text);
}

/** Receipt error codes with their own reason; any other UNDELIV code is UNKNOWN. */
const RECEIPT_REASONS: ReadonlyMap<string, Reason> = new Map<string, Reason>([
  ['MK:0005', 'CARRIER_BLOCKED'],
  ['MK:0001', 'POWERED_OFF_OR_NO_SIGNAL'],
  ['DB:0115', 'UNSUBSCRIBED'],
]);

const receiptSchema = z.object({
  messageId: z.string().min(1),
  to: z.string(),
  clientRef: z.string().optional(),
  status: z.enum(['DELIVRD', 'UNDELIV']),
  errCode: z.string(),
  errMsg: z.string(),
  doneTime: z.iso.datetime({ offset: true }),
});
/** The body the sandbox pushes to a receipt URL (also described in the OpenAPI document). */
export const pushBodySchema = z.object({ receipts: z.array(receiptSchema) });
const pullAnswerSchema = z.object({ code: z.literal('OK'), receipts: z.array(receiptSchema) });
const acceptedSchema = z.object({ code: z.literal('OK'), message: z.string(), messageId: z.string().min(1) });
const errorAnswerSchema = z.object({ code: z.string().min(1), message: z.string().optional() });
const statusAnswerSchema = z.object({ code: z.literal('OK'), messageId: z.string().min(1), receipt: receiptSchema.nullable() });

function toVendorReceipt(receipt: z.infer<typeof receiptSchema>): VendorReceipt {
  const delivered = receipt.status === 'DELIVRD';
  return {
    vendorMessageId: receipt.messageId,
    reference: receipt.clientRef ?? null,
    receiver: receipt.to,
    status: delivered ? 'DELIVERED' : 'UNDELIVERED',
    reason: delivered ? null : (RECEIPT_REASONS.get(receipt.errCode) ?? 'UNKNOWN'),
    vendorCode: receipt.errCode,
    vendorText: receipt.errMsg,
    deliveredAt: delivered ? new Date(receipt.doneTime) : null,
  };
}

interface SandboxAccount {
  endpoint: string;
  timeoutMs: number;
  appKey: string;
  appSecret: string;
}

function readAccount(account: VendorAccount): SandboxAccount {
  const config = sandboxConfigSchema.safeParse(account.config);
  const secrets = sandboxSecretsSchema.safeParse(account.secrets);
  if (!config.success || !secrets.success) {
    throw vendorError('CONFIG_INVALID', `account ${account.id} has no valid sandbox endpoint or appKey/appSecret`);
  }
  return {
    endpoint: config.data.endpoint.replace(/\/+$/, ''),
    timeoutMs: config.data.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...secrets.data,
  };
}

function signedHeaders(account: SandboxAccount, rawBody: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomUUID();
  return {
    'content-type': 'application/json',
    [SIGNATURE_HEADERS.appKey]: account.appKey,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: signRequest(account.appSecret, timestamp, nonce, rawBody),
  };
}

/** Refusal by HTTP status: the vendor's code when it sent one, else `HTTP_<status>`. */
function refusalError(status: number, body: string): VendorError {
  const answer = errorAnswerSchema.safeParse(parseJson(body));
  if (!answer.success) return vendorError(`HTTP_${status}`, body.slice(0, 200), status);
  return vendorError(answer.data.code, answer.data.message ?? answer.data.code, status);
}

/**
 * One signed call through the guarded transport (no redirects followed);
 * resolves with the parsed JSON of a 2xx answer, throws a classified VendorError otherwise.
 */
async function call(outbound: VendorOutbound, account: SandboxAccount, method: 'GET' | 'POST', path: string, rawBody = ''): Promise<unknown> {
  const { status, text, json } = await callVendorHttp(outbound.agents, {
    method,
    url: `${account.endpoint}${path}`,
    headers: signedHeaders(account, rawBody),
    body: method === 'POST' ? rawBody : undefined,
    timeoutMs: account.timeoutMs,
  });
  if (status < 200 || status >= 300) throw refusalError(status, text);
  return json;
}

function expectAnswer<T>(schema: z.ZodType<T>, answer: unknown): T {
  const parsed = schema.safeParse(answer);
  if (!parsed.success) throw vendorError('BAD_RESPONSE', `unexpected answer: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const batchResultSchema = z.object({ to: z.string(), clientRef: z.string(), code: z.string().min(1), message: z.string(), messageId: z.string().min(1).optional() });
const batchAnswerSchema = z.object({ code: z.literal('OK'), results: z.array(batchResultSchema) });

/** `POST /v1/sms/send-batch`: one text, many receivers, one result per receiver (matched by clientRef). */
async function sendBatch(outbound: VendorOutbound, account: VendorAccount, messages: OutgoingMessage[]): Promise<BatchOutcome[]> {
  const [first] = messages;
  if (!first) return [];
  const sandbox = readAccount(account);
  const body = JSON.stringify({
    content: first.content,
    templateId: first.vendorTemplateId ?? undefined,
    messages: messages.map((message) => ({ to: message.receiver, clientRef: message.reference })),
  });
  const answer = expectAnswer(batchAnswerSchema, await call(outbound, sandbox, 'POST', '/v1/sms/send-batch', body));
  const byRef = new Map(answer.results.map((result) => [result.clientRef, result]));
  return messages.map((message): BatchOutcome => {
    const result = byRef.get(message.reference);
    if (!result) return { error: vendorError('BAD_RESPONSE', 'the batch answer has no result for this message') };
    if (result.code !== 'OK' || !result.messageId) return { error: vendorError(result.code, result.message) };
    return { accepted: { vendorMessageId: result.messageId, vendorCode: result.code, vendorText: result.message } };
  });
}

export function createSandboxAdapter(outbound: VendorOutbound): VendorAdapter {
  return {
    provider: 'sandbox',
    channel: 'SMS',
    configSchema: sandboxConfigSchema,
    secretsSchema: sandboxSecretsSchema,

    async send(account: VendorAccount, message: OutgoingMessage): Promise<VendorAccepted> {
      const sandbox = readAccount(account);
      const body = JSON.stringify({
        to: message.receiver,
        content: message.content,
        templateId: message.vendorTemplateId ?? undefined,
        clientRef: message.reference,
      });
      const accepted = expectAnswer(acceptedSchema, await call(outbound, sandbox, 'POST', '/v1/sms/send', body));
      return { vendorMessageId: accepted.messageId, vendorCode: accepted.code, vendorText: accepted.message };
    },

    batch: { maxSize: SANDBOX_BATCH_MAX, send: (account, messages) => sendBatch(outbound, account, messages) },

    async findByReference(account: VendorAccount, sent: SentReference): Promise<ReferenceLookup> {
      const sandbox = readAccount(account);
      const query = new URLSearchParams({ clientRef: sent.reference });
      let answer: unknown;
      try {
        answer = await call(outbound, sandbox, 'GET', `/v1/sms/status?${query.toString()}`);
      } catch (error) {
        // The sandbox's ledger is written before it answers a send: NOT_FOUND is its word that it never took it.
        if (error instanceof VendorError && error.vendorCode === 'NOT_FOUND') return { found: 'NONE' };
        throw error;
      }
      const status = expectAnswer(statusAnswerSchema, answer);
      return {
        found: 'ACCEPTED',
        accepted: { vendorMessageId: status.messageId, vendorCode: 'OK', vendorText: 'accepted (found by clientRef)' },
        receipt: status.receipt && toVendorReceipt(status.receipt),
      };
    },

    async pullReceipts(account: VendorAccount, sent: SentMessage[]): Promise<VendorReceipt[]> {
      if (sent.length === 0) return [];
      const sandbox = readAccount(account);
      const query = new URLSearchParams({ messageIds: sent.map((message) => message.vendorMessageId).join(',') });
      const answer = expectAnswer(pullAnswerSchema, await call(outbound, sandbox, 'GET', `/v1/sms/receipts?${query.toString()}`));
      return answer.receipts.map(toVendorReceipt);
    },

    parsePushedReceipts(body: unknown): VendorReceipt[] {
      return pushBodySchema.parse(body).receipts.map(toVendorReceipt);
    },
  };
}
