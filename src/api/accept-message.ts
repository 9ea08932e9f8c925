import { createHash, randomUUID } from 'node:crypto';
import type { CountryCode } from 'libphonenumber-js';
import type { Pool } from 'pg';
import type { Config } from '../config';
import { isUniqueViolation } from '../db/unique-violation';
import type { PrismaClient, Template } from '../generated/prisma/client';
import { normaliseReceiver } from '../shared/receivers';
import { countSegments } from '../shared/segments';
import type { Channel } from '../shared/states';
import { renderTemplate } from '../shared/template-render';
import type { Caller } from './caller';
import { HttpError } from './http-error';
import { invalidRequest } from './validate';
import type { LookupCache } from './lookup-cache';
import type { CappedReceiver, ReceiverBurstGuard } from './receiver-burst';
import type { MessageRequest } from './schemas';
import { insertAcceptedMessage, type MessageSendColumns, type SendRowColumns } from './send-rows';
import { assertTemplateSendable } from './template-sendable';
import { findUsableTemplate } from './usable-template';

export interface AcceptedAnswer {
  messageId: string;
  template: string;
  accepted: number;
  sends: Array<{ sendId: string; receiver: string; status: string }>;
  /** Scheduled sends: when they start (ISO, UTC). Absent for sends that start at once. */
  sendAt?: string;
  /** Receivers refused by the anti-bombing cap: valid, not sent, not stored as sends. Absent on a replay. */
  capped?: CappedReceiver[];
}

/** The answer, with the template's channel and the receivers as normalised (in request order) for the request log. */
export interface Acceptance {
  replayed: boolean;
  answer: AcceptedAnswer;
  channel: Channel;
  normalized: string[];
}

/**
 * Turns a valid request into rows: the message, one send per receiver and
 * one outbox row per send, in ONE statement. Nothing is sent or started from
 * here: the outbox relay starts the workflows behind the answer, in batches
 * (src/sending/outbox-relay.ts). A message with at least
 * FAN_OUT_MIN_RECEIVERS sends gets one outbox row for the message instead:
 * its fan-out workflow starts the sends in pages.
 *
 * All or nothing for the caller's mistakes: one invalid receiver or missing
 * variable refuses the whole request. The anti-bombing cap is not a mistake
 * of the caller: capped receivers are left out and listed in the 202
 * (`capped`), the others are accepted; when every receiver is capped the
 * answer is a 429 with `Retry-After`. A replay of the same Idempotency-Key
 * answers what was accepted the first time and counts nothing again.
 */
export async function acceptMessage(
  prisma: PrismaClient,
  pool: Pool,
  config: Config,
  burst: ReceiverBurstGuard,
  caller: Caller,
  request: MessageRequest,
  idempotencyKey: string | null,
  templates: LookupCache<Template>,
): Promise<Acceptance> {
  const sendAt = request.sendAt === undefined ? null : scheduledStart(request.sendAt, config.SCHEDULE_MAX_DAYS, new Date());
  const template = request.templateId
    ? await findUsableTemplate(prisma, { id: request.templateId }, caller.teamId, 'templateId', templates)
    : await findUsableTemplate(prisma, { code: request.templateCode ?? '' }, caller.teamId, 'templateCode', templates);
  assertTemplateSendable(template);

  const variables = Object.fromEntries(Object.entries(request.variables).map(([k, v]) => [k, String(v)]));
  const rendered = renderTemplate(template.content, variables);
  if (!rendered.ok) {
    throw new HttpError(400, 'MISSING_VARIABLES', `missing template variables: ${rendered.missing.join(', ')}`, {
      missing: rendered.missing.map((name) => ({ field: `variables.${name}`, reason: `template ${template.code} uses {${name}}` })),
    });
  }

  const region = config.DEFAULT_PHONE_REGION as CountryCode;
  const channel = template.channel as Channel;
  const receivers = normaliseAll(request.receivers, channel, region);
  const alternates = normaliseAlternates(request.alternates ?? {}, request.receivers, region);
  const requestHash = hashRequest(template.id, request.receivers, variables, sendAt, request.alternates);

  if (idempotencyKey) {
    const earlier = await answerFor(prisma, caller.apiKeyId, idempotencyKey, requestHash, template.code, receivers);
    if (earlier) return { replayed: true, answer: earlier, channel, normalized: receivers };
  }

  const { capped, retryAfterSeconds } = await burst.admit(template.channel, receivers);
  if (capped.length === receivers.length) {
    throw new HttpError(429, 'RECEIVERS_CAPPED', `every receiver got too many messages recently (${capped[0]?.message ?? ''}); nothing was sent`, { capped }, {
      'Retry-After': String(Math.max(1, retryAfterSeconds)),
    });
  }
  const cappedIndexes = new Set(capped.map((c) => c.index));

  const messageId = randomUUID();
  const segments = template.channel === 'SMS' ? countSegments(rendered.text).segments : 1;
  const shared: MessageSendColumns = {
    messageId,
    templateId: template.id,
    channel: template.channel,
    content: rendered.text,
    segments,
    sendAt,
    status: sendAt ? 'SCHEDULED' : 'ACCEPTED',
  };
  const rows = receivers.flatMap((receiver, index): SendRowColumns[] => cappedIndexes.has(index) ? [] : [{
    id: randomUUID(),
    receiver,
    receiverRaw: request.receivers[index] ?? receiver,
    alternates: alternates.get(request.receivers[index] ?? '') ?? null,
  }]);
  const sends = rows.map((row) => ({ ...shared, ...row }));

  const fanOut = sends.length >= config.FAN_OUT_MIN_RECEIVERS;
  try {
    const message = { id: messageId, apiKeyId: caller.apiKeyId, teamId: caller.teamId, templateId: template.id, variables, idempotencyKey, requestHash, receiverCount: sends.length };
    // The wait for a pooled connection is bounded (DATABASE_TRANSACTION_MAX_WAIT_MS, then a 503 that accepted nothing).
    await insertAcceptedMessage(pool, message, shared, rows, fanOut, config.DATABASE_TRANSACTION_MAX_WAIT_MS);
  } catch (error) {
    const raced = idempotencyKey && isUniqueViolation(error);
    if (!raced) throw error;
    const earlier = await answerFor(prisma, caller.apiKeyId, idempotencyKey, requestHash, template.code, receivers);
    if (!earlier) throw error;
    return { replayed: true, answer: earlier, channel, normalized: receivers };
  }

  return {
    replayed: false,
    normalized: receivers,
    answer: {
      messageId,
      template: template.code,
      accepted: sends.length,
      sends: inRequestOrder(sends, receivers).map((s) => ({ sendId: s.id, receiver: s.receiver, status: s.status })),
      ...(sendAt ? { sendAt: sendAt.toISOString() } : {}),
      ...(capped.length > 0 ? { capped } : {}),
    },
    channel,
  };
}

function normaliseAll(raws: string[], channel: Channel, region: CountryCode): string[] {
  const invalid: Array<{ field: string; index: number; raw: string; reason: string }> = [];
  const receivers: string[] = [];
  raws.forEach((raw, index) => {
    const check = normaliseReceiver(raw, channel, region);
    if (check.ok) receivers.push(check.receiver);
    else invalid.push({ field: `receivers[${index}]`, index, raw, reason: `receiver ${check.reason}` });
  });
  if (invalid.length > 0) {
    throw new HttpError(400, 'INVALID_RECEIVERS', `${invalid.length} of ${raws.length} receivers are invalid; nothing was sent`, { invalid });
  }
  return receivers;
}

/**
 * Each receiver's alternates, normalised for their channel, by the receiver as the request gave it; a
 * 400 naming `alternates.<receiver>` (not one of `receivers`) or `alternates.<receiver>.<CHANNEL>`.
 */
function normaliseAlternates(given: NonNullable<MessageRequest['alternates']>, raws: string[], region: CountryCode): Map<string, Record<string, string>> {
  const invalid: Array<{ field: string; reason: string }> = [];
  const byReceiver = new Map<string, Record<string, string>>();
  for (const [raw, channels] of Object.entries(given)) {
    if (!raws.includes(raw)) {
      invalid.push({ field: `alternates.${raw}`, reason: 'not one of receivers (give the receiver exactly as in receivers)' });
      continue;
    }
    const normalised: Record<string, string> = {};
    for (const [channel, alternate] of Object.entries(channels)) {
      if (alternate === undefined) continue;
      const check = normaliseReceiver(alternate, channel as Channel, region);
      if (check.ok) normalised[channel] = check.receiver;
      else invalid.push({ field: `alternates.${raw}.${channel}`, reason: `alternate ${check.reason}` });
    }
    byReceiver.set(raw, normalised);
  }
  if (invalid.length > 0) throw invalidRequest(invalid);
  return byReceiver;
}

/**
 * The start time of a scheduled send: in the future and at most `maxDays`
 * ahead, else a 400 naming `sendAt`.
 */
function scheduledStart(iso: string, maxDays: number, now: Date): Date {
  const at = new Date(iso);
  const latest = new Date(now.getTime() + maxDays * 24 * 3600 * 1000);
  const refuse = (reason: string) => new HttpError(400, 'INVALID_SEND_AT', `sendAt ${reason}`, { field: 'sendAt', reason });
  if (at.getTime() <= now.getTime()) throw refuse(`must be in the future (now is ${now.toISOString()})`);
  if (at.getTime() > latest.getTime()) throw refuse(`must be at most ${maxDays} days ahead, before ${latest.toISOString()} (SCHEDULE_MAX_DAYS)`);
  return at;
}

function hashRequest(
  templateId: string, receivers: string[], variables: Record<string, string>, sendAt: Date | null, alternates: MessageRequest['alternates'],
): string {
  const sortedVariables = Object.fromEntries(Object.entries(variables).sort(([a], [b]) => a.localeCompare(b)));
  // sendAt and alternates only when given, so requests without them hash as they always did.
  const parts: unknown[] = [templateId, receivers, sortedVariables, ...(sendAt ? [sendAt.toISOString()] : []), ...(alternates ? [alternates] : [])];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** The first answer for an Idempotency-Key, or a 409 when the key is reused for a different request. */
async function answerFor(
  prisma: PrismaClient,
  apiKeyId: string,
  idempotencyKey: string,
  requestHash: string,
  templateCode: string,
  receivers: string[],
): Promise<AcceptedAnswer | null> {
  const message = await prisma.message.findUnique({
    where: { apiKeyId_idempotencyKey: { apiKeyId, idempotencyKey } },
    include: { sends: { select: { id: true, receiver: true, status: true, sendAt: true } } },
  });
  if (!message) return null;
  if (message.requestHash !== requestHash) {
    throw new HttpError(409, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request', { field: 'Idempotency-Key' });
  }
  return {
    messageId: message.id,
    template: templateCode,
    accepted: message.sends.length,
    sends: inRequestOrder(message.sends, receivers).map((s) => ({ sendId: s.id, receiver: s.receiver, status: s.status })),
    ...(message.sends[0]?.sendAt ? { sendAt: message.sends[0].sendAt.toISOString() } : {}),
  };
}

/**
 * The order every answer lists sends in, first or replayed: the request's receiver order (a receiver
 * given twice, by send id). Rows of one insert share their created_at, so the database cannot say it.
 */
function inRequestOrder<T extends { id: string; receiver: string }>(sends: T[], receivers: string[]): T[] {
  const position = new Map<string, number>();
  receivers.forEach((receiver, index) => {
    if (!position.has(receiver)) position.set(receiver, index);
  });
  const at = (send: T): number => position.get(send.receiver) ?? receivers.length;
  return [...sends].sort((a, b) => at(a) - at(b) || a.id.localeCompare(b.id));
}
