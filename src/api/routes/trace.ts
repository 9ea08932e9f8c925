import { Router } from 'express';
import { loadHistory, loadTraceRecords } from '../../ops/trace-loader';
import { mergeTrace } from '../../ops/trace-event';
import { eventsFromHistory } from '../../ops/trace-history';
import { eventsFromRecords } from '../../ops/trace-records';
import { sendWorkflowId } from '../../shared/contract';
import { traceAnswerSchema, type AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { idParamSchema } from '../schemas';
import { requireScope } from '../scopes';
import { parseOr400 } from '../validate';
import { workflowUrl } from './send-view';

/** `GET /v1/sends/:id/trace`: the send's workflow histories (every run) and records as one ordered, readable list. */
export function traceRouter(deps: ApiDeps): Router {
  const router = Router();

  router.get('/v1/sends/:id/trace', requireScope('ops'), async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
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
  });

  return router;
}
