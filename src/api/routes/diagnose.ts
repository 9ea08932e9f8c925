import type { CountryCode } from 'libphonenumber-js';
import { loadDiagnoseRecords } from '../../ops/diagnose-loader';
import { diagnose } from '../../ops/diagnose-verdict';
import { receiverSearchKey } from '../../shared/receivers';
import { diagnosisAnswerSchema, type AnswerOf } from '../answers';
import { HttpError } from '../http-error';
import { diagnoseQuerySchema } from '../schemas';
import { workflowUrl } from './send-view';
import { route, type ApiRoute } from '../route';
import { OPS, ok } from '../openapi/access';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Without `from`, diagnose looks this far back from `to`. */
const DEFAULT_WINDOW_MS = 7 * DAY_MS;
/** Longest window one call may search: keeps the query on the indexes' cheap side. */
const MAX_WINDOW_MS = 31 * DAY_MS;

/**
 * "Why did receiver X not get the message?" in one call. Ops see every
 * team's sends to the receiver; other receivers stay masked.
 */
export const diagnoseRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/diagnose',
    tag: 'ops',
    summary: 'Why did a receiver not get the message?',
    description: 'Every team’s sends and requests for one receiver in a window (default the last 7 days, at most 31), with a verdict, the step it stopped at, and the evidence.',
    access: OPS,
    query: diagnoseQuerySchema,
    answers: ok('the diagnosis', diagnosisAnswerSchema),
    handler: async ({ deps, res, query }) => {
      const receiver = receiverSearchKey(query.receiver, deps.config.DEFAULT_PHONE_REGION as CountryCode);
      if (receiver === '') throw new HttpError(400, 'INVALID_REQUEST', 'receiver: is empty once spaces and invisible characters are removed', { fields: [{ field: 'receiver', reason: 'is empty' }] });
      const window = windowOf(query.from, query.to);
      const records = await loadDiagnoseRecords(deps.prisma, receiver, window, deps.config.DEFAULT_PHONE_REGION as CountryCode);
      res.json(diagnose(records, (sendId) => workflowUrl(deps.config, sendId)) satisfies AnswerOf<typeof diagnosisAnswerSchema>);
    },
  }),
];

function windowOf(fromText: string | undefined, toText: string | undefined): { from: Date; to: Date } {
  const to = toText ? new Date(toText) : new Date();
  const from = fromText ? new Date(fromText) : new Date(to.getTime() - DEFAULT_WINDOW_MS);
  if (from >= to) throw windowError('from', 'must be before to');
  if (to.getTime() - from.getTime() > MAX_WINDOW_MS) throw windowError('from', 'the window may be at most 31 days');
  return { from, to };
}

function windowError(field: string, reason: string): HttpError {
  return new HttpError(400, 'INVALID_REQUEST', `${field}: ${reason}`, { fields: [{ field, reason }] });
}
