import { attemptEvidence, describeReroute, EVIDENCE_INCLUDE, receiptEvidence, reroutesOf, runEvidence } from '../../ops/send-evidence';
import { sendDetailAnswerSchema, type AnswerOf } from '../answers';
import { callerOf } from '../caller';
import { HttpError } from '../http-error';
import { ok, SEND } from '../openapi/access';
import { route, type ApiRoute } from '../route';
import { idParamSchema } from '../schemas';
import { describeSend } from './send-view';

/** `GET /v1/sends/:id`: one send of the caller's team with its attempts and receipts. */
export const sendRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/sends/:id',
    tag: 'sends',
    summary: 'A send with its vendor attempts and receipts',
    access: SEND,
    params: idParamSchema,
    answers: ok('the send', sendDetailAnswerSchema),
    errors: { 404: 'SEND_NOT_FOUND: no such send in your team' },
    handler: async ({ deps, res, params }) => {
      const { id } = params;
      const send = await deps.prisma.send.findFirst({
        where: { id, message: { teamId: callerOf(res).teamId } },
        include: { ...EVIDENCE_INCLUDE, fallback: { select: { id: true, channel: true, receiver: true, status: true, createdAt: true } } },
      });
      if (!send) throw new HttpError(404, 'SEND_NOT_FOUND', `no send ${id}`);
      const attempts = send.attempts.map(attemptEvidence);
      const receipts = send.receipts.map(receiptEvidence);
      res.json({
        ...describeSend(send, deps.config),
        attempts,
        receipts,
        fallback: send.fallback && { sendId: send.fallback.id, channel: send.fallback.channel, receiver: send.fallback.receiver, status: send.fallback.status, createdAt: send.fallback.createdAt },
        reroutes: reroutesOf(attempts, receipts).map((reroute) => ({ ...reroute, description: describeReroute(reroute) })),
        earlierRuns: send.replacedRuns.map(runEvidence),
      } satisfies AnswerOf<typeof sendDetailAnswerSchema>);
    },
  }),
];
