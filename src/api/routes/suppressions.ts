import { Router, type Response } from 'express';
import type { CountryCode } from 'libphonenumber-js';
import type { Suppression } from '../../generated/prisma/client';
import { addSuppression, type SuppressionScope } from '../../screening/suppression-list';
import { maskReceiver } from '../../shared/mask';
import { normaliseReceiver, receiverSearchKey } from '../../shared/receivers';
import type { Channel } from '../../shared/states';
import type { SuppressionSource } from '../../shared/suppression';
import { suppressionListAnswerSchema, suppressionViewSchema, type AnswerOf } from '../answers';
import { callerOf } from '../caller';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { assertScope, requireScope } from '../scopes';
import { adminSuppressionRequestSchema, idParamSchema, suppressionListQuerySchema, suppressionRequestSchema, type SuppressionRequest } from '../schemas';
import { invalidRequest, parseOr400 } from '../validate';

/**
 * The suppression list. A business service (send scope) manages its own
 * team's list: entries are source API. An admin (admin scope) also manages
 * the global list that stops every team's sends: entries are source MANUAL.
 * Lists answer receivers masked; the answer to an add shows the normalised
 * receiver the caller just gave.
 */
export function suppressionsRouter(deps: ApiDeps): Router {
  const router = Router();
  const sendScope = requireScope('send');

  router.get('/v1/suppressions', sendScope, async (req, res) => {
    res.json((await list(deps, req.query, { teamId: callerOf(res).teamId })) satisfies AnswerOf<typeof suppressionListAnswerSchema>);
  });

  router.post('/v1/suppressions', sendScope, async (req, res) => {
    const body = parseOr400(suppressionRequestSchema, req.body, 'body');
    await add(deps, res, body, { teamId: callerOf(res).teamId }, 'API');
  });

  router.delete('/v1/suppressions/:id', sendScope, async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
    const { count } = await deps.prisma.suppression.deleteMany({ where: { id, teamId: callerOf(res).teamId } });
    if (count === 0) throw new HttpError(404, 'SUPPRESSION_NOT_FOUND', `no suppression ${id} on your team's list`);
    res.status(204).end();
  });

  return router;
}

/**
 * `/v1/admin/suppressions`: the global list, a platform admin's (`platform`),
 * and manual entries on the team's own list, a team admin's (`admin`).
 */
export function adminSuppressionsRouter(deps: ApiDeps): Router {
  const router = Router();

  router.get('/v1/admin/suppressions', requireScope('platform'), async (req, res) => {
    res.json((await list(deps, req.query, 'GLOBAL')) satisfies AnswerOf<typeof suppressionListAnswerSchema>);
  });

  router.post('/v1/admin/suppressions', async (req, res) => {
    const { global, ...body } = parseOr400(adminSuppressionRequestSchema, req.body, 'body');
    assertScope(res, global ? 'platform' : 'admin');
    await add(deps, res, body, global ? 'GLOBAL' : { teamId: callerOf(res).teamId }, 'MANUAL');
  });

  router.delete('/v1/admin/suppressions/:id', async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
    const entry = await deps.prisma.suppression.findUnique({ where: { id }, select: { teamId: true } });
    if (entry) assertScope(res, entry.teamId === null ? 'platform' : 'admin');
    const { count } = await deps.prisma.suppression.deleteMany({ where: { id, OR: [{ teamId: null }, { teamId: callerOf(res).teamId }] } });
    if (count === 0) throw new HttpError(404, 'SUPPRESSION_NOT_FOUND', `no suppression ${id} on the global list or your team's list`);
    res.status(204).end();
  });

  return router;
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

async function list(deps: ApiDeps, query: unknown, scope: SuppressionScope) {
  const { receiver, channel, limit } = parseOr400(suppressionListQuerySchema, query, 'query');
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
