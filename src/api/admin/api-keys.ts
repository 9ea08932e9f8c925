import { Router } from 'express';
import type { ApiKey } from '../../generated/prisma/client';
import { issueApiKey } from '../../security/api-keys';
import { recordAudit } from '../../audit/audit-log';
import { callerOf } from '../caller';
import { requireScope, TEAM_SCOPES } from '../scopes';
import type { AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { idParamSchema } from '../schemas';
import { parseOr400 } from '../validate';
import type { apiKeyListAnswerSchema, apiKeyViewSchema, issuedApiKeyAnswerSchema } from './answers';
import { issueApiKeySchema } from './schemas';

/**
 * API keys of the admin's team (`admin` scope): issue (the key is in that
 * answer only), list, revoke (refused from the next request on). A team admin
 * grants only TEAM_SCOPES; a key with `ops` or `platform` (which reach across
 * teams) is issued by a platform admin only. Issuing and revoking are in the audit log.
 */
export function adminApiKeysRouter(deps: ApiDeps): Router {
  const router = Router();
  router.use('/v1/admin/api-keys', requireScope('admin'));

  router.get('/v1/admin/api-keys', async (_req, res) => {
    const rows = await deps.prisma.apiKey.findMany({ where: { teamId: callerOf(res).teamId }, orderBy: { createdAt: 'asc' } });
    res.json({ apiKeys: rows.map(apiKeyView) } satisfies AnswerOf<typeof apiKeyListAnswerSchema>);
  });

  router.post('/v1/admin/api-keys', async (req, res) => {
    const body = parseOr400(issueApiKeySchema, req.body, 'body');
    const caller = callerOf(res);
    const crossTeam = body.scopes.filter((scope) => !TEAM_SCOPES.includes(scope));
    if (crossTeam.length > 0 && !caller.scopes.includes('platform')) {
      throw new HttpError(403, 'FORBIDDEN', `granting ${crossTeam.join(', ')} needs the platform scope`, { field: 'scopes' });
    }
    const issued = issueApiKey();
    const row = await deps.prisma.$transaction(async (tx) => {
      const created = await tx.apiKey.create({
        data: { teamId: caller.teamId, name: body.name, scopes: body.scopes, keyPrefix: issued.prefix, keyHash: issued.hash },
      });
      await recordAudit(tx, caller, { action: 'api_key.issue', targetId: created.id, targetTeamId: caller.teamId, changes: { name: body.name, scopes: body.scopes, prefix: issued.prefix } });
      return created;
    });
    res.status(201).json({ ...apiKeyView(row), key: issued.key, note: 'store this key now: Herald keeps only its hash and cannot show it again' } satisfies AnswerOf<typeof issuedApiKeyAnswerSchema>);
  });

  router.post('/v1/admin/api-keys/:id/revoke', async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
    const row = await deps.prisma.apiKey.findFirst({ where: { id, teamId: callerOf(res).teamId } });
    if (!row) throw new HttpError(404, 'API_KEY_NOT_FOUND', `no API key ${id} in your team`);
    const revoked = row.revokedAt ? row : await deps.prisma.$transaction(async (tx) => {
      const updated = await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
      await recordAudit(tx, callerOf(res), { action: 'api_key.revoke', targetId: id, targetTeamId: row.teamId, changes: { name: row.name, prefix: row.keyPrefix } });
      return updated;
    });
    res.json(apiKeyView(revoked));
  });

  return router;
}

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
