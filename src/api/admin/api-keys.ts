import type { ApiKey } from '../../generated/prisma/client';
import { issueApiKey } from '../../security/api-keys';
import { recordAudit } from '../../audit/audit-log';
import { callerOf } from '../caller';
import type { AnswerOf } from '../answers';
import { HttpError } from '../http-error';
import { idParamSchema } from '../schemas';
import { apiKeyListAnswerSchema, apiKeyViewSchema, issuedApiKeyAnswerSchema } from './answers';
import { issueApiKeySchema } from './schemas';
import { ADMIN, ok } from '../openapi/access';
import { route, type ApiRoute } from '../route';
import { assertScope, TEAM_SCOPES } from '../scopes';

/**
 * API keys of the admin's team (`admin` scope): issue (the key is in that
 * answer only), list, revoke (refused from the next request on). A team admin
 * grants only TEAM_SCOPES; a key with `ops` or `platform` (which reach across
 * teams) is issued by a key that also holds `platform`. Issuing and revoking
 * are in the audit log.
 */
export const adminApiKeyRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/admin/api-keys',
    tag: 'admin: API keys',
    summary: "Your team's API keys (never the keys themselves)",
    access: ADMIN,
    answers: ok('the keys', apiKeyListAnswerSchema),
    handler: async ({ deps, res }) => {
      const rows = await deps.prisma.apiKey.findMany({ where: { teamId: callerOf(res).teamId }, orderBy: { createdAt: 'asc' } });
      res.json({ apiKeys: rows.map(apiKeyView) } satisfies AnswerOf<typeof apiKeyListAnswerSchema>);
    },
  }),

  route({
    method: 'post',
    path: '/v1/admin/api-keys',
    tag: 'admin: API keys',
    summary: 'Issue an API key (shown in this answer only)',
    description: 'A team admin grants `send` and `admin`; granting `ops` or `platform`, which reach across teams, needs the `platform` scope too.',
    access: ADMIN,
    body: issueApiKeySchema,
    answers: { 201: { description: 'issued; store `key` now', schema: issuedApiKeyAnswerSchema } },
    errors: { 403: 'FORBIDDEN: granting `ops` or `platform` needs the platform scope (`details.field`: `scopes`)' },
    handler: async ({ deps, res, body }) => {
      const caller = callerOf(res);
      if (body.scopes.some((scope) => !TEAM_SCOPES.includes(scope))) assertScope(res, 'platform', { field: 'scopes' });
      const issued = issueApiKey();
      const row = await deps.prisma.$transaction(async (tx) => {
        const created = await tx.apiKey.create({
          data: { teamId: caller.teamId, name: body.name, scopes: body.scopes, keyPrefix: issued.prefix, keyHash: issued.hash },
        });
        await recordAudit(tx, caller, { action: 'api_key.issue', targetId: created.id, targetTeamId: caller.teamId, changes: { name: body.name, scopes: body.scopes, prefix: issued.prefix } });
        return created;
      });
      res.status(201).json({ ...apiKeyView(row), key: issued.key, note: 'store this key now: Herald keeps only its hash and cannot show it again' } satisfies AnswerOf<typeof issuedApiKeyAnswerSchema>);
    },
  }),

  route({
    method: 'post',
    path: '/v1/admin/api-keys/:id/revoke',
    tag: 'admin: API keys',
    summary: 'Revoke an API key (refused from the next request on)',
    access: ADMIN,
    params: idParamSchema,
    answers: ok('the revoked key', apiKeyViewSchema),
    errors: { 404: 'API_KEY_NOT_FOUND: no such key in your team' },
    handler: async ({ deps, res, params }) => {
      const { id } = params;
      const row = await deps.prisma.apiKey.findFirst({ where: { id, teamId: callerOf(res).teamId } });
      if (!row) throw new HttpError(404, 'API_KEY_NOT_FOUND', `no API key ${id} in your team`);
      const revoked = row.revokedAt ? row : await deps.prisma.$transaction(async (tx) => {
        const updated = await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
        await recordAudit(tx, callerOf(res), { action: 'api_key.revoke', targetId: id, targetTeamId: row.teamId, changes: { name: row.name, prefix: row.keyPrefix } });
        return updated;
      });
      res.json(apiKeyView(revoked));
    },
  }),
];

/** A key as listed: enough to tell keys apart (prefix, name), never the key or its hash. */
function apiKeyView(row: ApiKey): AnswerOf<typeof apiKeyViewSchema> {
  return {
    id: row.id,
    name: row.name,
    prefix: row.keyPrefix,
    scopes: row.scopes,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}
