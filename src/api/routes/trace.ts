import { loadHistory, loadTraceRecords } from '../../ops/trace-loader';
import { mergeTrace } from '../../ops/trace-event';
import { eventsFromHistory } from '../../ops/trace-history';
import { eventsFromRecords } from '../../ops/trace-records';
import { sendWorkflowId } from '../../shared/contract';
import { traceAnswerSchema, type AnswerOf } from '../answers';
import { HttpError } from '../http-error';
import { idParamSchema } from '../schemas';
import { workflowUrl } from './send-view';
import { route, type ApiRoute } from '../route';
import { OPS, ok } from '../openapi/access';

/** `GET /v1/sends/:id/trace`: the send's workflow histories (every run) and records as one ordered, readable list. */
export const traceRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/sends/:id/trace',
    tag: 'ops',
    summary: "A send's workflow history and records as one ordered list",
    access: OPS,
    params: idParamSchema,
    answers: ok('the trace; `history.available` is false when Temporal could not be read', traceAnswerSchema),
    errors: { 404: 'SEND_NOT_FOUND: no such send' },
    handler: async ({ deps, res, params }) => {
      const { id } = params;
      const records = await loadTraceRecords(deps.prisma, id);
      if (!records) throw new HttpError(404, 'SEND_NOT_FOUND', `no send ${id}`);
      const history = await loadHistory(deps.temporal, records);
      res.json({
        sendId: id,
        status: records.send.status,
        reason: records.send.reason,
        run: records.send.runNo,
        workflowId: sendWorkflowId(id),
        workflowUrl: workflowUrl(deps.config, id),
        history: history.available ? { available: true } : { available: false, error: history.error },
        events: mergeTrace(eventsFromRecords(records), ...(history.available ? history.runs.map(eventsFromHistory) : [])),
      } satisfies AnswerOf<typeof traceAnswerSchema>);
    },
  }),
];
