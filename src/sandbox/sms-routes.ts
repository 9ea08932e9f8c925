/** The vendor API of the sandbox: `POST /v1/sms/send`, `GET /v1/sms/receipts` and `GET /v1/sms/status` (wire format in sandbox-vendor.ts). */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { maskReceiver } from '../shared/mask';
import { answerError, type ErrorAnswer } from './answers';
import type { Fault, FaultKind, FaultSource } from './faults';
import type { ReceiptLogger, ReceiptScheduler } from './receipts';
import { authProblem, SIGNATURE_HEADERS } from './signature';

/** One send the vendor accepted. */
export interface SentRecord {
  to: string;
  content: string;
  templateId: string | null;
  clientRef: string;
  messageId: string;
  at: Date;
  /** Send calls that carried this clientRef and were answered as accepted (a repeat is not sent again). */
  calls: number;
}

export interface SmsRouteDeps {
  credentials: { appKey: string; appSecret: string };
  faults: FaultSource;
  receipts: ReceiptScheduler;
  /** Accepted sends by clientRef, the vendor-side idempotency key. */
  ledger: Map<string, SentRecord>;
  /** Aborted when the vendor closes: held requests are let go. */
  closing: AbortSignal;
  logger: ReceiptLogger;
}

const E164 = /^\+[1-9]\d{6,14}$/;

const sendBodySchema = z.object({
  to: z.string(),
  content: z.string(),
  templateId: z.string().optional(),
  clientRef: z.string().min(1),
});
type SendBody = z.infer<typeof sendBodySchema>;

/** Most receivers one batch call takes. */
export const SANDBOX_BATCH_MAX = 100;

const batchBodySchema = z.object({
  content: z.string(),
  templateId: z.string().optional(),
  messages: z.array(z.object({ to: z.string(), clientRef: z.string().min(1) })).min(1).max(SANDBOX_BATCH_MAX),
});

/** Faults that refuse one receiver, not the call: in a batch call they hit its first receiver. */
const RECEIVER_FAULTS: ReadonlySet<FaultKind> = new Set<FaultKind>(['invalid_number', 'blacklisted', 'unsubscribed']);

/** The answer each send fault stands for ('timeout' holds the request instead). */
const FAULT_ANSWERS: ReadonlyMap<FaultKind, ErrorAnswer> = new Map<FaultKind, ErrorAnswer>([
  ['5xx', { status: 500, code: 'INTERNAL_ERROR', message: 'internal error (injected)' }],
  ['429', { status: 429, code: 'RATE_LIMITED', message: 'too many requests (injected)' }],
  ['auth', { status: 401, code: 'AUTH_FAILED', message: 'authentication failed (injected)' }],
  ['invalid_number', { status: 400, code: 'INVALID_NUMBER', message: 'invalid receiver number (injected)' }],
  ['balance', { status: 402, code: 'INSUFFICIENT_BALANCE', message: 'insufficient balance (injected)' }],
  ['template', { status: 403, code: 'TEMPLATE_NOT_APPROVED', message: 'template not approved (injected)' }],
  ['blacklisted', { status: 403, code: 'BLACKLISTED', message: 'receiver is blacklisted (injected)' }],
  ['unsubscribed', { status: 403, code: 'UNSUBSCRIBED', message: 'receiver unsubscribed (injected)' }],
]);

function rawBodyOf(req: Request): string {
  return Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function authenticate(credentials: SmsRouteDeps['credentials']): RequestHandler {
  return (req, res, next) => {
    const problem = authProblem(
      {
        appKey: req.get(SIGNATURE_HEADERS.appKey),
        timestamp: req.get(SIGNATURE_HEADERS.timestamp),
        nonce: req.get(SIGNATURE_HEADERS.nonce),
        signature: req.get(SIGNATURE_HEADERS.signature),
        rawBody: rawBodyOf(req),
      },
      credentials,
      Math.floor(Date.now() / 1000),
    );
    if (problem) answerError(res, { status: 401, code: 'AUTH_FAILED', message: problem });
    else next();
  };
}

/** The 'timeout' fault: no answer at all, until holdMs passed or the vendor closes. */
async function holdUnanswered(res: Response, holdMs: number, closing: AbortSignal): Promise<void> {
  await sleep(holdMs, undefined, { signal: closing }).catch(() => undefined);
  res.socket?.destroy();
}

const NOT_E164: ErrorAnswer = { status: 400, code: 'INVALID_NUMBER', message: 'receiver is not an E.164 number' };

/** Why the vendor refuses this send, or null when it takes it. */
function refusal(to: string, fault: Fault | null): ErrorAnswer | null {
  const faultAnswer = fault ? FAULT_ANSWERS.get(fault.kind) : undefined;
  if (faultAnswer) return faultAnswer;
  return E164.test(to) ? null : NOT_E164;
}

async function accept(deps: SmsRouteDeps, body: SendBody, fault: Fault | null): Promise<SentRecord> {
  const record: SentRecord = {
    to: body.to,
    content: body.content,
    templateId: body.templateId ?? null,
    clientRef: body.clientRef,
    messageId: `sbx-${randomUUID()}`,
    at: new Date(),
    calls: 0,
  };
  deps.ledger.set(record.clientRef, record);
  deps.logger.info(
    { messageId: record.messageId, clientRef: record.clientRef, to: maskReceiver(record.to) },
    'sandbox sms accepted',
  );
  await deps.receipts.schedule({ messageId: record.messageId, to: record.to, clientRef: record.clientRef }, fault);
  return record;
}

/**
 * A send call's body and the fault it takes; null when it was answered
 * already: a body that does not parse (400), or a timeout fault (held
 * unanswered).
 */
async function readCall<T>(deps: SmsRouteDeps, req: Request, res: Response, schema: z.ZodType<T>): Promise<{ body: T; fault: Fault | null } | null> {
  const body = schema.safeParse(parseJson(rawBodyOf(req)));
  if (!body.success) {
    answerError(res, { status: 400, code: 'BAD_REQUEST', message: z.prettifyError(body.error) });
    return null;
  }
  const fault = deps.faults.next();
  if (fault?.kind === 'timeout') {
    await holdUnanswered(res, fault.timeoutMs, deps.closing);
    return null;
  }
  return { body: body.data, fault };
}

function sendHandler(deps: SmsRouteDeps): RequestHandler {
  return async (req, res) => {
    const call = await readCall(deps, req, res, sendBodySchema);
    if (!call) return;
    const { body, fault } = call;
    const refused = refusal(body.to, fault);
    if (refused) {
      answerError(res, refused);
      return;
    }
    const record = deps.ledger.get(body.clientRef) ?? (await accept(deps, body, fault));
    record.calls += 1;
    if (fault?.kind === 'cut_after_accept') {
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === 'slow_answer') {
      await sleep(fault.timeoutMs, undefined, { signal: deps.closing }).catch(() => undefined);
      if (res.socket?.destroyed !== false) return;
    }
    res.json({ code: 'OK', message: 'accepted', messageId: record.messageId });
  };
}

/**
 * One call for many receivers of one text. The call takes one fault: a
 * receiver fault refuses the first receiver only, any other send fault the
 * whole call; receipt faults apply to every receiver.
 */
function sendBatchHandler(deps: SmsRouteDeps): RequestHandler {
  return async (req, res) => {
    const call = await readCall(deps, req, res, batchBodySchema);
    if (!call) return;
    const { body, fault } = call;
    const receiverFault = fault && RECEIVER_FAULTS.has(fault.kind) ? fault : null;
    const callRefused = fault && !receiverFault ? FAULT_ANSWERS.get(fault.kind) : undefined;
    if (callRefused) {
      answerError(res, callRefused);
      return;
    }
    const { content, templateId } = body;
    const results = [];
    for (const [index, { to, clientRef }] of body.messages.entries()) {
      const refused = refusal(to, index === 0 ? receiverFault : null);
      if (refused) {
        results.push({ to, clientRef, code: refused.code, message: refused.message });
        continue;
      }
      const record = deps.ledger.get(clientRef) ?? (await accept(deps, { to, content, templateId, clientRef }, receiverFault ? null : fault));
      record.calls += 1;
      results.push({ to, clientRef, code: 'OK', message: 'accepted', messageId: record.messageId });
    }
    res.json({ code: 'OK', results });
  };
}

/**
 * `GET /v1/sms/status?clientRef=`: what the vendor knows of the message sent with this clientRef
 * (its status query by the caller's reference): 200 with its messageId and its receipt (null until
 * there is one), or 404 NOT_FOUND when no send with it was accepted.
 */
function statusHandler(deps: SmsRouteDeps): RequestHandler {
  return (req, res) => {
    const clientRef = typeof req.query.clientRef === 'string' ? req.query.clientRef : '';
    const record = deps.ledger.get(clientRef);
    if (!record) {
      answerError(res, { status: 404, code: 'NOT_FOUND', message: 'no message with this clientRef' });
      return;
    }
    res.json({ code: 'OK', messageId: record.messageId, clientRef, receipt: deps.receipts.find([record.messageId])[0] ?? null });
  };
}

function receiptsHandler(receipts: ReceiptScheduler): RequestHandler {
  return (req, res) => {
    const ids = typeof req.query.messageIds === 'string' ? req.query.messageIds.split(',').filter(Boolean) : [];
    res.json({ code: 'OK', receipts: receipts.find(ids) });
  };
}

/** Mount at `/v1/sms`. Every route is signed; the raw body is what the signature covers. */
export function createSmsRouter(deps: SmsRouteDeps): Router {
  const router = express.Router();
  router.use(express.raw({ type: () => true, limit: '64kb' }));
  router.use(authenticate(deps.credentials));
  router.post('/send', sendHandler(deps));
  router.post('/send-batch', sendBatchHandler(deps));
  router.get('/receipts', receiptsHandler(deps.receipts));
  router.get('/status', statusHandler(deps));
  return router;
}
