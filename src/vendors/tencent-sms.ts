/**
 * Tencent Cloud SMS (API 2021-01-11) through the official SDK. The endpoint
 * is account config, so the same adapter talks to sms.tencentcloudapi.com in
 * production and to test/fakes/tencent-sms-server.ts in tests.
 *
 * Template variables: Tencent templates have positional parameters {1}, {2}, …
 * The template's `vendorTemplateIds.tencent` is `"<TemplateId>"` for a template
 * without parameters, or `"<TemplateId>:<name1>,<name2>"`, naming which
 * Herald variable fills {1}, {2}, … in that order.
 *
 * Receipts: pushed to the account's `POST /v1/receipts/tencent/<token>` (Tencent's callback format,
 * answered `{"result":0,"errmsg":"OK"}`), and pulled with
 * PullSmsSendStatusByPhoneNumber, not PullSmsSendStatus: the latter hands out
 * each receipt of the whole SmsSdkAppId once, to whichever caller asks first,
 * so a poll for one send would consume, and another system sharing the app
 * would lose, the receipts of other sends. The by-number pull only reads.
 */
import { sms } from 'tencentcloud-sdk-nodejs-sms';
import { z } from 'zod';
import type { Reason } from '../shared/states';
import {
  ADAPTER_CODES, REJECTED, RETRYABLE, classifyHttpStatus, receiverInvalid, vendorCodeError, type VendorCodeTable,
} from './code-table';
import { receiptReason } from './receipt-codes';
import { VendorError } from './vendor-error';
import { beijingTimeToDate } from './beijing-time';
import { endpointParts, transportFailure, withReceiverMasked } from './vendor-http';
import type {
  BatchOutcome, OutgoingMessage, ReferenceLookup, SentMessage, SentReference, VendorAccepted, VendorAccount, VendorAdapter, VendorReceipt,
} from './types';
import { outboundUrlSchema } from './outbound-url';
import type { VendorOutbound } from './outbound/vendor-outbound';
import { receiptSourcesSchema } from '../security/receipt-sources';

const SmsClient = sms.v20210111.Client;
type SmsClientInstance = InstanceType<typeof SmsClient>;

export const TENCENT_DEFAULT_ENDPOINT = 'https://sms.tencentcloudapi.com';
const DEFAULT_REGION = 'ap-guangzhou';
const DEFAULT_TIMEOUT_MS = 10_000;
/** Receipts are looked for from a little before the recorded send time (clock skew between us and Tencent). */
const PULL_LOOKBACK_SECONDS = 300;
const PULL_LIMIT = 100;

export const tencentConfigSchema = z.object({
  /** The SMS application's SdkAppId, e.g. 1400006666. */
  smsSdkAppId: z.string().regex(/^\d+$/, 'digits, as shown in the SMS console'),
  /** The approved signature's content (the text inside 【】). */
  signName: z.string().min(1),
  region: z.string().min(1).default(DEFAULT_REGION),
  /** Base URL of the API; the first label of its host name is the signed service name. */
  endpoint: outboundUrlSchema.default(TENCENT_DEFAULT_ENDPOINT),
  timeoutMs: z.number().int().positive().optional(),
  /** Optional: the only addresses (CIDRs) receipt pushes for this account are taken from; the vendor signs none. */
  receiptSources: receiptSourcesSchema,
});

export const tencentSecretsSchema = z.object({ secretId: z.string().min(1), secretKey: z.string().min(1) });

/** Tencent's documented error codes (SendSms, common errors) → Herald classes. */
export const TENCENT_CODES: VendorCodeTable = {
  codes: new Map([
    ['FailedOperation.InsufficientBalanceInSmsPackage', REJECTED],
    ['FailedOperation.TemplateIncorrectOrUnapproved', REJECTED],
    ['FailedOperation.SignatureIncorrectOrUnapproved', REJECTED],
    ['FailedOperation.ContainSensitiveWord', REJECTED],
    ['FailedOperation.MarketingSendTimeConstraint', REJECTED],
    ['FailedOperation.PhoneNumberInBlacklist', receiverInvalid('BLACKLISTED')],
    ['FailedOperation.PhoneNumberParseFail', receiverInvalid('INVALID_RECEIVER')],
    ['InvalidParameterValue.IncorrectPhoneNumber', receiverInvalid('INVALID_RECEIVER')],
    // Tencent's per-number limits protect the receiver: another vendor must not get round them.
    ['LimitExceeded.PhoneNumberDailyLimit', receiverInvalid('FREQUENCY_CAP')],
    ['LimitExceeded.PhoneNumberOneHourLimit', receiverInvalid('FREQUENCY_CAP')],
    ['LimitExceeded.PhoneNumberThirtySecondLimit', receiverInvalid('FREQUENCY_CAP')],
    ['LimitExceeded.PhoneNumberSameContentDailyLimit', receiverInvalid('FREQUENCY_CAP')],
    ['LimitExceeded.DeliveryFrequencyLimit', RETRYABLE],
    ['RequestLimitExceeded', RETRYABLE],
  ]),
  prefixes: [
    ['InternalError', RETRYABLE],
    ['AuthFailure', REJECTED],
    ['UnauthorizedOperation', REJECTED],
  ],
  otherwise: REJECTED,
};

/**
 * Receipt codes Tencent adds to the carriers' ones (receipt-codes.ts), from its sending and receipt
 * status codes. ROUTE_FAILED: another vendor may deliver, the send is re-routed.
 */
export const TENCENT_RECEIPT_REASONS: ReadonlyMap<string, Reason> = new Map<string, Reason>([
  ['UNSUBSCRIBED', 'UNSUBSCRIBED'],
  ['BLACKLIST', 'BLACKLISTED'],
  ['COMFAIL', 'ROUTE_FAILED'], // Tencent's connection to the carrier failed
  ['WTNFAIL', 'ROUTE_FAILED'], // failed on jitter in the carrier's network
]);

interface TencentAccount {
  config: z.infer<typeof tencentConfigSchema>;
  client: SmsClientInstance;
}

/**
 * The account's client: the SDK connects through the guarded agent (the
 * address it connects to is the one checked, and a redirect it follows is
 * checked again); the host is also checked before the call, so a refused
 * destination is classified as such instead of as a connection failure.
 */
async function openAccount(outbound: VendorOutbound, account: VendorAccount): Promise<TencentAccount> {
  const tencent = readAccount(outbound, account);
  await outbound.checkDestination(tencent.config.endpoint);
  return tencent;
}

function readAccount(outbound: VendorOutbound, account: VendorAccount): TencentAccount {
  const config = tencentConfigSchema.safeParse(account.config);
  const secrets = tencentSecretsSchema.safeParse(account.secrets);
  if (!config.success || !secrets.success) {
    throw new VendorError('VENDOR_REJECTED', 'VENDOR_REJECTED', ADAPTER_CODES.configInvalid,
      `account ${account.id} has no valid Tencent config (smsSdkAppId, signName, region, endpoint) or secretId/secretKey`);
  }
  const { scheme, host } = endpointParts(config.data.endpoint);
  const client = new SmsClient({
    credential: secrets.data,
    region: config.data.region,
    profile: {
      httpProfile: {
        endpoint: host, protocol: `${scheme}://`, reqMethod: 'POST', reqTimeout: (config.data.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000,
        agent: outbound.agents.forUrl(config.data.endpoint),
      },
    },
  });
  return { config: config.data, client };
}

/** The SDK's error: `code` when Tencent answered with Response.Error, `httpCode` for another HTTP status, neither for transport. */
interface TencentSdkError {
  message?: unknown;
  code?: unknown;
  httpCode?: unknown;
}

function classifySdkError(error: unknown): VendorError {
  const { message, code, httpCode } = (typeof error === 'object' && error !== null ? error : {}) as TencentSdkError;
  const text = typeof message === 'string' ? message : String(error);
  if (typeof code === 'string' && code.length > 0) return vendorCodeError(TENCENT_CODES, code, text);
  if (typeof httpCode === 'number') {
    const { errorClass, reason } = classifyHttpStatus(httpCode);
    return new VendorError(errorClass, reason, `HTTP_${httpCode}`, text);
  }
  return transportFailure(text);
}

/** Splits `"<TemplateId>:<name1>,<name2>"` into the id and the ordered parameter values. */
export function tencentTemplate(message: OutgoingMessage): { templateId: string; params: string[] } {
  if (!message.vendorTemplateId) {
    throw new VendorError('VENDOR_REJECTED', 'VENDOR_REJECTED', ADAPTER_CODES.templateMissing, 'the template has no Tencent template id (vendorTemplateIds.tencent)');
  }
  const [templateId = '', names = ''] = message.vendorTemplateId.split(':', 2);
  const order = names.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  const missing = order.filter((name) => message.variables[name] === undefined);
  if (missing.length > 0) {
    throw new VendorError('VENDOR_REJECTED', 'VENDOR_REJECTED', ADAPTER_CODES.configInvalid,
      `Tencent template ${templateId} takes variables the message lacks: ${missing.join(', ')}`);
  }
  return { templateId: templateId.trim(), params: order.map((name) => message.variables[name] ?? '') };
}

const sendStatusSchema = z.object({ SerialNo: z.string(), Code: z.string(), Message: z.string() });
const sendAnswerSchema = z.object({ SendStatusSet: z.array(sendStatusSchema).min(1) });

const pulledStatusSchema = z.object({
  SerialNo: z.string(),
  PhoneNumber: z.string(),
  ReportStatus: z.enum(['SUCCESS', 'FAIL']),
  Description: z.string(),
  UserReceiveTime: z.number(),
  /** The SendSms call's SessionContext (Herald's reference), where the app has it enabled. */
  SessionContext: z.string().optional(),
});
const pullAnswerSchema = z.object({ PullSmsSendStatusSet: z.array(pulledStatusSchema) });

/** One entry of Tencent's receipt callback (a JSON array of them). */
const pushedStatusSchema = z.object({
  sid: z.string().min(1),
  mobile: z.string(),
  nationcode: z.string().optional(),
  report_status: z.enum(['SUCCESS', 'FAIL']),
  errmsg: z.string(),
  description: z.string(),
  user_receive_time: z.string(),
});
/** The body Tencent pushes to a receipt URL (also described in the OpenAPI document). */
export const pushBodySchema = z.array(pushedStatusSchema);

function receipt(serialNo: string, receiver: string, success: boolean, code: string, text: string, at: Date | null, reference: string | null = null): VendorReceipt {
  return {
    vendorMessageId: serialNo,
    reference,
    receiver,
    status: success ? 'DELIVERED' : 'UNDELIVERED',
    reason: success ? null : receiptReason(TENCENT_RECEIPT_REASONS, code),
    vendorCode: code,
    vendorText: text,
    deliveredAt: success ? at : null,
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
  const tencent = await openAccount(outbound, account);
  const { templateId, params } = tencentTemplate(message);
  let answer: unknown;
  try {
    answer = await tencent.client.SendSms({
      SmsSdkAppId: tencent.config.smsSdkAppId,
      SignName: tencent.config.signName,
      TemplateId: templateId,
      TemplateParamSet: params,
      PhoneNumberSet: [message.receiver],
      SessionContext: message.reference,
    });
  } catch (error) {
    throw classifySdkError(error);
  }
  // The request succeeded; each number has its own outcome (one number here).
  const [status] = expectAnswer(sendAnswerSchema, answer).SendStatusSet;
  if (!status) throw new VendorError('RETRYABLE', 'UNKNOWN', ADAPTER_CODES.badResponse, 'empty SendStatusSet');
  if (status.Code !== 'Ok') throw vendorCodeError(TENCENT_CODES, status.Code, status.Message);
  return { vendorMessageId: status.SerialNo, vendorCode: status.Code, vendorText: status.Message };
}

/** One SendSms call takes at most this many numbers. */
const TENCENT_BATCH_MAX = 200;
const batchStatusSchema = sendStatusSchema.extend({ PhoneNumber: z.string() });
const batchAnswerSchema = z.object({ SendStatusSet: z.array(batchStatusSchema) });

/**
 * SendSms for many numbers with one TemplateParamSet; each number has its own
 * SendStatusSet entry (matched by PhoneNumber) with its own Code. A request
 * error fails the whole call.
 */
async function sendSmsBatch(outbound: VendorOutbound, account: VendorAccount, messages: OutgoingMessage[]): Promise<BatchOutcome[]> {
  const [first] = messages;
  if (!first) return [];
  const tencent = await openAccount(outbound, account);
  const { templateId, params } = tencentTemplate(first);
  let answer: unknown;
  try {
    answer = await tencent.client.SendSms({
      SmsSdkAppId: tencent.config.smsSdkAppId,
      SignName: tencent.config.signName,
      TemplateId: templateId,
      TemplateParamSet: params,
      PhoneNumberSet: messages.map((message) => message.receiver),
    });
  } catch (error) {
    throw classifySdkError(error);
  }
  const byNumber = new Map<string, z.infer<typeof batchStatusSchema>>();
  for (const status of expectAnswer(batchAnswerSchema, answer).SendStatusSet) byNumber.set(status.PhoneNumber, status);
  return messages.map((message): BatchOutcome => {
    const status = byNumber.get(message.receiver);
    if (!status) return { error: new VendorError('RETRYABLE', 'UNKNOWN', ADAPTER_CODES.badResponse, 'SendStatusSet has no entry for this number') };
    if (status.Code !== 'Ok') return { error: withReceiverMasked(vendorCodeError(TENCENT_CODES, status.Code, status.Message), message.receiver) };
    return { accepted: { vendorMessageId: status.SerialNo, vendorCode: status.Code, vendorText: status.Message } };
  });
}

/** PullSmsSendStatusByPhoneNumber: the receiver's receipts since a little before `sentAt` (read only, unlike PullSmsSendStatus). */
async function pullByNumber(tencent: TencentAccount, receiver: string, sentAt: Date): Promise<VendorReceipt[]> {
  let answer: unknown;
  try {
    answer = await tencent.client.PullSmsSendStatusByPhoneNumber({
      SmsSdkAppId: tencent.config.smsSdkAppId,
      PhoneNumber: receiver,
      BeginTime: Math.floor(sentAt.getTime() / 1000) - PULL_LOOKBACK_SECONDS,
      EndTime: Math.ceil(Date.now() / 1000),
      Offset: 0,
      Limit: PULL_LIMIT,
    });
  } catch (error) {
    throw classifySdkError(error);
  }
  return expectAnswer(pullAnswerSchema, answer).PullSmsSendStatusSet.map((status) =>
    receipt(status.SerialNo, status.PhoneNumber, status.ReportStatus === 'SUCCESS', status.Description, status.Description,
      new Date(status.UserReceiveTime * 1000), status.SessionContext || null));
}

export function createTencentSmsAdapter(outbound: VendorOutbound): VendorAdapter {
  return {
    provider: 'tencent',
    channel: 'SMS',
    configSchema: tencentConfigSchema,
    secretsSchema: tencentSecretsSchema,
    pushAnswer: { result: 0, errmsg: 'OK' },

    async send(account: VendorAccount, message: OutgoingMessage): Promise<VendorAccepted> {
      try {
        return await sendSms(outbound, account, message);
      } catch (error) {
        throw error instanceof VendorError ? withReceiverMasked(error, message.receiver) : error;
      }
    },

    batch: { maxSize: TENCENT_BATCH_MAX, send: (account, messages) => sendSmsBatch(outbound, account, messages) },

    async pullReceipts(account: VendorAccount, sent: SentMessage[]): Promise<VendorReceipt[]> {
      if (sent.length === 0) return [];
      const tencent = await openAccount(outbound, account);
      const wanted = new Set(sent.map((message) => message.vendorMessageId));
      const byReceiver = new Map<string, Date>();
      for (const message of sent) {
        const earliest = byReceiver.get(message.receiver);
        if (!earliest || message.sentAt < earliest) byReceiver.set(message.receiver, message.sentAt);
      }
      const receipts: VendorReceipt[] = [];
      for (const [receiver, sentAt] of byReceiver) {
        for (const pulled of await pullByNumber(tencent, receiver, sentAt)) {
          if (wanted.has(pulled.vendorMessageId)) receipts.push(pulled);
        }
      }
      return receipts;
    },

    /**
     * Tencent has no query for a message it has not reported on: the by-number pull lists the
     * receiver's receipts with each SendSms call's SessionContext (Herald's reference). One with ours
     * means Tencent took the call; none proves nothing yet (the carrier's report may still come), so
     * the send verifies until the template's verify time runs out.
     */
    async findByReference(account: VendorAccount, sent: SentReference): Promise<ReferenceLookup> {
      const tencent = await openAccount(outbound, account);
      const found = (await pullByNumber(tencent, sent.receiver, sent.sentAt)).find((pulled) => pulled.reference === sent.reference);
      if (!found) return { found: 'NOT_YET' };
      return { found: 'ACCEPTED', accepted: { vendorMessageId: found.vendorMessageId, vendorCode: 'Ok', vendorText: 'found by SessionContext' }, receipt: found };
    },

    parsePushedReceipts(body: unknown): VendorReceipt[] {
      return pushBodySchema.parse(body).map((status) => {
        const receiver = status.nationcode ? `+${status.nationcode}${status.mobile}` : status.mobile;
        return receipt(status.sid, receiver, status.report_status === 'SUCCESS', status.errmsg, status.description,
          beijingTimeToDate(status.user_receive_time));
      });
    },
  };
}
