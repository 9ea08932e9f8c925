import { Router } from 'express';
import { retryAnswerSchema, type AnswerOf } from '../answers';
import { callerOf } from '../caller';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { idParamSchema } from '../schemas';
import { requireScope } from '../scopes';
import { retrySend } from '../send-retry';
import { parseOr400 } from '../validate';
import { workflowUrl } from './send-view';
import { sendWorkflowId } from '../../shared/contract';

/** `POST /v1/sends/:id/retry` (ops): re-runs a FAILED, EXPIRED or UNDELIVERED send of any team (src/api/send-retry.ts). */
export function sendRetryRouter(deps: ApiDeps): Router {
  const router = Router();

  router.post('/v1/sends/:id/retry', requireScope('ops'), async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
    const send = await deps.prisma.send.findUnique({ where: { id }, select: { id: true } });
    if (!send) throw new HttpError(404, 'SEND_NOT_FOUND', `no send ${id}`);
    const caller = callerOf(res);
    const answer = await retrySend(deps, id, `api-key ${caller.apiKeyId}`);
    deps.logger.info({ sendId: id, outcome: answer.outcome, runNo: answer.runNo, by: caller.apiKeyId }, 'send retry');
    res.status(answer.outcome === 'RETRIED' ? 202 : 200).json({
      ...answer,
      workflowId: sendWorkflowId(id),
      workflowUrl: workflowUrl(deps.config, id),
    } satisfies AnswerOf<typeof retryAnswerSchema>);
  });

  return router;
}
