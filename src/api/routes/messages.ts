import type { CountryCode } from 'libphonenumber-js';
import { acceptedAnswerSchema, messageAnswerSchema, type AnswerOf } from '../answers';
import { acceptMessage } from '../accept-message';
import { callerOf, logFacts } from '../caller';
import { HttpError } from '../http-error';
import { ok, SEND } from '../openapi/access';
import { route, type ApiRoute } from '../route';
import { idempotencyKeySchema, idParamSchema, messageRequestSchema } from '../schemas';
import { parseOr400 } from '../validate';
import { receiverSearchKey, searchKeyOfNormalised } from '../../shared/receivers';
import { escapeNul } from '../../shared/variable-rules';
import { describeMessage, describeSend } from './send-view';

/** Messages: send a template to receivers, read a message with its sends. */
export const messageRoutes: ApiRoute[] = [
  route({
    method: 'post',
    path: '/v1/messages',
    tag: 'messages',
    summary: 'Send a template to receivers',
    description: 'One send (a durable workflow) per receiver. All or nothing for the caller’s mistakes. With `Idempotency-Key`, a repeat answers what was accepted the first time.',
    access: SEND,
    headers: { 'Idempotency-Key': { schema: idempotencyKeySchema, description: 'makes a retried request harmless (per API key)' } },
    body: messageRequestSchema,
    answers: { 202: { description: 'accepted (or replayed); receivers refused by the burst cap are listed in `capped`', schema: acceptedAnswerSchema } },
    errors: {
      400: 'INVALID_RECEIVERS: a receiver is not a phone number / e-mail / chat id (details.invalid); MISSING_VARIABLES: a placeholder has no value',
      404: 'TEMPLATE_NOT_FOUND: no such template in your team',
      409: 'TEMPLATE_NOT_APPROVED, TEMPLATE_DISABLED, TEMPLATE_NOT_ACTIVE, TEMPLATE_MISCONFIGURED: the template cannot send; IDEMPOTENCY_KEY_REUSED: the key was used for a different request',
      413: 'TOO_MANY_RECEIVERS: more than MAX_RECEIVERS_PER_REQUEST receivers',
      429: 'RECEIVERS_CAPPED: every receiver got too many messages recently; nothing was sent (Retry-After)',
    },
    // Before validation: the receivers as they arrived go to the request log even when the body is invalid,
    // and a huge array is refused without checking each element.
    before: ({ deps, req, res }) => {
      const facts = logFacts(res);
      const raws = receiversAsSent(req.body);
      facts.receiversRaw = raws;
      facts.receiverKeys = () => [...new Set(raws.map((raw) => receiverSearchKey(raw, deps.config.DEFAULT_PHONE_REGION as CountryCode)))];
      const receiverCount = receiversLength(req.body);
      if (receiverCount > deps.config.MAX_RECEIVERS_PER_REQUEST) {
        throw new HttpError(413, 'TOO_MANY_RECEIVERS', `receivers has ${receiverCount} entries; at most ${deps.config.MAX_RECEIVERS_PER_REQUEST} per request (MAX_RECEIVERS_PER_REQUEST)`, {
          field: 'receivers', limit: deps.config.MAX_RECEIVERS_PER_REQUEST,
        });
      }
    },
    handler: async ({ deps, req, res, body: request }) => {
      const facts = logFacts(res);
      facts.templateRef = request.templateId ?? request.templateCode;
      const rawKey = req.get('idempotency-key');
      const idempotencyKey = rawKey === undefined ? null : parseOr400(idempotencyKeySchema, rawKey, 'header');

      const acceptance = await acceptMessage(deps.prisma, deps.pool, deps.config, deps.receiverBurst, callerOf(res), request, idempotencyKey, deps.lookups.templates);
      facts.messageId = acceptance.answer.messageId;
      facts.receiversNormalized = acceptance.normalized;
      // Normalised receivers give the same keys as their raw forms (a phone is not parsed again).
      const region = deps.config.DEFAULT_PHONE_REGION as CountryCode;
      facts.receiverKeys = () => [...new Set(acceptance.normalized.map((receiver) => searchKeyOfNormalised(receiver, acceptance.channel, region)))];
      res.status(202).json({ ...acceptance.answer, replayed: acceptance.replayed } satisfies AnswerOf<typeof acceptedAnswerSchema>);

      if (!acceptance.replayed) {
        deps.metrics.sendsAccepted.inc({ channel: acceptance.channel }, acceptance.answer.accepted);
        // No start per request: the relay starts the committed outbox rows in batches, at Temporal's pace.
        deps.outbox.notify();
      }
    },
  }),

  route({
    method: 'get',
    path: '/v1/messages/:id',
    tag: 'messages',
    summary: 'A message and its sends',
    access: SEND,
    params: idParamSchema,
    answers: ok('the message', messageAnswerSchema),
    errors: { 404: 'MESSAGE_NOT_FOUND: no such message in your team' },
    handler: async ({ deps, res, params }) => {
      const { id } = params;
      const message = await deps.prisma.message.findFirst({
        where: { id, teamId: callerOf(res).teamId },
        include: { template: { select: { code: true, channel: true } }, sends: { orderBy: { createdAt: 'asc' } } },
      });
      if (!message) throw new HttpError(404, 'MESSAGE_NOT_FOUND', `no message ${id}`);
      const counts: Record<string, number> = {};
      for (const send of message.sends) counts[send.status] = (counts[send.status] ?? 0) + 1;
      res.json({
        ...describeMessage(message),
        statusCounts: counts,
        sends: message.sends.map((s) => describeSend(s, deps.config)),
      } satisfies AnswerOf<typeof messageAnswerSchema>);
    },
  }),
];

function receiversArray(body: unknown): unknown[] | null {
  if (!body || typeof body !== 'object' || !('receivers' in body) || !Array.isArray(body.receivers)) return null;
  return body.receivers as unknown[];
}

function receiversLength(body: unknown): number {
  return receiversArray(body)?.length ?? 0;
}

/** The receivers exactly as they arrived, for the request log, even when the body is invalid. */
function receiversAsSent(body: unknown): string[] {
  return (receiversArray(body) ?? [])
    .filter((r): r is string => typeof r === 'string')
    .slice(0, 10_000)
    .map(escapeNul);
}
