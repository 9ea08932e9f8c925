/**
 * Twilio Programmable Messaging (API 2010-04-01) through the official
 * `twilio` package, its requests going through the outbound guard
 * (http-client.ts) to the account's base URL: api.twilio.com in production,
 * test/fakes/twilio-server.ts in tests.
 *
 * Send: Messages create (To, Body, From or MessagingServiceSid) with
 * StatusCallback set to the account's receipt URL, so Twilio pushes each
 * status change there (form-encoded, signed with X-Twilio-Signature: checked
 * with the package's validateRequest against the account's Auth Token, 403
 * otherwise). Only final statuses become receipts; Messages fetch is the
 * pull fallback. An inbound STOP reaching the same URL (a number's messaging
 * webhook) and the refusal 21610 put the receiver on the suppression list.
 */
import twilio from 'twilio';
import { z } from 'zod';
import { ADAPTER_CODES, classifiedError } from '../code-table';
import { readAccountParts } from '../account-config';
import { outboundUrlSchema } from '../outbound-url';
import { OutboundRefusedError } from '../outbound/outbound-guard';
import { refusedDestination, type VendorOutbound } from '../outbound/vendor-outbound';
import type { OutgoingMessage, PushedRequest, SentMessage, VendorAccepted, VendorAccount, VendorAdapter, VendorReceipt } from '../types';
import { VendorError } from '../vendor-error';
import { transportFailure, withReceiverMasked } from '../vendor-http';
import { receiptSourcesSchema } from '../../security/receipt-sources';
import { OPT_OUT_KEYWORDS, TWILIO_DELIVERY_REASONS, TWILIO_FINAL_STATUSES, TWILIO_SEND_CODES } from './codes';
import { GuardedTwilioClient } from './http-client';

export const TWILIO_PROVIDER = 'twilio';
export const TWILIO_DEFAULT_BASE_URL = 'https://api.twilio.com';
const DEFAULT_TIMEOUT_MS = 10_000;

export const twilioConfigSchema = z
  .object({
    /** The sender: a Twilio number in E.164 or an alphanumeric sender id; or use a Messaging Service. */
    from: z.string().regex(/^(\+[1-9]\d{6,14}|[A-Za-z0-9 ]{1,11})$/, 'an E.164 number (+14155550100) or an alphanumeric sender id of at most 11 characters').optional(),
    /** A Messaging Service (MG…) that picks the sender; takes precedence over `from`. */
    messagingServiceSid: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'a Messaging Service SID: MG and 32 hex digits').optional(),
    /** Base URL of the API. */
    baseUrl: outboundUrlSchema.default(TWILIO_DEFAULT_BASE_URL),
    timeoutMs: z.number().int().positive().optional(),
    /** Optional: the only addresses (CIDRs) status callbacks for this account are taken from (they are signed anyway). */
    receiptSources: receiptSourcesSchema,
  })
  .refine((config) => config.from !== undefined || config.messagingServiceSid !== undefined, {
    message: 'give `from` (a Twilio number or sender id) or `messagingServiceSid`',
    path: ['from'],
  });

export const twilioSecretsSchema = z.object({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'an Account SID: AC and 32 hex digits'),
  authToken: z.string().min(1),
});

type TwilioConfig = z.infer<typeof twilioConfigSchema>;

/** Where Twilio posts the status callbacks of an account's messages (Herald's tokened receipt URL). */
export type ReceiptUrlOf = (account: { id: string; provider: string }) => string;

/**
 * What Twilio posts to the account's receipt URL (also described in the OpenAPI document): a status
 * callback (`MessageStatus`), or an inbound message to the account's number (`From`, `Body`, `OptOutType`).
 */
export const twilioPushBodySchema = z.looseObject({
  MessageSid: z.string().min(1),
  MessageStatus: z.string().optional(),
  ErrorCode: z.string().optional(),
  To: z.string().optional(),
  From: z.string().optional(),
  Body: z.string().optional(),
  OptOutType: z.string().optional(),
});

function openClient(outbound: VendorOutbound, account: VendorAccount) {
  const { config, secrets } = readAccountParts(account, twilioConfigSchema, twilioSecretsSchema);
  const httpClient = new GuardedTwilioClient(outbound, config.baseUrl, config.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return { config, client: twilio(secrets.accountSid, secrets.authToken, { httpClient }) };
}

/** The account's client once its base URL passed the outbound guard (a refusal is classified as such, not as a connection failure). */
async function openAccount(outbound: VendorOutbound, account: VendorAccount) {
  const opened = openClient(outbound, account);
  await outbound.checkDestination(opened.config.baseUrl);
  return opened;
}

/**
 * The package's failures, read by shape (its RestException and
 * TwilioServiceException both carry the HTTP `status` and Twilio's `code`):
 * a code of the table decides, any other answer is classified by its HTTP
 * status (5xx and 429 retried); no answer at all is a transport failure.
 */
function classify(error: unknown): VendorError {
  if (error instanceof VendorError) return error;
  if (error instanceof OutboundRefusedError) return refusedDestination(error);
  const { status, code, message } = (typeof error === 'object' && error !== null ? error : {}) as { status?: unknown; code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  if (typeof status !== 'number') return transportFailure(text);
  const twilioCode = typeof code === 'number' || (typeof code === 'string' && /^\d+$/.test(code)) ? String(code) : `HTTP_${status}`;
  return classifiedError(TWILIO_SEND_CODES, twilioCode, text, status);
}

/** What Messages create answers with a status of 4xx: a refusal, whatever its code. */
const REFUSAL_STATUS = 400;

function sender(config: TwilioConfig): { messagingServiceSid: string } | { from: string } {
  if (config.messagingServiceSid) return { messagingServiceSid: config.messagingServiceSid };
  return { from: config.from ?? '' };
}

/** A final status as a receipt; null while the message is still on its way. */
function receiptOf(sid: string, receiver: string | null, status: string, errorCode: string | null, errorText: string | null, at: Date | null): VendorReceipt | null {
  const final = TWILIO_FINAL_STATUSES.get(status);
  if (!final) return null;
  const delivered = final === 'DELIVERED';
  return {
    vendorMessageId: sid,
    receiver,
    status: final,
    reason: delivered ? null : (TWILIO_DELIVERY_REASONS.get(errorCode ?? '') ?? 'UNKNOWN'),
    vendorCode: errorCode ?? status,
    vendorText: errorText ?? status,
    deliveredAt: delivered ? at : null,
  };
}

/** The form of a push as Twilio signed it: each field once, or every value of a repeated one. */
function formParams(rawBody: Buffer): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    const earlier = params[name];
    params[name] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
  }
  return params;
}

export function createTwilioAdapter(outbound: VendorOutbound, receiptUrlOf: ReceiptUrlOf): VendorAdapter {
  async function send(account: VendorAccount, message: OutgoingMessage): Promise<VendorAccepted> {
    const { config, client } = await openAccount(outbound, account);
    const created = await client.messages
      .create({ to: message.receiver, body: message.content, statusCallback: receiptUrlOf(account), ...sender(config) })
      .catch((error: unknown) => {
        throw classify(error);
      });
    if (typeof created.sid !== 'string' || created.sid === '') throw new VendorError('RETRYABLE', 'UNKNOWN', ADAPTER_CODES.badResponse, 'Messages create answered without a sid');
    // A message refused at once comes back `failed` with its error code instead of an error answer.
    if (created.errorCode) throw classifiedError(TWILIO_SEND_CODES, String(created.errorCode), created.errorMessage ?? String(created.status), REFUSAL_STATUS);
    return { vendorMessageId: created.sid, vendorCode: String(created.status), vendorText: `${created.status} (${created.numSegments ?? '?'} segment(s))` };
  }

  return {
    provider: TWILIO_PROVIDER,
    channel: 'SMS',
    configSchema: twilioConfigSchema,
    secretsSchema: twilioSecretsSchema,

    async send(account, message) {
      try {
        return await send(account, message);
      } catch (error) {
        throw withReceiverMasked(classify(error), message.receiver);
      }
    },

    async pullReceipts(account: VendorAccount, sent: SentMessage[]): Promise<VendorReceipt[]> {
      if (sent.length === 0) return [];
      const { client } = await openAccount(outbound, account);
      const receipts: VendorReceipt[] = [];
      for (const message of sent) {
        const fetched = await client.messages(message.vendorMessageId).fetch().catch((error: unknown) => {
          throw classify(error);
        });
        const code = fetched.errorCode ? String(fetched.errorCode) : null;
        const receipt = receiptOf(message.vendorMessageId, fetched.to ?? message.receiver, String(fetched.status), code, fetched.errorMessage ?? null, fetched.dateUpdated ?? null);
        if (receipt) receipts.push(receipt);
      }
      return receipts;
    },

    parsePushedReceipts(body: unknown): VendorReceipt[] {
      const pushed = twilioPushBodySchema.parse(body);
      if (pushed.MessageStatus === undefined) return [];
      const receipt = receiptOf(pushed.MessageSid, pushed.To ?? null, pushed.MessageStatus, pushed.ErrorCode ?? null, null, new Date());
      return receipt ? [receipt] : [];
    },

    parsePushedOptOuts(body: unknown): string[] {
      const pushed = twilioPushBodySchema.parse(body);
      if (pushed.MessageStatus !== undefined || !pushed.From) return [];
      const keyword = (pushed.Body ?? '').trim().toUpperCase();
      return pushed.OptOutType?.toUpperCase() === 'STOP' || OPT_OUT_KEYWORDS.has(keyword) ? [pushed.From] : [];
    },

    verifyPush(account: VendorAccount, push: PushedRequest): string | null {
      if (push.header(twilio.SIGNATURE_SETTINGS_HEADER)) return `signed with a SharedKey (${twilio.SIGNATURE_SETTINGS_HEADER}); Herald checks Auth Token signatures`;
      const signature = push.header(twilio.SIGNATURE_HEADER);
      if (!signature) return `no ${twilio.SIGNATURE_HEADER}`;
      const authToken = twilioSecretsSchema.safeParse(account.secrets).data?.authToken;
      if (!authToken) return 'the account has no Auth Token to check the signature with';
      return twilio.validateRequest(authToken, signature, push.url, formParams(push.rawBody)) ? null : `${twilio.SIGNATURE_HEADER} does not verify`;
    },
  };
}
