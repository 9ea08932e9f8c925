/**
 * A fake Tencent Cloud SMS API (2021-01-11) for tests, speaking the wire
 * format of SendSms, PullSmsSendStatusByPhoneNumber
 * (https://www.tencentcloud.com/document/api/382/40518) and the receipt
 * callback (https://www.tencentcloud.com/document/product/382/43547).
 *
 * Every call is `POST /` with JSON, `X-TC-Action`, `X-TC-Timestamp`,
 * `X-TC-Version` and an `Authorization` header signed with TC3-HMAC-SHA256,
 * which the fake recomputes with the secret key of the SecretId: an unknown
 * SecretId answers AuthFailure.SecretIdNotFound, a wrong signature
 * AuthFailure.SignatureFailure, a timestamp more than 5 minutes off
 * AuthFailure.SignatureExpire. As at Tencent, the signed service name is the
 * first label of the host the client called (so `127` for 127.0.0.1).
 *
 * Answers are HTTP 200 `{"Response": {..., "RequestId"}}`; request errors
 * are `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`; per-number
 * outcomes of SendSms are in SendStatusSet[].Code ("Ok" when accepted).
 * SendSms takes up to 200 numbers in PhoneNumberSet with one TemplateParamSet
 * (a batch): `rejectNumber` makes one number of it fail with its own code.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { beijingTime } from '../../src/vendors/beijing-time';
import {
  answerAccepted, answerJson, createFaultQueue, createReceiptBook, hold, listen, readBody,
  type FakeReceipt, type Fault, type FaultQueue, type ListeningFake, type ReceiptBook,
} from './fake-vendor';

/** Codes Tencent reports per number inside SendStatusSet rather than as a request error. */
const PER_NUMBER_CODES = new Set([
  'InvalidParameterValue.IncorrectPhoneNumber', 'FailedOperation.PhoneNumberInBlacklist', 'FailedOperation.PhoneNumberParseFail',
  'LimitExceeded.PhoneNumberDailyLimit', 'LimitExceeded.PhoneNumberOneHourLimit', 'LimitExceeded.PhoneNumberThirtySecondLimit',
  'FailedOperation.InsufficientBalanceInSmsPackage',
]);

const MAX_CLOCK_SKEW_SECONDS = 300;
/** SendSms's documented limit on PhoneNumberSet. */
const MAX_NUMBERS_PER_CALL = 200;

export interface TencentFakeOptions {
  secretId: string;
  secretKey: string;
  smsSdkAppId: string;
  receiptDelayMs?: number;
  /** Where receipts are pushed (Herald's /v1/receipts/tencent); settable later. */
  callbackUrl?: string | null;
}

export interface TencentFake extends ListeningFake {
  faults: FaultQueue;
  receipts: ReceiptBook;
  /** Every SendSms request body that passed the signature check. */
  sendRequests: Array<Record<string, unknown>>;
  /** Every action that was called, in order, with the error code answered (null when it succeeded). */
  calls: Array<{ action: string; errorCode: string | null }>;
  setCallbackUrl(url: string | null): void;
  /** From now on this number's entry in SendStatusSet carries `code` (a per-number refusal). */
  rejectNumber(phone: string, code: string): void;
}

class TencentError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

/** Recomputes the TC3-HMAC-SHA256 signature of a request; throws the AuthFailure Tencent would answer. */
function verifyTc3(req: IncomingMessage, body: string, secrets: ReadonlyMap<string, string>): void {
  const authorization = req.headers.authorization ?? '';
  const match = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!match) throw new TencentError('AuthFailure.InvalidAuthorization', 'Authorization header is not TC3-HMAC-SHA256');
  const [, secretId = '', date = '', service = '', signedHeaders = '', signature = ''] = match;
  const secretKey = secrets.get(secretId);
  if (secretKey === undefined) throw new TencentError('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
  const timestamp = Number(req.headers['x-tc-timestamp']);
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > MAX_CLOCK_SKEW_SECONDS) {
    throw new TencentError('AuthFailure.SignatureExpire', 'Signature expired.');
  }
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (date !== new Date(timestamp * 1000).toISOString().slice(0, 10) || service !== host.split('.')[0]) {
    throw new TencentError('AuthFailure.SignatureFailure', 'The credential scope does not match the request.');
  }
  const headerValues: Record<string, string> = { 'content-type': req.headers['content-type'] ?? '', host };
  const canonicalHeaders = signedHeaders.split(';').map((name) => `${name}:${headerValues[name] ?? String(req.headers[name] ?? '')}\n`).join('');
  const canonicalRequest = ['POST', req.url?.split('?')[0] ?? '/', req.url?.split('?')[1] ?? '', canonicalHeaders, signedHeaders, sha256Hex(body)].join('\n');
  const stringToSign = ['TC3-HMAC-SHA256', String(timestamp), `${date}/${service}/tc3_request`, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${secretKey}`, date), service), 'tc3_request');
  const expected = hmac(signingKey, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    throw new TencentError('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
  }
}

function nationalParts(phone: string): { nationcode: string; mobile: string } {
  return phone.startsWith('+86') ? { nationcode: '86', mobile: phone.slice(3) } : { nationcode: '', mobile: phone.replace(/^\+/, '') };
}

/** Tencent's callback format: a JSON array, one entry per report. */
export function tencentPushBody(receipts: FakeReceipt[]): unknown {
  return receipts.map((receipt) => ({
    user_receive_time: beijingTime(receipt.reportedAt),
    ...nationalParts(receipt.phone),
    report_status: receipt.success ? 'SUCCESS' : 'FAIL',
    errmsg: receipt.code,
    description: receipt.text,
    sid: receipt.messageId,
  }));
}

export async function startTencentFake(options: TencentFakeOptions): Promise<TencentFake> {
  const secrets = new Map([[options.secretId, options.secretKey]]);
  let callbackUrl = options.callbackUrl ?? null;
  const faults = createFaultQueue();
  const receipts = createReceiptBook({ delayMs: options.receiptDelayMs ?? 100, callbackUrl: () => callbackUrl, toPushBody: tencentPushBody });
  const sendRequests: TencentFake['sendRequests'] = [];
  const calls: TencentFake['calls'] = [];
  const rejectedNumbers = new Map<string, string>();

  function answer(res: ServerResponse, result: Record<string, unknown>): void {
    answerJson(res, 200, { Response: { ...result, RequestId: randomUUID() } });
  }

  async function sendSms(body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    sendRequests.push(body);
    const phones = Array.isArray(body.PhoneNumberSet) ? body.PhoneNumberSet.map(String) : [];
    if (body.SmsSdkAppId !== options.smsSdkAppId) throw new TencentError('InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId not exist.');
    if (phones.length === 0) throw new TencentError('InvalidParameter', 'PhoneNumberSet is empty.');
    if (phones.length > MAX_NUMBERS_PER_CALL) throw new TencentError('LimitExceeded.PhoneNumberCountLimit', 'PhoneNumberSet holds more than 200 numbers.');
    const sessionContext = typeof body.SessionContext === 'string' ? body.SessionContext : '';
    const fault = faults.next();
    if (fault?.kind === 'timeout') return hold(res, fault.ms);
    if (fault?.kind === 'http_status') {
      res.writeHead(fault.status, { 'content-type': 'text/plain' }).end('upstream failure');
      return;
    }
    if (fault?.kind === 'code' && !PER_NUMBER_CODES.has(fault.code)) throw new TencentError(fault.code, `injected ${fault.code}`);
    const statuses: Array<Record<string, unknown>> = [];
    for (const phone of phones) {
      const rejectedWith = rejectedNumbers.get(phone);
      if (fault?.kind === 'code' || rejectedWith !== undefined || !/^\+\d{6,15}$/.test(phone)) {
        const code = fault?.kind === 'code' ? fault.code : rejectedWith ?? 'InvalidParameterValue.IncorrectPhoneNumber';
        statuses.push({ SerialNo: '', PhoneNumber: phone, Fee: 0, SessionContext: sessionContext, Code: code, Message: `injected ${code}`, IsoCode: '' });
        continue;
      }
      const serialNo = `2433:${randomUUID().replace(/-/g, '')}`;
      const undelivered = fault?.kind === 'undelivered' ? fault.code : null;
      await receipts.schedule({
        messageId: serialNo, phone, outId: sessionContext, sentAt: new Date(),
        success: undelivered === null, code: undelivered ?? 'DELIVRD', text: undelivered === null ? '用户短信送达成功' : '用户短信送达失败',
      }, fault);
      statuses.push({ SerialNo: serialNo, PhoneNumber: phone, Fee: 1, SessionContext: sessionContext, Code: 'Ok', Message: 'send success', IsoCode: 'CN' });
    }
    await answerAccepted(res, fault, () => answer(res, { SendStatusSet: statuses }));
  }

  function pullByPhoneNumber(body: Record<string, unknown>, res: ServerResponse): void {
    if (body.SmsSdkAppId !== options.smsSdkAppId) throw new TencentError('InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId not exist.');
    const begin = Number(body.BeginTime) * 1000;
    const end = body.EndTime === undefined ? Infinity : Number(body.EndTime) * 1000;
    const limit = Number(body.Limit);
    if (!Number.isFinite(begin) || !(limit > 0 && limit <= 100)) throw new TencentError('InvalidParameter', 'BeginTime and Limit (1..100) are required.');
    const found = receipts.existing()
      .filter((receipt) => receipt.phone === body.PhoneNumber && receipt.sentAt.getTime() >= begin && receipt.sentAt.getTime() <= end)
      .slice(0, limit)
      .map((receipt) => {
        const { nationcode, mobile } = nationalParts(receipt.phone);
        return {
          UserReceiveTime: Math.floor(receipt.reportedAt.getTime() / 1000), CountryCode: nationcode, SubscriberNumber: mobile,
          PhoneNumber: receipt.phone, SerialNo: receipt.messageId, ReportStatus: receipt.success ? 'SUCCESS' : 'FAIL',
          Description: receipt.code, SessionContext: receipt.outId,
        };
      });
    answer(res, { PullSmsSendStatusSet: found });
  }

  const listening = await listen(async (req, res) => {
    const raw = await readBody(req);
    const action = String(req.headers['x-tc-action'] ?? '');
    try {
      if (req.method !== 'POST') throw new TencentError('UnsupportedOperation', 'Only POST is served by this fake.');
      verifyTc3(req, raw, secrets);
      if (req.headers['x-tc-version'] !== '2021-01-11') throw new TencentError('InvalidParameter', 'X-TC-Version must be 2021-01-11.');
      const body = JSON.parse(raw) as Record<string, unknown>;
      if (action === 'SendSms') await sendSms(body, res);
      else if (action === 'PullSmsSendStatusByPhoneNumber') pullByPhoneNumber(body, res);
      else throw new TencentError('InvalidAction', `The action ${action} is not served by this fake.`);
      calls.push({ action, errorCode: null });
    } catch (error) {
      if (!(error instanceof TencentError)) throw error;
      calls.push({ action, errorCode: error.code });
      answer(res, { Error: { Code: error.code, Message: error.message } });
    }
  }, () => receipts.close());

  return {
    ...listening,
    faults,
    receipts,
    sendRequests,
    calls,
    setCallbackUrl(url) {
      callbackUrl = url;
    },
    rejectNumber(phone, code) {
      rejectedNumbers.set(phone, code);
    },
  };
}

export type { Fault };
