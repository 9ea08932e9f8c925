import { retryAnswerSchema, type AnswerOf } from '../answers';
import { callerOf } from '../caller';
import { HttpError } from '../http-error';
import { OPS } from '../openapi/access';
import { route, type ApiRoute } from '../route';
import { idParamSchema } from '../schemas';
import { retrySend } from '../send-retry';
import { workflowUrl } from './send-view';
import { sendWorkflowId } from '../../shared/contract';

/** `POST /v1/sends/:id/retry` (ops): re-runs a FAILED, EXPIRED or UNDELIVERED send of any team (src/api/send-retry.ts). */
export const sendRetryRoutes: ApiRoute[] = [
  route({
    method: 'post',
    path: '/v1/sends/:id/retry',
    tag: 'ops',
    summary: 'Re-run a FAILED, EXPIRED or UNDELIVERED send',
    description:
      "Resets the send's workflow `send-<id>` to its first workflow task, as the Temporal UI's Reset does: the same send id, a new run through screening, dedup, the night shield, the vendors and the receipt (the earlier run's signals and updates are not replayed). The send shows the new run at once; the earlier run's outcome, attempts and receipts stay, marked with its run id (`earlierRuns`). Any team's send. A repeat answers ALREADY_RETRIED with the run the first call started; nothing new starts.",
    access: OPS,
    params: idParamSchema,
    usesTemporal: true,
    answers: {
      202: { description: 'RETRIED: a new run of the workflow started', schema: retryAnswerSchema },
      200: { description: 'ALREADY_RETRIED: an earlier call started the run that retries this failure', schema: retryAnswerSchema },
    },
    errors: {
      404: 'SEND_NOT_FOUND: no such send',
      409: 'NOT_RETRYABLE: the send is not FAILED, EXPIRED or UNDELIVERED (still going, DELIVERED, or a decision such as DEDUPED or CANCELED); details name its status and reason. WORKFLOW_GONE: its workflow is past retention. NOT_RESETTABLE: its run never completed a workflow task',
    },
    handler: async ({ deps, res, params }) => {
      const { id } = params;
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
    },
  }),
];
