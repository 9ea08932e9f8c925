/**
 * Aliyun (Alibaba Cloud) SMS, Dysmsapi 2017-05-25, through the official SDK
 * (`@alicloud/dysmsapi20170525` on `@alicloud/openapi-core`, which signs with
 * ACS3-HMAC-SHA256). The endpoint is account config, so the same adapter
 * talks to dysmsapi.aliyuncs.com in production and to
 * test/fakes/aliyun-sms-server.ts in tests.
 *
 * Template variables: Aliyun templates name their variables (`${code}`), so
 * TemplateParam is the message's variables as a JSON object of strings; the
 * template's `vendorTemplateIds.aliyun` is the TemplateCode (SMS_123456789).
 * OutId is Herald's reference (the sendId on a send's first run). Numbers go out as Aliyun wants them: mainland
 * China without +86, others as country code and number without `+`.
 *
 * Receipts: pushed to the account's `POST /v1/receipts/aliyun/<token>` (Aliyun's SmsReport HTTP
 * batch push, answered `{"code":0,"msg":"成功"}`), and pulled with
 * QuerySendDetails (PhoneNumber + SendDate in Beijing time + BizId).
 */
import Dysmsapi, { QuerySendDetailsRequest, SendBatchSmsRequest, SendSmsRequest } from '@alicloud/dysmsapi20170525';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { z } from 'zod';
import type { Reason } from '../shared/states';
import {
  ADAPTER_CODES, REJECTED, RETRYABLE, classifyHttpStatus, receiverInvalid, vendorCodeError, type VendorCodeTable,
} from './code-table';
import { receiptReason } from './receipt-codes';
import { VendorError } from './vendor-error';
import { beijingDay, beijingTimeToDate } from './beijing-time';
import { endpointParts, transportFailure, withReceiverMasked } from './vendor-http';
import { batchMemberId, vendorSideId } from './batch-member';
import type {
  BatchOutcome, OutgoingMessage, ReferenceLookup, SentMessage, SentReference, VendorAccepted, VendorAccount, VendorAdapter, VendorReceipt,
} from './types';
import { referenceParts } from '../shared/vendor-reference';
import { outboundUrlSchema } from './outbound-url';
import type { VendorOutbound } from './outbound/vendor-outbound';
import { receiptSourcesSchema } from '../security/receipt-sources';

export const ALIYUN_DEFAULT_ENDPOINT = 'https://dysmsapi.aliyuncs.com';
const DEFAULT_TIMEOUT_MS = 10_000;
/** QuerySendDetails' largest page: a number's messages of one day. */
const QUERY_PAGE_SIZE = 50;

export const aliyunConfigSchema = z.object({
  /** The approved signature name (签名名称). */
  signName: z.string().min(1),
  /** Base URL of the API. */
  endpoint: outboundUrlSchema.default(ALIYUN_DEFAULT_ENDPOINT),
  timeoutMs: z.number().int().positive().optional(),
  /** Optional: the only addresses (CIDRs) receipt pushes for this account are taken from; the vendor signs none. */
  receiptSources: receiptSourcesSchema,
});

export const aliyunSecretsSchema = z.object({ accessKeyId: z.string().min(1), accessKeySecret: z.string().min(1) });

/** Aliyun's documented error codes (SendSms, common errors) → Herald classes. */
export const ALIYUN_CODES: VendorCodeTable = {
  codes: new Map([
    ['isv.MOBILE_NUMBER_ILLEGAL', receiverInvalid('INVALID_RECEIVER')],
    // 黑名单管控: the number is on Aliyun's blacklist (typically it replied to unsubscribe).
    ['isv.BLACK_KEY_CONTROL_LIMIT', receiverInvalid('BLACKLISTED')],
    // Per-number flow control (e.g. 1/min, 5/h, 10/day for codes) protects the receiver: no failover.
    ['isv.BUSINESS_LIMIT_CONTROL', receiverInvalid('FREQUENCY_CAP')],
    ['isv.AMOUNT_NOT_ENOUGH', REJECTED],
    ['isv.SMS_TEMPLATE_ILLEGAL', REJECTED],
    ['isv.SMS_SIGNATURE_ILLEGAL', REJECTED],
    ['isv.DAY_LIMIT_CONTROL', REJECTED],
    ['isv.OUT_OF_SERVICE', REJECTED],
    ['isv.TEMPLATE_MISSING_PARAMETERS', REJECTED],
    ['isv.INVALID_JSON_PARAM', REJECTED],
    ['InvalidAccessKeyId.NotFound', REJECTED],
    ['InvalidAccessKeyId.Inactive', REJECTED],
    ['SignatureDoesNotMatch', REJECTED],
    ['isp.RAM_PERMISSION_DENY', REJECTED],
    ['isp.SYSTEM_ERROR', RETRYABLE],
  ]),
  prefixes: [
    ['Throttling', RETRYABLE],
    ['ServiceUnavailable', RETRYABLE],
    ['InternalError', RETRYABLE],
  ],
  otherwise: REJECTED,
};

/**
 * Receipt codes Aliyun writes itself (回执错误码; it passes carrier codes through too, see
 * receipt-codes.ts). ROUTE_FAILED: another vendor may deliver, the send is re-routed.
 */
export const ALIYUN_RECEIPT_REASONS: ReadonlyMap<string, Reason> = new Map<string, Reason>([
  ['MOBILE_NOT_ON_SERVICE', 'INVALID_RECEIVER'], // suspended, empty or out of service
  ['INVALID_NUMBER', 'INVALID_RECEIVER'],
  ['SP_NOT_BY_INTER_SMS', 'INVALID_RECEIVER'], // the receiver has no international SMS
  ['MOBILE_IN_BLACK', 'BLACKLISTED'], // unsubscribed from the signature or on a carrier blacklist
  ['USER_REJECT', 'UNSUBSCRIBED'], // the receiver unsubscribed from this business
  ['MOBLLE_TERMINAL_ERROR', 'INBOX_FULL'], // (sic) handset memory or SIM full
  ['CONTENT_KEYWORD', 'SPAM_INTERCEPTED'],
  ['MOBILE_SEND_LIMIT', 'FREQUENCY_CAP'], // the number's daily / monthly limit or too frequent sends: no other vendor either
  ['IS_CLOSE', 'ROUTE_FAILED'], // the SMS channel was shut down
  ['NO_ROUTE', 'ROUTE_FAILED'], // no channel available for this content
  ['SP_UNKNOWN_ERROR', 'ROUTE_FAILED'], // unknown error reported by the carrier
  ['MOBILE_ACCOUNT_ABNORMAL', 'ROUTE_FAILED'], // account abnormal, number ported to another carrier, or in arrears
]);

interface AliyunAccount {
  config: z.infer<typeof aliyunConfigSchema>;
  client: Dysmsapi;
}

function readAccount(account: VendorAccount): AliyunAccount {
  const config = aliyunConfigSchema.safeParse(account.config);
  const secrets = aliyunSecretsSchema.safeParse(account.secrets);
  if (!config.success || !secrets.success) {
    throw new VendorError('VENDOR_REJECTED', 'VENDOR_REJECTED', ADAPTER_CODES.configInvalid,
      `account ${account.id} has no valid Aliyun config (signName, endpoint) or accessKeyId/accessKeySecret`);
  }
  const { scheme, host } = endpointParts(config.data.endpoint);
  const timeout = config.data.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = new Dysmsapi(new $OpenApiUtil.Config({
    ...secrets.data, endpoint: host, protocol: scheme, readTimeout: timeout, connectTimeout: timeout,
  }));
  return { config: config.data, client };
}

/**
 * The account's client once its endpoint passed the outbound guard. The SDK
 * opens its own connections (no agent can be given to it), so the host is
 * checked right before each call; see docs/security.md for what that leaves.
 */
async function openAccount(outbound: VendorOutbound, account: VendorAccount): Promise<AliyunAccount> {
  const aliyun = readAccount(account);
  await outbound.checkDestination(aliyun.config.endpoint);
  return aliyun;
}

/** `+8613800138000` → `13800138000`; `+85212345678` → `85212345678`. */
export function aliyunPhoneNumber(e164: string): string {
  return e164.startsWith('+86') ? e164.slice(3) : e164.replace(/^\+/, '');
}

/** The inverse, for receipts: 11 digits starting with 1 are mainland numbers. */
function e164FromAliyun(phone: string): string {
  return /^1\d{10}$/.test(phone) ? `+86${phone}` : `+${phone}`;
}

/** The SDK's error: `statusCode` (and `code` from the body) when Aliyun answered 4xx/5xx, neither for transport. */
interface AliyunSdkError {
  message?: unknown;
  code?: unknown;
  statusCode?: unknown;
}

function classifySdkError(error: unknown): VendorError {
  const { message, code, statusCode } = (typeof error === 'object' && error !== null ? error : {}) as AliyunSdkError;
  const text = typeof message === 'string' ? message : String(error);
  if (typeof statusCode !== 'number') return transportFailure(text);
  if (typeof code === 'string' && code.length > 0 && code !== 'undefined') return vendorCodeError(ALIYUN_CODES, code, text);
  const { errorClass, reason } = classifyHttpStatus(statusCode);
  return new VendorError(errorClass, reason, `HTTP_${statusCode}`, text);
}

async function call<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw classifySdkError(error);
  }
}

const sendAnswerSchema = z.object({ code: z.string(), message: z.string().optional(), bizId: z.string().optional() });

const detailSchema = z.object({
  phoneNum: z.string(),
  outId: z.string().optional(),
  sendStatus: z.number(),
  errCode: z.string().optional(),
  receiveDate: z.string().optional(),
});
const queryAnswerSchema = z.object({
  code: z.string(),
  message: z.string().optional(),
  smsSendDetailDTOs: z.object({ smsSendDetailDTO: z.array(detailSchema).optional() }).optional(),
});

/** One entry of Aliyun's SmsReport push (a JSON array of them). */
const pushedReportSchema = z.object({
  phone_number: z.string(),
  success: z.boolean(),
  err_code: z.string(),
  err_msg: z.string(),
  biz_id: z.string().min(1),
  out_id: z.string().optional(),
  report_time: z.string(),
  send_time: z.string().optional(),
  sms_size: z.string().optional(),
});
/** The body Aliyun pushes to a receipt URL (also described in the OpenAPI document). */
export const pushBodySchema = z.array(pushedReportSchema);

/** QuerySendDetails SendStatus: 1 waiting for the receipt, 2 failed, 3 delivered. */
const SEND_STATUS = { waiting: 1, failed: 2, delivered: 3 } as const;

function receipt(bizId: string, phone: string, success: boolean, code: string, text: string, at: string | undefined, reference: string | null = null): VendorReceipt {
  return {
    vendorMessageId: bizId,
    reference,
    receiver: e164FromAliyun(phone),
    status: success ? 'DELIVERED' : 'UNDELIVERED',
    reason: success ? null : receiptReason(ALIYUN_RECEIPT_REASONS, code),
    vendorCode: code,
    vendorText: text,
    deliveredAt: success && at ? beijingTimeToDate(at) : null,
  };
}

function expectAnswer<T>(schema: z.ZodType<T>, answer: unknown): T {
  const parsed = schema.safeParse(answer);
  if (!parsed.success) {
    throw new VendorError('RETRYABLE', 'UNKNOWN', ADAPTER_CODES.badResponse, `unexpected answer: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** SendSms for one number; throws a classified VendorError. */
async function sendSms(outbound: VendorOutbound, account: VendorAccount, message: OutgoingMessage): Promise<VendorAccepted> {
  const aliyun = await openAccount(outbound, account);
  if (!message.vendorTemplateId) {
    throw new VendorError('VENDOR_REJECTED', 'VENDOR_REJECTED', ADAPTER_CODES.templateMissing, 'the template has no Aliyun TemplateCode (vendorTemplateIds.aliyun)');
  }
  const response = await call(() => aliyun.client.sendSms(new SendSmsRequest({
    phoneNumbers: aliyunPhoneNumber(message.receiver),
    signName: aliyun.config.signName,
    templateCode: message.vendorTemplateId ?? undefined,
    templateParam: JSON.stringify(message.variables),
    outId: message.reference,
  })));
  // Business refusals (isv.*) come as HTTP 200 with their Code in the body.
  const answer = expectAnswer(sendAnswerSchema, response.body);
  if (answer.code !== 'OK') throw vendorCodeError(ALIYUN_CODES, answer.code, answer.message ?? answer.code);
  if (!answer.bizId) throw new VendorError('RETRYABLE', 'UNKNOWN', ADAPTER_CODES.badResponse, 'SendSms answered OK without a BizId');
  return { vendorMessageId: answer.bizId, vendorCode: answer.code, vendorText: answer.message ?? 'OK' };
}

/** SendBatchSms takes at most 100 numbers per call. */
const ALIYUN_BATCH_MAX = 100;

/**
 * SendBatchSms: the numbers, one signature and one TemplateParam per number
 * (all the same here), one TemplateCode. Aliyun answers one Code and one BizId
 * for the whole call, so every number shares the outcome; each send's id is
 * `<BizId>|<receiver>` (batch-member.ts), which receipts (BizId + number) find.
 * OutId is the first send's id: Aliyun takes one per call.
 */
async function sendBatchSms(outbound: VendorOutbound, account: VendorAccount, messages: OutgoingMessage[]): Promise<BatchOutcome[]> {
  const [first] = messages;
  if (!first) return [];
  const aliyun = await openAccount(outbound, account);
  if (!first.vendorTemplateId) {
    throw new VendorError('VENDOR_REJECTED', 'VENDOR_REJECTED', ADAPTER_CODES.templateMissing, 'the template has no Aliyun TemplateCode (vendorTemplateIds.aliyun)');
  }
  const response = await call(() => aliyun.client.sendBatchSms(new SendBatchSmsRequest({
    phoneNumberJson: JSON.stringify(messages.map((message) => aliyunPhoneNumber(message.receiver))),
    signNameJson: JSON.stringify(messages.map(() => aliyun.config.signName)),
    templateCode: first.vendorTemplateId,
    templateParamJson: JSON.stringify(messages.map((message) => message.variables)),
    outId: first.reference,
  })));
  const answer = expectAnswer(sendAnswerSchema, response.body);
  if (answer.code !== 'OK') throw vendorCodeError(ALIYUN_CODES, answer.code, answer.message ?? answer.code);
  const { bizId } = answer;
  if (!bizId) throw new VendorError('RETRYABLE', 'UNKNOWN', ADAPTER_CODES.badResponse, 'SendBatchSms answered OK without a BizId');
  return messages.map((message) => ({
    accepted: { vendorMessageId: batchMemberId(bizId, message.receiver), vendorCode: answer.code, vendorText: answer.message ?? 'OK' },
  }));
}

/** QuerySendDetails for one number and day (Beijing time), filtered by BizId when there is one. */
async function queryDetails(aliyun: AliyunAccount, receiver: string, sentAt: Date, bizId: string | null): Promise<Array<z.infer<typeof detailSchema>>> {
  const response = await call(() => aliyun.client.querySendDetails(new QuerySendDetailsRequest({
    phoneNumber: aliyunPhoneNumber(receiver),
    sendDate: beijingDay(sentAt),
    bizId: bizId ?? undefined,
    pageSize: QUERY_PAGE_SIZE,
    currentPage: 1,
  })));
  const answer = expectAnswer(queryAnswerSchema, response.body);
  if (answer.code !== 'OK') throw vendorCodeError(ALIYUN_CODES, answer.code, answer.message ?? answer.code);
  return answer.smsSendDetailDTOs?.smsSendDetailDTO ?? [];
}

/** A detail with a final status as the receipt of `vendorMessageId`; null while it waits for one. */
function detailReceipt(vendorMessageId: string, detail: z.infer<typeof detailSchema>, reference: string | null): VendorReceipt | null {
  if (detail.sendStatus === SEND_STATUS.waiting) return null;
  const success = detail.sendStatus === SEND_STATUS.delivered;
  const code = detail.errCode ?? (success ? 'DELIVERED' : 'UNKNOWN');
  return receipt(vendorMessageId, detail.phoneNum, success, code, code, detail.receiveDate, reference);
}

export function createAliyunSmsAdapter(outbound: VendorOutbound): VendorAdapter {
  return {
    provider: 'aliyun',
    channel: 'SMS',
    configSchema: aliyunConfigSchema,
    secretsSchema: aliyunSecretsSchema,
    pushAnswer: { code: 0, msg: '成功' },

    async send(account: VendorAccount, message: OutgoingMessage): Promise<VendorAccepted> {
      try {
        return await sendSms(outbound, account, message);
      } catch (error) {
        throw error instanceof VendorError ? withReceiverMasked(error, message.receiver) : error;
      }
    },

    batch: { maxSize: ALIYUN_BATCH_MAX, send: (account, messages) => sendBatchSms(outbound, account, messages) },

    async pullReceipts(account: VendorAccount, sent: SentMessage[]): Promise<VendorReceipt[]> {
      const receipts: VendorReceipt[] = [];
      if (sent.length === 0) return receipts;
      const aliyun = await openAccount(outbound, account);
      for (const message of sent) {
        // An acceptance found by its OutId (findByReference) is known by Herald's reference, not a BizId.
        const byReference = referenceParts(message.vendorMessageId) !== null;
        const details = await queryDetails(aliyun, message.receiver, message.sentAt, byReference ? null : vendorSideId(message.vendorMessageId));
        // Filtered by BizId (or OutId), so every detail is this message's; one still waiting has no receipt yet.
        const detail = details.find((d) => (!byReference || d.outId === message.vendorMessageId) && d.sendStatus !== SEND_STATUS.waiting);
        const found = detail && detailReceipt(message.vendorMessageId, detail, byReference ? message.vendorMessageId : null);
        if (found) receipts.push(found);
      }
      return receipts;
    },

    parsePushedReceipts(body: unknown): VendorReceipt[] {
      return pushBodySchema.parse(body).map((report) =>
        receipt(report.biz_id, report.phone_number, report.success, report.err_code, report.err_msg, report.report_time, report.out_id || null));
    },

    /**
     * QuerySendDetails by receiver and day lists every message Aliyun took for the number, waiting
     * for its receipt or not, with the SendSms call's OutId (Herald's reference). Its details carry
     * no BizId, so an acceptance found here is known by the reference until its receipt names the
     * BizId. None with ours proves nothing yet (the list may lag the acceptance): the send verifies
     * until the template's verify time runs out.
     */
    async findByReference(account: VendorAccount, sent: SentReference): Promise<ReferenceLookup> {
      const aliyun = await openAccount(outbound, account);
      const details = await queryDetails(aliyun, sent.receiver, sent.sentAt, null);
      const found = details.find((detail) => detail.outId === sent.reference);
      if (!found) return { found: 'NOT_YET' };
      const accepted = { vendorMessageId: sent.reference, vendorCode: 'OK', vendorText: 'found by OutId' };
      return { found: 'ACCEPTED', accepted, receipt: detailReceipt(sent.reference, found, sent.reference) };
    },
  };
}
