import { once } from 'node:events';
import type { Request, Response } from 'express';
import type { CountryCode } from 'libphonenumber-js';
import { AudienceFileRefused, AudienceTooLarge, CsvUnreadable, UploadBrokeOff } from '../../audiences/audience-errors';
import { uploadAudience } from '../../audiences/audience-upload';
import type { Audience } from '../../generated/prisma/client';
import { csvField } from '../../shared/csv';
import type { AudienceStatus } from '../../shared/states';
import { audienceErrorsAnswerSchema, audienceListAnswerSchema, audienceUploadAnswerSchema, audienceViewSchema, type AnswerOf } from '../answers';
import { callerOf } from '../caller';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { audienceErrorsQuerySchema, audienceListQuerySchema, audienceUploadQuerySchema, idParamSchema } from '../schemas';
import { ok, REMOVED, SEND } from '../openapi/access';
import { route, type ApiRoute } from '../route';
import { wantsCsv } from '../wants-csv';

/** How many refused rows the upload answer lists (all are stored, at errorsUrl). */
const LIST_LIMIT = 100;
/** Refused rows read per query when all of them are written as CSV. */
const CSV_PAGE = 1000;

/**
 * Audiences: a team's receiver lists, uploaded as CSV (a `receiver` column
 * and one column per template variable), checked row by row and stored for
 * campaigns. Send scope; a team sees only its own.
 */
const audienceNotFound = { 404: 'AUDIENCE_NOT_FOUND: no such audience in your team' };

export const audienceRoutes: ApiRoute[] = [
  route({
    method: 'post',
    path: '/v1/audiences',
    tag: 'audiences',
    summary: 'Upload an audience: a CSV of receivers and their template variables',
    description:
      'The body is the CSV (UTF-8), read as it streams in. Line 1 is the header: a `receiver` column and one column per template variable (letters, digits and _). ' +
      "Each data row is checked: as many fields as the header, a receiver valid for `channel` (stored normalised), no empty variable, a receiver not on an earlier line. " +
      'Refused rows are stored with their line and reason, never dropped; the answer lists the first 100. ' +
      'A bad header, broken CSV, more than AUDIENCE_MAX_ROWS rows or AUDIENCE_MAX_BYTES bytes store nothing; an upload that breaks off leaves the audience FAILED.',
    access: SEND,
    query: audienceUploadQuerySchema,
    textBody: { mediaTypes: ['text/csv', 'text/plain'], description: 'the audience: a header row (`receiver`, then the variable columns), then one row per receiver' },
    answers: { 201: { description: 'stored and READY; `errors` lists the first 100 refused rows', schema: audienceUploadAnswerSchema } },
    errors: {
      400:
        'EMPTY_FILE: no header; INVALID_HEADER: no `receiver` column, an unnamed, duplicate or badly named column (the message names it); NO_ROWS: a header and nothing else; ' +
        'INVALID_CSV: the CSV breaks at `details.line` (a quote never closed); UPLOAD_BROKE_OFF: the body ended early (the audience is FAILED). Nothing is stored, except for UPLOAD_BROKE_OFF',
      413: 'AUDIENCE_TOO_LARGE: more than AUDIENCE_MAX_ROWS data rows or AUDIENCE_MAX_BYTES bytes (`details.limit`); nothing is stored',
      415: 'UNSUPPORTED_MEDIA_TYPE: the body is not text/csv (or text/plain)',
    },
    handler: async ({ deps, req, res, query }) => {
      if (!req.is(['text/csv', 'text/plain'])) {
        throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type: send the audience as text/csv', { fields: [{ field: 'content-type', reason: 'must be text/csv' }] });
      }
      const caller = callerOf(res);
      const started = Date.now();
      try {
        const { audience, errors } = await uploadAudience(
          deps.prisma,
          { teamId: caller.teamId, apiKeyId: caller.apiKeyId, name: query.name, channel: query.channel, region: deps.config.DEFAULT_PHONE_REGION as CountryCode, maxRows: deps.config.AUDIENCE_MAX_ROWS, maxBytes: deps.config.AUDIENCE_MAX_BYTES, listLimit: LIST_LIMIT },
          req,
        );
        deps.logger.info({ audienceId: audience.id, teamId: caller.teamId, rows: audience.rowCount, invalid: audience.invalidCount, ms: Date.now() - started }, 'audience uploaded');
        res.status(201).location(`/v1/audiences/${audience.id}`).json({ ...view(audience), errors } satisfies AnswerOf<typeof audienceUploadAnswerSchema>);
      } catch (error) {
        throw uploadError(error, req, deps, caller.teamId);
      }
    },
  }),

  route({
    method: 'get',
    path: '/v1/audiences',
    tag: 'audiences',
    summary: "Your team's audiences",
    description: 'Newest first.',
    access: SEND,
    query: audienceListQuerySchema,
    answers: ok('the audiences', audienceListAnswerSchema),
    handler: async ({ deps, res, query }) => {
      const { limit } = query;
      const audiences = await deps.prisma.audience.findMany({ where: { teamId: callerOf(res).teamId }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], take: limit });
      res.json({ audiences: audiences.map(view) } satisfies AnswerOf<typeof audienceListAnswerSchema>);
    },
  }),

  route({
    method: 'get',
    path: '/v1/audiences/:id',
    tag: 'audiences',
    summary: 'One audience',
    access: SEND,
    params: idParamSchema,
    answers: ok('the audience', audienceViewSchema),
    errors: audienceNotFound,
    handler: async ({ deps, res, params }) => {
      res.json(view(await teamAudience(deps, params.id, res)) satisfies AnswerOf<typeof audienceViewSchema>);
    },
  }),

  route({
    method: 'get',
    path: '/v1/audiences/:id/errors',
    tag: 'audiences',
    summary: "An audience's refused rows",
    description: 'By line, a page at a time (`afterLine`, `limit`); or every one of them as CSV (`line,reason,raw`, an attachment) with `format=csv` or `Accept: text/csv`, to fix and upload again.',
    access: SEND,
    params: idParamSchema,
    query: audienceErrorsQuerySchema,
    answers: { 200: { description: 'a page of refused rows; as CSV (all of them) when asked', schema: audienceErrorsAnswerSchema, mediaType: 'text/csv' } },
    errors: audienceNotFound,
    handler: async ({ deps, req, res, params, query }) => {
      const audience = await teamAudience(deps, params.id, res);
      if (wantsCsv(req, query.format)) {
        await writeErrorsCsv(deps, audience.id, res);
        return;
      }
      const rows = await deps.prisma.audienceError.findMany({ where: { audienceId: audience.id, line: { gt: query.afterLine } }, orderBy: { line: 'asc' }, take: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      res.json({
        audienceId: audience.id,
        errors: page.map(({ line, reason, raw }) => ({ line, reason, raw })),
        nextAfterLine: rows.length > query.limit ? (page[page.length - 1]?.line ?? null) : null,
      } satisfies AnswerOf<typeof audienceErrorsAnswerSchema>);
    },
  }),

  // Campaigns that use an audience will refuse its deletion (409) once they exist; until then it is deleted with its rows.
  route({
    method: 'delete',
    path: '/v1/audiences/:id',
    tag: 'audiences',
    summary: 'Delete an audience with its rows and refused rows',
    access: SEND,
    params: idParamSchema,
    answers: REMOVED,
    errors: { ...audienceNotFound, 409: 'AUDIENCE_IN_USE: a campaign (deleted ones included) was made with it' },
    handler: async ({ deps, res, params }) => {
      const { id } = params;
      // A campaign's runs point at their audience's rows (send ids by line): kept while any campaign names it.
      const campaigns = await deps.prisma.campaign.count({ where: { audienceId: id, teamId: callerOf(res).teamId } });
      if (campaigns > 0) throw new HttpError(409, 'AUDIENCE_IN_USE', `audience ${id} is used by ${campaigns} campaign(s), deleted ones included; it stays with their runs`, { field: 'id' });
      const { count } = await deps.prisma.audience.deleteMany({ where: { id, teamId: callerOf(res).teamId } });
      if (count === 0) throw notFound(id);
      res.status(204).end();
    },
  }),
];

async function teamAudience(deps: ApiDeps, id: string, res: Response): Promise<Audience> {
  const audience = await deps.prisma.audience.findFirst({ where: { id, teamId: callerOf(res).teamId } });
  if (!audience) throw notFound(id);
  return audience;
}

function notFound(id: string): HttpError {
  return new HttpError(404, 'AUDIENCE_NOT_FOUND', `no audience ${id} in your team`);
}

function view(audience: Audience) {
  return {
    id: audience.id,
    name: audience.name,
    channel: audience.channel,
    status: audience.status as AudienceStatus,
    variableColumns: audience.variableColumns,
    rowCount: audience.rowCount,
    invalidCount: audience.invalidCount,
    createdAt: audience.createdAt,
    finishedAt: audience.finishedAt,
    errorsUrl: `/v1/audiences/${audience.id}/errors`,
  } satisfies AnswerOf<typeof audienceViewSchema>;
}

/** Every refused row as `line,reason,raw`, read a page at a time and written as the client takes it. */
async function writeErrorsCsv(deps: ApiDeps, audienceId: string, res: Response): Promise<void> {
  res.type('text/csv; charset=utf-8').attachment(`audience-${audienceId}-errors.csv`);
  res.write('line,reason,raw\r\n');
  let afterLine = 0;
  for (;;) {
    const rows = await deps.prisma.audienceError.findMany({ where: { audienceId, line: { gt: afterLine } }, orderBy: { line: 'asc' }, take: CSV_PAGE });
    if (rows.length === 0) break;
    const text = rows.map((row) => `${row.line},${csvField(row.reason)},${csvField(row.raw)}\r\n`).join('');
    // A client that went away never drains: stop reading instead of waiting for ever.
    if (!res.write(text) && !(await drainedOrClosed(res))) return;
    afterLine = rows[rows.length - 1]?.line ?? afterLine;
  }
  res.end();
}

/** True once the response can take more, false when its connection closed first. */
async function drainedOrClosed(res: Response): Promise<boolean> {
  const stop = new AbortController();
  try {
    return await Promise.race([
      // The loser is aborted below; its rejection is expected and settles to false.
      once(res, 'drain', { signal: stop.signal }).then(() => true, () => false),
      once(res, 'close', { signal: stop.signal }).then(() => false, () => false),
    ]);
  } finally {
    stop.abort();
  }
}

/**
 * An upload that did not end READY as its answer. The body is drained when
 * it was not read to the end, so the client can read the answer; a body that
 * broke off has no client left to answer, only a log line (no contents).
 */
function uploadError(error: unknown, req: Request, deps: ApiDeps, teamId: string): unknown {
  if (!req.complete && !req.destroyed) req.resume();
  if (error instanceof AudienceFileRefused) return new HttpError(400, error.refusal, error.message, { field: 'body', reason: error.message });
  if (error instanceof CsvUnreadable) return new HttpError(400, 'INVALID_CSV', error.message, { field: 'body', line: error.line, reason: error.reason });
  if (error instanceof AudienceTooLarge) return new HttpError(413, 'AUDIENCE_TOO_LARGE', error.message, { field: 'body', limit: error.limit });
  if (error instanceof UploadBrokeOff) {
    deps.logger.warn({ teamId }, 'audience upload broke off: the audience is FAILED');
    return new HttpError(400, 'UPLOAD_BROKE_OFF', error.message);
  }
  return error;
}
