import { Router } from 'express';
import type { AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';
import { requireScope } from '../scopes';
import { parseOr400 } from '../validate';
import type { auditLogAnswerSchema } from './answers';
import { auditLogQuerySchema } from './schemas';

/** `GET /v1/admin/audit-log`: who changed what (src/audit/audit-log.ts), for platform admins; newest first. */
export function adminAuditLogRouter(deps: ApiDeps): Router {
  const router = Router();

  router.get('/v1/admin/audit-log', requireScope('platform'), async (req, res) => {
    const { before, limit, ...filter } = parseOr400(auditLogQuerySchema, req.query, 'query');
    const rows = await deps.prisma.auditLog.findMany({
      where: { ...filter, ...(before ? { at: { lt: new Date(before) } } : {}) },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    const keys = await deps.prisma.apiKey.findMany({ where: { id: { in: [...new Set(rows.map((row) => row.apiKeyId))] } }, select: { id: true, name: true } });
    const keyNames = new Map(keys.map((key) => [key.id, key.name]));
    res.json({
      entries: rows.map((row) => ({
        id: row.id, at: row.at, apiKeyId: row.apiKeyId, apiKeyName: keyNames.get(row.apiKeyId) ?? null, teamId: row.teamId,
        action: row.action, targetType: row.targetType, targetId: row.targetId, targetTeamId: row.targetTeamId,
        changes: row.changes as Record<string, unknown>,
      })),
    } satisfies AnswerOf<typeof auditLogAnswerSchema>);
  });

  return router;
}
