import type { AnswerOf } from '../answers';
import { ok, PLATFORM } from '../openapi/access';
import { route, type ApiRoute } from '../route';
import { auditLogAnswerSchema } from './answers';
import { auditLogQuerySchema } from './schemas';

/** `GET /v1/admin/audit-log`: who changed what (src/audit/audit-log.ts), for platform admins; newest first. */
export const adminAuditLogRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/admin/audit-log',
    tag: 'admin: audit log',
    summary: 'Who changed what: accounts, template approval, API keys (newest first)',
    description: 'Paged with `before` (the `at` of the last entry of the previous page). Secrets appear by name only, never their values.',
    access: PLATFORM,
    query: auditLogQuerySchema,
    answers: ok('the entries', auditLogAnswerSchema),
    handler: async ({ deps, res, query: { before, limit, ...filter } }) => {
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
    },
  }),
];
