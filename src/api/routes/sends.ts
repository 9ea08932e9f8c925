import { Router } from 'express';
import { attemptEvidence, EVIDENCE_INCLUDE, receiptEvidence, runEvidence } from '../../ops/send-evidence';
import { sendDetailAnswerSchema, type AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';
import { callerOf } from '../caller';
import { HttpError } from '../http-error';
import { requireScope } from '../scopes';
import { idParamSchema } from '../schemas';
import { parseOr400 } from '../validate';
import { describeSend } from './send-view';

export function sendsRouter(deps: ApiDeps): Router {
  const router = Router();
  const sendScope = requireScope('send');

  router.get('/v1/sends/:id', sendScope, async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
    const send = await deps.prisma.send.findFirst({
      where: { id, message: { teamId: callerOf(res).teamId } },
      include: EVIDENCE_INCLUDE,
    });
    if (!send) throw new HttpError(404, 'SEND_NOT_FOUND', `no send ${id}`);
    res.json({
      ...describeSend(send, deps.config),
      attempts: send.attempts.map(attemptEvidence),
      receipts: send.receipts.map(receiptEvidence),
      earlierRuns: send.replacedRuns.map(runEvidence),
    } satisfies AnswerOf<typeof sendDetailAnswerSchema>);
  });

  return router;
}
