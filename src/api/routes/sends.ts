import { Router } from 'express';
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
      include: {
        attempts: { orderBy: { startedAt: 'asc' }, include: { account: { select: { name: true } } } },
        receipts: { orderBy: { receivedAt: 'asc' } },
      },
    });
    if (!send) throw new HttpError(404, 'SEND_NOT_FOUND', `no send ${id}`);
    res.json({
      ...describeSend(send, deps.config),
      attempts: send.attempts.map((a) => ({
        account: a.account.name,
        provider: a.provider,
        attemptNo: a.attemptNo,
        outcome: a.outcome,
        errorClass: a.errorClass,
        reason: a.reason,
        vendorCode: a.vendorCode,
        vendorText: a.vendorText,
        vendorMessageId: a.vendorMessageId,
        startedAt: a.startedAt,
        durationMs: a.durationMs,
      })),
      receipts: send.receipts.map((r) => ({
        status: r.status,
        reason: r.reason,
        vendorCode: r.vendorCode,
        vendorText: r.vendorText,
        deliveredAt: r.deliveredAt,
        source: r.source,
        receivedAt: r.receivedAt,
      })),
    } satisfies AnswerOf<typeof sendDetailAnswerSchema>);
  });

  return router;
}
