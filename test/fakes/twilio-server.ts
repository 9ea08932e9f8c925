/**
 * A fake Twilio Programmable Messaging API (2010-04-01) for tests, checking
 * requests as the real one does:
 *
 * - `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`: HTTP basic auth
 *   with the Account SID and Auth Token (401 code 20003 otherwise, and for a
 *   path naming another account); a form-encoded body (a JSON body carries no
 *   parameters, so it lacks `To`: 21604); `To` in E.164 (21211), `From` or
 *   `MessagingServiceSid` (21603), `Body` (21602). Answers 201 with the
 *   Message resource (`sid` SM…, `status` queued), as Twilio does.
 * - `GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json`: the Message
 *   with its current status and error code (the pull Herald falls back to).
 * - Status callbacks: `sent`, then `delivered` (or `undelivered` with the
 *   injected ErrorCode) posted form-encoded to the message's StatusCallback,
 *   signed with X-Twilio-Signature (HMAC-SHA1 of the URL and the sorted
 *   parameters with the Auth Token, computed here independently of the
 *   twilio package Herald checks it with).
 * - `inbound(...)`: a message from a handset to the account's number (STOP),
 *   posted and signed the same way to a URL the test names.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerJson, createFaultQueue, hold, listen, readBody, type Fault, type FaultQueue, type ListeningFake } from './fake-vendor';

const API_VERSION = '2010-04-01';
const MESSAGES_PATH = new RegExp(`^/${API_VERSION}/Accounts/([^/]+)/Messages\\.json$`);
const MESSAGE_PATH = new RegExp(`^/${API_VERSION}/Accounts/([^/]+)/Messages/([^/]+)\\.json$`);
const E164 = /^\+[1-9]\d{6,14}$/;

/** The HTTP status Twilio answers a code with; codes not listed come with 400. */
const CODE_STATUS: ReadonlyMap<string, number> = new Map([
  ['20003', 401],
  ['20404', 404],
  ['20429', 429],
]);

export interface TwilioFakeOptions {
  accountSid: string;
  authToken: string;
  /** Delay of each status callback after the one before it. */
  callbackDelayMs?: number;
}

interface StoredMessage {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  status: string;
  errorCode: number | null;
  statusCallback: string | null;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface TwilioFake extends ListeningFake {
  faults: FaultQueue;
  /** The form parameters of every Messages create that passed authentication. */
  createRequests: Array<Record<string, string>>;
  /** Every request: method, path, the Twilio error code answered (null: success). */
  calls: Array<{ method: string; path: string; errorCode: string | null }>;
  /** Every status callback posted: its URL, form, and Herald's answer. */
  callbacks: Array<{ url: string; form: Record<string, string>; status: number }>;
  /** Signs `form` for `url` as Twilio does (X-Twilio-Signature). */
  sign(url: string, form: Record<string, string>): string;
  /** A message from `from` to the account's number, posted signed to `url` (Herald's receipt URL); Herald's HTTP status. */
  inbound(url: string, message: { from: string; to: string; body: string; optOutType?: string }): Promise<number>;
}

class TwilioError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function twilioTime(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

export async function startTwilioFake(options: TwilioFakeOptions): Promise<TwilioFake> {
  const faults = createFaultQueue();
  const messages = new Map<string, StoredMessage>();
  const createRequests: TwilioFake['createRequests'] = [];
  const calls: TwilioFake['calls'] = [];
  const callbacks: TwilioFake['callbacks'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const delayMs = options.callbackDelayMs ?? 50;

  function sign(url: string, form: Record<string, string>): string {
    const data = Object.keys(form).sort().reduce((text, key) => text + key + form[key], url);
    return createHmac('sha1', options.authToken).update(Buffer.from(data, 'utf8')).digest('base64');
  }

  async function post(url: string, form: Record<string, string>): Promise<number> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(url, form), 'i-twilio-idempotency-token': randomUUID() },
        body: new URLSearchParams(form).toString(),
      });
      await response.text();
      return response.status;
    } catch {
      return 0;
    }
  }

  function resource(message: StoredMessage): Record<string, unknown> {
    return {
      sid: message.sid, account_sid: options.accountSid, api_version: API_VERSION, to: message.to, from: message.from,
      messaging_service_sid: message.messagingServiceSid, body: message.body, status: message.status,
      error_code: message.errorCode, error_message: message.errorCode === null ? null : `error ${message.errorCode}`,
      num_segments: '1', num_media: '0', direction: 'outbound-api', price: null, price_unit: 'USD',
      date_created: twilioTime(message.dateCreated), date_updated: twilioTime(message.dateUpdated), date_sent: null,
      uri: `/${API_VERSION}/Accounts/${options.accountSid}/Messages/${message.sid}.json`, subresource_uris: {},
    };
  }

  /** Moves the message to `status` and posts the callback, if it asked for one. */
  async function report(message: StoredMessage, status: string, fault: Fault | null): Promise<void> {
    message.status = status;
    message.dateUpdated = new Date();
    if (status === 'undelivered' && fault?.kind === 'undelivered') message.errorCode = Number(fault.code);
    if (!message.statusCallback || fault?.kind === 'lost_receipt') return;
    const form: Record<string, string> = {
      AccountSid: options.accountSid, ApiVersion: API_VERSION, From: message.from ?? '', To: message.to,
      MessageSid: message.sid, SmsSid: message.sid, MessageStatus: status, SmsStatus: status,
      ...(message.messagingServiceSid ? { MessagingServiceSid: message.messagingServiceSid } : {}),
      ...(message.errorCode === null ? {} : { ErrorCode: String(message.errorCode) }),
    };
    callbacks.push({ url: message.statusCallback, form, status: await post(message.statusCallback, form) });
  }

  function later(ms: number, action: () => Promise<void>): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void action();
    }, ms);
    timers.add(timer);
  }

  function authenticate(req: IncomingMessage, pathAccount: string): void {
    const [scheme, encoded = ''] = (req.headers.authorization ?? '').split(' ');
    const [user, ...rest] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
    if (scheme !== 'Basic' || user !== options.accountSid || rest.join(':') !== options.authToken || pathAccount !== options.accountSid) {
      throw new TwilioError(401, '20003', 'Authenticate');
    }
  }

  async function create(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const isForm = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const form = Object.fromEntries(isForm ? new URLSearchParams(raw) : new URLSearchParams());
    createRequests.push(form);
    const fault = faults.next();
    if (fault?.kind === 'timeout') {
      await hold(res, fault.ms);
      return;
    }
    if (fault?.kind === 'http_status') throw new TwilioError(fault.status, String(20000 + fault.status), `injected HTTP ${fault.status}`);
    if (fault?.kind === 'code') throw new TwilioError(CODE_STATUS.get(fault.code) ?? 400, fault.code, `injected ${fault.code}`);
    if (!form.To) throw new TwilioError(400, '21604', "A 'To' phone number is required.");
    if (!E164.test(form.To)) throw new TwilioError(400, '21211', `The 'To' number ${form.To} is not a valid phone number.`);
    if (!form.From && !form.MessagingServiceSid) throw new TwilioError(400, '21603', "A 'From' phone number is required.");
    if (!form.Body) throw new TwilioError(400, '21602', 'Message body is required.');
    const message: StoredMessage = {
      sid: `SM${randomBytes(16).toString('hex')}`, to: form.To, from: form.From ?? null, messagingServiceSid: form.MessagingServiceSid ?? null,
      body: form.Body, status: 'queued', errorCode: null, statusCallback: form.StatusCallback ?? null, dateCreated: new Date(), dateUpdated: new Date(),
    };
    messages.set(message.sid, message);
    answerJson(res, 201, resource(message));
    if (fault?.kind === 'no_receipt') return;
    const final = fault?.kind === 'undelivered' ? 'undelivered' : 'delivered';
    const wait = fault?.kind === 'slow_receipt' ? fault.delayMs : delayMs;
    later(wait, async () => {
      await report(message, 'sent', fault);
      later(wait, () => report(message, final, fault));
    });
  }

  function fetchMessage(sid: string, res: ServerResponse): void {
    const message = messages.get(sid);
    if (!message) throw new TwilioError(404, '20404', `The requested resource /${API_VERSION}/Accounts/${options.accountSid}/Messages/${sid}.json was not found`);
    answerJson(res, 200, resource(message));
  }

  const listening = await listen(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    try {
      const created = MESSAGES_PATH.exec(path);
      const fetched = MESSAGE_PATH.exec(path);
      if (method === 'POST' && created) {
        authenticate(req, created[1] ?? '');
        await create(req, res);
      } else if (method === 'GET' && fetched) {
        authenticate(req, fetched[1] ?? '');
        fetchMessage(fetched[2] ?? '', res);
      } else {
        throw new TwilioError(404, '20404', `The requested resource ${path} was not found`);
      }
      calls.push({ method, path, errorCode: null });
    } catch (error) {
      if (!(error instanceof TwilioError)) throw error;
      calls.push({ method, path, errorCode: error.code });
      answerJson(res, error.status, { code: Number(error.code), message: error.message, more_info: `https://www.twilio.com/docs/errors/${error.code}`, status: error.status });
    }
  }, () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  });

  return {
    ...listening,
    faults,
    createRequests,
    calls,
    callbacks,
    sign,
    inbound(url, message) {
      return post(url, {
        AccountSid: options.accountSid, ApiVersion: API_VERSION, MessageSid: `SM${randomBytes(16).toString('hex')}`, SmsStatus: 'received',
        From: message.from, To: message.to, Body: message.body, NumSegments: '1', NumMedia: '0',
        ...(message.optOutType ? { OptOutType: message.optOutType } : {}),
      });
    },
  };
}
