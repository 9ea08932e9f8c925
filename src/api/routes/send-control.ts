import { Router } from 'express';
import { cancelAnswerSchema, messageCancelAnswerSchema, sendNowAnswerSchema, type AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';
import { callerOf } from '../caller';
import { HttpError } from '../http-error';
import { requireScope } from '../scopes';
import { idParamSchema } from '../schemas';
import { cancelSend, releaseDeferredSend } from '../send-control';
import { parseOr400 } from '../validate';

/** Cancel and send-now, for one send or every send of a message. */
export function sendControlRouter(deps: ApiDeps): Router {
  const router = Router();
  const sendScope = requireScope('send');

  async function ownedSendId(id: string, teamId: string): Promise<string> {
    const send = await deps.prisma.send.findFirst({ where: { id, message: { teamId } }, select: { id: true } });
    if (!send) throw new HttpError(404, 'SEND_NOT_FOUND', `no send ${id}`);
    return send.id;
  }

  router.post('/v1/sends/:id/cancel', sendScope, async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
    const caller = callerOf(res);
    const result = await cancelSend(deps, await ownedSendId(id, caller.teamId), `api-key ${caller.apiKeyId}`);
    res.status(result.outcome === 'CANCELED' ? 200 : 409).json(result satisfies AnswerOf<typeof cancelAnswerSchema>);
  });

  router.post('/v1/sends/:id/send-now', sendScope, async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
    const caller = callerOf(res);
    const result = await releaseDeferredSend(deps, await ownedSendId(id, caller.teamId), `api-key ${caller.apiKeyId}`);
    res.status(result.outcome === 'RELEASED' ? 200 : 409).json(result satisfies AnswerOf<typeof sendNowAnswerSchema>);
  });

  router.post('/v1/messages/:id/cancel', sendScope, async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
    const caller = callerOf(res);
    const message = await deps.prisma.message.findFirst({
      where: { id, teamId: caller.teamId },
      select: { sends: { select: { id: true }, orderBy: { createdAt: 'asc' } } },
    });
    if (!message) throw new HttpError(404, 'MESSAGE_NOT_FOUND', `no message ${id}`);
    const results = [];
    for (const send of message.sends) results.push(await cancelSend(deps, send.id, `api-key ${caller.apiKeyId}`));
    const canceled = results.filter((r) => r.outcome === 'CANCELED').length;
    res.json({ messageId: id, canceled, notCanceled: results.length - canceled, sends: results } satisfies AnswerOf<typeof messageCancelAnswerSchema>);
  });

  return router;
}
