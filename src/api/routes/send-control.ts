import { cancelAnswerSchema, messageCancelAnswerSchema, sendNowAnswerSchema, type AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';
import { callerOf } from '../caller';
import { HttpError } from '../http-error';
import { ok, SEND } from '../openapi/access';
import { route, type ApiRoute } from '../route';
import { idParamSchema } from '../schemas';
import { cancelSend, releaseDeferredSend } from '../send-control';

/** The answer when a send's workflow takes no update in time (src/api/send-control.ts waits 15 s; src/api/app.ts answers it). */
const WORKFLOW_NOT_ANSWERING = "WORKFLOW_NOT_ANSWERING: the send's workflow did not answer in time (is a worker running?); try again (a repeat is harmless)";

/** Cancel and send-now, for one send or every send of a message. */
export const sendControlRoutes: ApiRoute[] = [
  route({
    method: 'post',
    path: '/v1/sends/:id/cancel',
    tag: 'sends',
    summary: 'Cancel a send that is still waiting (queued or deferred)',
    description: "A Workflow Update on the send's workflow: its validator refuses any state past the queue (the answer's 409), so checking and canceling are one step; the answer comes once the send is final.",
    access: SEND,
    params: idParamSchema,
    usesTemporal: true,
    answers: {
      200: { description: 'CANCELED', schema: cancelAnswerSchema },
      409: { description: 'not canceled: ALREADY_FINAL, or AT_VENDOR (cannot be recalled)', schema: cancelAnswerSchema },
    },
    errors: { 404: 'SEND_NOT_FOUND: no such send in your team', 503: WORKFLOW_NOT_ANSWERING },
    handler: async ({ deps, res, params }) => {
      const { id } = params;
      const caller = callerOf(res);
      const result = await cancelSend(deps, await ownedSendId(deps, id, caller.teamId), `api-key ${caller.apiKeyId}`);
      res.status(result.outcome === 'CANCELED' ? 200 : 409).json(result satisfies AnswerOf<typeof cancelAnswerSchema>);
    },
  }),

  route({
    method: 'post',
    path: '/v1/sends/:id/send-now',
    tag: 'sends',
    summary: 'Release a send deferred by the night shield now',
    access: SEND,
    params: idParamSchema,
    usesTemporal: true,
    answers: {
      200: { description: 'RELEASED', schema: sendNowAnswerSchema },
      409: { description: 'NOT_DEFERRED: the send was not waiting for its release time', schema: sendNowAnswerSchema },
    },
    errors: { 404: 'SEND_NOT_FOUND: no such send in your team', 503: WORKFLOW_NOT_ANSWERING },
    handler: async ({ deps, res, params }) => {
      const { id } = params;
      const caller = callerOf(res);
      const result = await releaseDeferredSend(deps, await ownedSendId(deps, id, caller.teamId), `api-key ${caller.apiKeyId}`);
      res.status(result.outcome === 'RELEASED' ? 200 : 409).json(result satisfies AnswerOf<typeof sendNowAnswerSchema>);
    },
  }),

  route({
    method: 'post',
    path: '/v1/messages/:id/cancel',
    tag: 'messages',
    summary: 'Cancel every send of a message that is still waiting',
    access: SEND,
    params: idParamSchema,
    usesTemporal: true,
    answers: ok('each send with its outcome', messageCancelAnswerSchema),
    errors: { 404: 'MESSAGE_NOT_FOUND: no such message in your team', 503: WORKFLOW_NOT_ANSWERING },
    handler: async ({ deps, res, params }) => {
      const { id } = params;
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
    },
  }),
];

async function ownedSendId(deps: ApiDeps, id: string, teamId: string): Promise<string> {
  const send = await deps.prisma.send.findFirst({ where: { id, message: { teamId } }, select: { id: true } });
  if (!send) throw new HttpError(404, 'SEND_NOT_FOUND', `no send ${id}`);
  return send.id;
}
