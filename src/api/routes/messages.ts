import { Router } from 'express';
import type { CountryCode } from 'libphonenumber-js';
import { acceptedAnswerSchema, messageAnswerSchema, type AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';
import { acceptMessage } from '../accept-message';
import { callerOf, logFacts } from '../caller';
import { HttpError } from '../http-error';
import { requireScope } from '../scopes';
import { idempotencyKeySchema, idParamSchema, messageRequestSchema } from '../schemas';
import { createReceiverBurstGuard } from '../receiver-burst';
import { parseOr400 } from '../validate';
import { receiverSearchKey } from '../../shared/receivers';
import { describeMessage, describeSend } from './send-view';

export function messagesRouter(deps: ApiDeps): Router {
  const router = Router();
  const sendScope = requireScope('send');
  const burst = createReceiverBurstGuard(deps.redis, deps.config, deps.logger, deps.metrics);

  router.post('/v1/messages', sendScope, async (req, res) => {
    const facts = logFacts(res);
    const body: unknown = req.body;
    facts.receiversRaw = receiversAsSent(body);
    const raws = facts.receiversRaw;
    facts.receiverKeys = () => [...new Set(raws.map((raw) => receiverSearchKey(raw, deps.config.DEFAULT_PHONE_REGION as CountryCode)))];
    // Before validation: a huge array is refused without checking each element.
    const receiverCount = receiversLength(body);
    if (receiverCount > deps.config.MAX_RECEIVERS_PER_REQUEST) {
      throw new HttpError(413, 'TOO_MANY_RECEIVERS', `receivers has ${receiverCount} entries; at most ${deps.config.MAX_RECEIVERS_PER_REQUEST} per request (MAX_RECEIVERS_PER_REQUEST)`, {
        field: 'receivers', limit: deps.config.MAX_RECEIVERS_PER_REQUEST,
      });
    }
    const request = parseOr400(messageRequestSchema, body, 'body');
    facts.templateRef = request.templateId ?? request.templateCode;
    const rawKey = req.get('idempotency-key');
    const idempotencyKey = rawKey === undefined ? null : parseOr400(idempotencyKeySchema, rawKey, 'header');

    const acceptance = await acceptMessage(deps.prisma, deps.config, burst, callerOf(res), request, idempotencyKey);
    facts.messageId = acceptance.answer.messageId;
    facts.receiversNormalized = acceptance.normalized;
    res.status(202).json({ ...acceptance.answer, replayed: acceptance.replayed } satisfies AnswerOf<typeof acceptedAnswerSchema>);

    if (!acceptance.replayed) {
      deps.metrics.sendsAccepted.inc({ channel: acceptance.channel }, acceptance.answer.accepted);
      // After the answer: a start that fails now is retried by the outbox relay.
      const { starts } = acceptance;
      const starting = starts.kind === 'fanOut' ? deps.starter.startFanOuts([starts.messageId]) : deps.starter.start(starts.inputs);
      starting.catch((error: unknown) => deps.logger.warn({ err: error }, 'starting workflows failed'));
    }
  });

  router.get('/v1/messages/:id', sendScope, async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
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
  });

  return router;
}

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
    .map((r) => r.replaceAll('\u0000', '\\u0000')); // Postgres text cannot hold NUL: keep it visible as an escape
}
