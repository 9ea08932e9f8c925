import type { Response } from 'express';
import type { CountryCode } from 'libphonenumber-js';
import type { z } from 'zod';
import type { Prisma, Suppression } from '../../generated/prisma/client';
import { addSuppression, type SuppressionScope } from '../../screening/suppression-list';
import { maskReceiver } from '../../shared/mask';
import { normaliseReceiver, receiverSearchKey } from '../../shared/receivers';
import type { Channel } from '../../shared/states';
import type { SuppressionSource } from '../../shared/suppression';
import { suppressionListAnswerSchema, suppressionViewSchema, type AnswerOf } from '../answers';
import { callerOf } from '../caller';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { ADMIN, ok, PLATFORM, REMOVED, SEND } from '../openapi/access';
import type { ApiOperation } from '../openapi/operation';
import { route, type ApiRoute } from '../route';
import { adminSuppressionRequestSchema, idParamSchema, suppressionListQuerySchema, suppressionRequestSchema, type SuppressionRequest } from '../schemas';
import { invalidRequest } from '../validate';

/**
 * The suppression list. A business service (send scope) manages its own
 * team's list: entries are source API. A team admin (admin scope) adds manual
 * entries to its team's list; a platform admin (platform scope) manages the
 * global list that stops every team's sends. Admin entries are source MANUAL.
 * Lists answer receivers masked; the answer to an add shows the normalised
 * receiver the caller just gave.
 */
const suppressionAdded: ApiOperation['answers'] = {
  200: { description: 'the entry was there already (same list, channel and receiver): its reason, source and detail are updated', schema: suppressionViewSchema },
  201: { description: 'added', schema: suppressionViewSchema },
};
const badSuppressionReceiver = { 400: 'INVALID_REQUEST: `receiver` is not a valid receiver for `channel` (`details.fields` names it)' };

export const suppressionRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/suppressions',
    tag: 'suppressions',
    summary: "Your team's suppression list",
    description: 'Newest first, receivers masked. `receiver` (any common format) and `channel` narrow it to one receiver or channel.',
    access: SEND,
    query: suppressionListQuerySchema,
    answers: ok("the team's entries", suppressionListAnswerSchema),
    handler: async ({ deps, res, query }) => {
      res.json((await list(deps, query, { teamId: callerOf(res).teamId })) satisfies AnswerOf<typeof suppressionListAnswerSchema>);
    },
  }),

  route({
    method: 'post',
    path: '/v1/suppressions',
    tag: 'suppressions',
    summary: "Put a receiver on your team's suppression list",
    description: "Source `API`. The team's sends to this receiver on this channel end `SUPPRESSED` (a VERIFICATION template with `bypassTeamSuppression` passes it). The receiver is normalised like a send's.",
    access: SEND,
    body: suppressionRequestSchema,
    answers: suppressionAdded,
    errors: badSuppressionReceiver,
    handler: async ({ deps, res, body }) => {
      await add(deps, res, body, { teamId: callerOf(res).teamId }, 'API');
    },
  }),

  route({
    method: 'delete',
    path: '/v1/suppressions/:id',
    tag: 'suppressions',
    summary: "Remove an entry from your team's suppression list",
    access: SEND,
    params: idParamSchema,
    answers: REMOVED,
    errors: { 404: "SUPPRESSION_NOT_FOUND: no such entry on your team's list" },
    handler: async ({ deps, res, params }) => {
      await remove(deps, res, params.id, { teamId: callerOf(res).teamId }, "your team's list");
    },
  }),

  // `/v1/admin/suppressions`: the global list (platform) and manual entries on the team's own list (admin).
  route({
    method: 'get',
    path: '/v1/admin/suppressions',
    tag: 'admin: suppressions',
    summary: 'The global suppression list',
    description: 'Newest first, receivers masked. `receiver` (any common format) and `channel` narrow it to one receiver or channel.',
    access: PLATFORM,
    query: suppressionListQuerySchema,
    answers: ok('the global entries', suppressionListAnswerSchema),
    handler: async ({ deps, res, query }) => {
      res.json((await list(deps, query, 'GLOBAL')) satisfies AnswerOf<typeof suppressionListAnswerSchema>);
    },
  }),

  route({
    method: 'post',
    path: '/v1/admin/suppressions',
    tag: 'admin: suppressions',
    summary: "Put a receiver on the global list (`global: true`) or your team's",
    description: "Source `MANUAL`. An entry on the global list stops every team's sends, and no template bypasses it. The receiver is normalised like a send's.",
    access: ADMIN,
    platformWhen: { when: 'for `global: true`', applies: ({ body }) => body.global },
    body: adminSuppressionRequestSchema,
    answers: suppressionAdded,
    errors: badSuppressionReceiver,
    handler: async ({ deps, res, body }) => {
      const { global, ...entry } = body;
      await add(deps, res, entry, global ? 'GLOBAL' : { teamId: callerOf(res).teamId }, 'MANUAL');
    },
  }),

  route({
    method: 'delete',
    path: '/v1/admin/suppressions/:id',
    tag: 'admin: suppressions',
    summary: "Remove an entry from the global list or your team's",
    access: ADMIN,
    platformWhen: { when: 'for an entry of the global list', applies: async ({ deps, params }) => (await deps.prisma.suppression.findUnique({ where: { id: params.id }, select: { teamId: true } }))?.teamId === null },
    params: idParamSchema,
    answers: REMOVED,
    errors: { 404: "SUPPRESSION_NOT_FOUND: no such entry on the global list or your team's list" },
    handler: async ({ deps, res, params }) => {
      await remove(deps, res, params.id, { OR: [{ teamId: null }, { teamId: callerOf(res).teamId }] }, "the global list or your team's list");
    },
  }),
];

/** Deletes entry `id` where `lists` allows; 204, or 404 naming the lists looked in. */
async function remove(deps: ApiDeps, res: Response, id: string, lists: Prisma.SuppressionWhereInput, listsName: string): Promise<void> {
  const { count } = await deps.prisma.suppression.deleteMany({ where: { id, ...lists } });
  if (count === 0) throw new HttpError(404, 'SUPPRESSION_NOT_FOUND', `no suppression ${id} on ${listsName}`);
  res.status(204).end();
}

async function add(deps: ApiDeps, res: Response, body: SuppressionRequest, scope: SuppressionScope, source: SuppressionSource): Promise<void> {
  const check = normaliseReceiver(body.receiver, body.channel, deps.config.DEFAULT_PHONE_REGION as CountryCode);
  if (!check.ok) throw invalidRequest([{ field: 'receiver', reason: `receiver ${check.reason}` }]);
  const { entry, created } = await addSuppression(deps.prisma, {
    scope,
    channel: body.channel,
    receiver: check.receiver,
    reason: body.reason,
    source,
    detail: body.detail ?? null,
    createdBy: callerOf(res).apiKeyId,
  });
  res.status(created ? 201 : 200).json({ ...view(entry), receiver: entry.receiver } satisfies AnswerOf<typeof suppressionViewSchema>);
}

async function list(deps: ApiDeps, { receiver, channel, limit }: z.output<typeof suppressionListQuerySchema>, scope: SuppressionScope) {
  const rows = await deps.prisma.suppression.findMany({
    where: {
      teamId: scope === 'GLOBAL' ? null : scope.teamId,
      ...(channel ? { channel } : {}),
      ...(receiver ? { receiver: receiverKey(receiver, channel ?? null, deps.config.DEFAULT_PHONE_REGION as CountryCode) } : {}),
    },
    orderBy: { createdAt: 'desc' },
    take: limit,
  });
  return { suppressions: rows.map(view) };
}

/** The receiver as stored: normalised for the channel when it is given and valid, else the lenient search key. */
function receiverKey(raw: string, channel: Channel | null, region: CountryCode): string {
  const check = channel ? normaliseReceiver(raw, channel, region) : null;
  return check?.ok ? check.receiver : receiverSearchKey(raw, region);
}

function view(row: Suppression) {
  return {
    id: row.id,
    scope: row.teamId === null ? 'GLOBAL' : 'TEAM',
    teamId: row.teamId,
    channel: row.channel,
    receiver: maskReceiver(row.receiver),
    reason: row.reason,
    source: row.source,
    detail: row.detail,
    createdAt: row.createdAt,
  } satisfies AnswerOf<typeof suppressionViewSchema>;
}
