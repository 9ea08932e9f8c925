/**
 * A fake Aliyun SMS API (Dysmsapi 2017-05-25) for tests: SendSms,
 * QuerySendDetails and the SmsReport HTTP push, in the wire format the
 * official SDK (@alicloud/openapi-core) speaks: RPC parameters in the query
 * string of `POST /`, `x-acs-action`, `x-acs-version`, `x-acs-date`,
 * `x-acs-signature-nonce`, `x-acs-content-sha256` and an `Authorization`
 * header signed with ACS3-HMAC-SHA256 (Aliyun's V3 request signature),
 * which the fake recomputes with the AccessKey secret:
 * an unknown AccessKeyId answers 404 InvalidAccessKeyId.NotFound, a wrong
 * signature or payload hash 400 SignatureDoesNotMatch, a reused nonce 400
 * SignatureNonceUsed, a date more than 15 minutes off 400 InvalidTimeStamp.Expired.
 *
 * SendBatchSms (TemplateCode and OutId in the query; PhoneNumberJson,
 * SignNameJson, TemplateParamJson in a form body: JSON arrays of one length, at most 100 numbers) answers
 * one Code and one BizId for the whole call; its receipts carry that BizId
 * and each number.
 *
 * Business refusals (isv.*) are HTTP 200 with their Code in the body, as
 * Aliyun answers them; throttling is 400 Throttling.User.
 */
import { createHash, createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { beijingDay, beijingTime } from '../../src/vendors/beijing-time';
import {
  answerAccepted, answerJson, createFaultQueue, createReceiptBook, hold, listen, readBody,
  type FakeReceipt, type Fault, type FaultQueue, type ListeningFake, type ReceiptBook,
} from './fake-vendor';

const MAX_CLOCK_SKEW_MS = 15 * 60_000;
/** SendBatchSms's documented limit on PhoneNumberJson. */
const MAX_BATCH_NUMBERS = 100;

/** The HTTP status Aliyun answers a code with; codes not listed come with 200. */
const CODE_STATUS: ReadonlyMap<string, number> = new Map([
  ['InvalidAccessKeyId.NotFound', 404],
  ['SignatureDoesNotMatch', 400],
  ['Throttling.User', 400],
  ['isp.SYSTEM_ERROR', 200],
]);

export interface AliyunFakeOptions {
  accessKeyId: string;
  accessKeySecret: string;
  receiptDelayMs?: number;
  callbackUrl?: string | null;
}

interface SentRecord {
  bizId: string;
  phone: string;
  sentAt: Date;
  templateCode: string;
  outId: string;
}

export interface AliyunFake extends ListeningFake {
  faults: FaultQueue;
  receipts: ReceiptBook;
  /** The query parameters of every SendSms that passed the signature check. */
  sendRequests: Array<Record<string, string>>;
  /** The query parameters of every SendBatchSms that passed the signature check. */
  batchRequests: Array<Record<string, string>>;
  calls: Array<{ action: string; errorCode: string | null }>;
  setCallbackUrl(url: string | null): void;
}

class AliyunError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** RFC 3986 encoding as the signature's canonical query string uses it. */
function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Recomputes the ACS3-HMAC-SHA256 signature; throws the error Aliyun would answer. */
function verifyAcs3(req: IncomingMessage, body: string, query: URLSearchParams, secrets: ReadonlyMap<string, string>, nonces: Set<string>): void {
  const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? '');
  if (!match) throw new AliyunError(400, 'IncompleteSignature', 'The Authorization header is not ACS3-HMAC-SHA256.');
  const [, accessKeyId = '', signedHeaders = '', signature = ''] = match;
  const secret = secrets.get(accessKeyId);
  if (secret === undefined) throw new AliyunError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  const date = Date.parse(String(req.headers['x-acs-date'] ?? ''));
  if (!Number.isFinite(date) || Math.abs(Date.now() - date) > MAX_CLOCK_SKEW_MS) {
    throw new AliyunError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
  }
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('x-acs-date') || !names.includes('x-acs-signature-nonce') || !names.includes('x-acs-content-sha256')) {
    throw new AliyunError(400, 'SignatureDoesNotMatch', 'Required headers are not signed.');
  }
  const payloadHash = sha256Hex(body);
  if (req.headers['x-acs-content-sha256'] !== payloadHash) throw new AliyunError(400, 'SignatureDoesNotMatch', 'The payload hash does not match the body.');
  const canonicalQuery = [...query.keys()].sort().map((key) => `${key}=${percentEncode(query.get(key) ?? '')}`).join('&');
  const canonicalHeaders = names.map((name) => `${name}:${String(req.headers[name] ?? '').trim()}\n`).join('');
  const canonicalRequest = ['POST', req.url?.split('?')[0] ?? '/', canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const expected = createHmac('sha256', secret).update(`ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    throw new AliyunError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
  }
  const nonce = String(req.headers['x-acs-signature-nonce'] ?? '');
  if (nonces.has(nonce)) throw new AliyunError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  nonces.add(nonce);
}

/** Numbers as Aliyun writes them: mainland without +86, others without `+`. */
function aliyunPhone(e164: string): string {
  return e164.startsWith('+86') ? e164.slice(3) : e164.replace(/^\+/, '');
}

/** Aliyun's SmsReport push: a JSON array, one entry per report. */
export function aliyunPushBody(receipts: FakeReceipt[]): unknown {
  return receipts.map((receipt) => ({
    phone_number: aliyunPhone(receipt.phone),
    send_time: beijingTime(receipt.sentAt),
    report_time: beijingTime(receipt.reportedAt),
    success: receipt.success,
    err_code: receipt.code,
    err_msg: receipt.text,
    sms_size: '1',
    biz_id: receipt.messageId,
    out_id: receipt.outId,
  }));
}

export async function startAliyunFake(options: AliyunFakeOptions): Promise<AliyunFake> {
  const secrets = new Map([[options.accessKeyId, options.accessKeySecret]]);
  const nonces = new Set<string>();
  let callbackUrl = options.callbackUrl ?? null;
  const faults = createFaultQueue();
  const receipts = createReceiptBook({ delayMs: options.receiptDelayMs ?? 100, callbackUrl: () => callbackUrl, toPushBody: aliyunPushBody });
  const sent: SentRecord[] = [];
  const sendRequests: AliyunFake['sendRequests'] = [];
  const batchRequests: AliyunFake['batchRequests'] = [];
  const calls: AliyunFake['calls'] = [];

  function answer(res: ServerResponse, result: Record<string, unknown>): void {
    answerJson(res, 200, { RequestId: randomUUID(), ...result });
  }

  /** The fault of a send call that refuses it before anything is checked; 'timeout' holds it (resolves true). */
  async function refusedByFault(fault: Fault | null, res: ServerResponse): Promise<boolean> {
    if (fault?.kind === 'timeout') {
      await hold(res, fault.ms);
      return true;
    }
    if (fault?.kind === 'http_status') {
      throw new AliyunError(fault.status, fault.status >= 500 ? 'ServiceUnavailable' : 'InvalidParameter', `injected HTTP ${fault.status}`);
    }
    if (fault?.kind === 'code') throw new AliyunError(CODE_STATUS.get(fault.code) ?? 200, fault.code, `injected ${fault.code}`);
    return false;
  }

  function checkPhone(phone: string): void {
    if (!/^(1\d{10}|[2-9]\d{6,14})$/.test(phone)) throw new AliyunError(200, 'isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
  }

  function checkTemplateParam(json: unknown): void {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new AliyunError(200, 'isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
  }

  function parseJsonParam(text: string | undefined, fallback: string): unknown {
    try {
      return JSON.parse(text ?? fallback) as unknown;
    } catch {
      throw new AliyunError(200, 'isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
    }
  }

  /** Records one accepted number and schedules its receipt. */
  async function accept(bizId: string, phone: string, templateCode: string, outId: string, fault: Fault | null): Promise<void> {
    const e164 = phone.startsWith('1') && phone.length === 11 ? `+86${phone}` : `+${phone}`;
    const record: SentRecord = { bizId, phone: e164, sentAt: new Date(), templateCode, outId };
    sent.push(record);
    const undelivered = fault?.kind === 'undelivered' ? fault.code : null;
    await receipts.schedule({
      messageId: bizId, phone: e164, outId, sentAt: record.sentAt,
      success: undelivered === null, code: undelivered ?? 'DELIVERED', text: undelivered === null ? '用户接收成功' : '用户接收失败',
    }, fault);
  }

  function newBizId(): string {
    return `${randomInt(100_000_000, 999_999_999)}${Date.now()}^0`;
  }

  async function sendSms(params: Record<string, string>, res: ServerResponse): Promise<void> {
    sendRequests.push(params);
    const fault = faults.next();
    if (await refusedByFault(fault, res)) return;
    const phone = params.PhoneNumbers ?? '';
    checkPhone(phone);
    if (!params.SignName) throw new AliyunError(200, 'isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    if (!params.TemplateCode) throw new AliyunError(200, 'isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    checkTemplateParam(parseJsonParam(params.TemplateParam, '{}'));
    const bizId = newBizId();
    await accept(bizId, phone, params.TemplateCode, params.OutId ?? '', fault);
    await answerAccepted(res, fault, () => answer(res, { Code: 'OK', Message: 'OK', BizId: bizId }));
  }

  async function sendBatchSms(params: Record<string, string>, res: ServerResponse): Promise<void> {
    batchRequests.push(params);
    const fault = faults.next();
    if (await refusedByFault(fault, res)) return;
    const phones = parseJsonParam(params.PhoneNumberJson, 'null');
    const signs = parseJsonParam(params.SignNameJson, 'null');
    const templateParams = parseJsonParam(params.TemplateParamJson, '[]');
    if (!Array.isArray(phones) || !Array.isArray(signs) || !Array.isArray(templateParams)) {
      throw new AliyunError(400, 'MissingParameter', 'PhoneNumberJson, SignNameJson and TemplateParamJson must be JSON arrays.');
    }
    if (phones.length === 0 || phones.length > MAX_BATCH_NUMBERS) throw new AliyunError(200, 'isv.PARAM_LENGTH_LIMIT', '参数超出长度限制');
    if (signs.length !== phones.length || (templateParams.length > 0 && templateParams.length !== phones.length)) {
      throw new AliyunError(200, 'isv.INVALID_PARAMETERS', 'PhoneNumberJson, SignNameJson and TemplateParamJson differ in length.');
    }
    phones.forEach((phone) => checkPhone(String(phone)));
    if (signs.some((sign) => typeof sign !== 'string' || sign === '')) throw new AliyunError(200, 'isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    if (!params.TemplateCode) throw new AliyunError(200, 'isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    templateParams.forEach(checkTemplateParam);
    const bizId = newBizId();
    for (const phone of phones) await accept(bizId, String(phone), params.TemplateCode, params.OutId ?? '', fault);
    answer(res, { Code: 'OK', Message: 'OK', BizId: bizId });
  }

  function querySendDetails(params: Record<string, string>, res: ServerResponse): void {
    const { PhoneNumber, SendDate, BizId, PageSize, CurrentPage } = params;
    if (!PhoneNumber || !SendDate || !PageSize || !CurrentPage) throw new AliyunError(400, 'MissingParameter', 'PhoneNumber, SendDate, PageSize and CurrentPage are required.');
    const reports = receipts.existing();
    const details = sent
      .filter((record) => aliyunPhone(record.phone) === PhoneNumber && beijingDay(record.sentAt) === SendDate && (!BizId || record.bizId === BizId))
      .map((record) => {
        const report = reports.find((r) => r.messageId === record.bizId && r.phone === record.phone);
        return {
          PhoneNum: PhoneNumber, TemplateCode: record.templateCode, Content: '', OutId: record.outId,
          SendDate: beijingTime(record.sentAt),
          SendStatus: report ? (report.success ? 3 : 2) : 1,
          ErrCode: report ? report.code : '',
          ReceiveDate: report ? beijingTime(report.reportedAt) : '',
        };
      });
    answer(res, { Code: 'OK', Message: 'OK', TotalCount: String(details.length), SmsSendDetailDTOs: { SmsSendDetailDTO: details } });
  }

  const listening = await listen(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const action = String(req.headers['x-acs-action'] ?? '');
    try {
      verifyAcs3(req, raw, url.searchParams, secrets, nonces);
      if (req.headers['x-acs-version'] !== '2017-05-25') throw new AliyunError(400, 'InvalidVersion', 'x-acs-version must be 2017-05-25.');
      // RPC parameters come in the query; SendBatchSms's JSON arrays in a form body (covered by the payload hash).
      const form = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(raw) : new URLSearchParams();
      const params = { ...Object.fromEntries(url.searchParams), ...Object.fromEntries(form) };
      if (action === 'SendSms') await sendSms(params, res);
      else if (action === 'SendBatchSms') await sendBatchSms(params, res);
      else if (action === 'QuerySendDetails') querySendDetails(params, res);
      else throw new AliyunError(404, 'InvalidAction.NotFound', `The action ${action} is not served by this fake.`);
      calls.push({ action, errorCode: null });
    } catch (error) {
      if (!(error instanceof AliyunError)) throw error;
      calls.push({ action, errorCode: error.code });
      answerJson(res, error.status, { RequestId: randomUUID(), Code: error.code, Message: error.message });
    }
  }, () => receipts.close());

  return {
    ...listening,
    faults,
    receipts,
    sendRequests,
    batchRequests,
    calls,
    setCallbackUrl(url) {
      callbackUrl = url;
    },
  };
}
