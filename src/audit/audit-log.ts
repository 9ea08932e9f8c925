/**
 * The audit log: who changed what through the management API. One row per
 * change, written in the transaction of the change itself, so a change is
 * never without its row. Secrets appear by name only, never by value.
 */
import type { Prisma } from '../generated/prisma/client';
import type { Caller } from '../api/caller';

export const AUDIT_ACTIONS = [
  'account.create', 'account.update', 'account.enable', 'account.disable',
  'route_rule.create', 'route_rule.update', 'route_rule.delete',
  'template.approve', 'template.disable',
  'api_key.issue', 'api_key.revoke',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_TARGET_TYPES = ['account', 'route_rule', 'template', 'api_key'] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];

/** The target type an action is about (`account.update` → `account`). */
function targetTypeOf(action: AuditAction): AuditTargetType {
  return action.slice(0, action.indexOf('.')) as AuditTargetType;
}

export interface AuditEntry {
  action: AuditAction;
  targetId: string;
  /** The team the target belongs to; null for platform-wide targets (vendor accounts, route rules). */
  targetTeamId: string | null;
  /** What changed: `{field: {from, to}}`, or the fields set; secrets as `{secrets: {names: [...]}}`. */
  changes: Prisma.InputJsonObject;
}

/** Writes one entry with `tx` (the change's transaction client). */
export async function recordAudit(tx: Prisma.TransactionClient, caller: Caller, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      apiKeyId: caller.apiKeyId,
      teamId: caller.teamId,
      action: entry.action,
      targetType: targetTypeOf(entry.action),
      targetId: entry.targetId,
      targetTeamId: entry.targetTeamId,
      changes: entry.changes,
    },
  });
}

/**
 * The fields of `after` whose value differs from `before`, as `{field: {from, to}}`
 * (JSON values compared by their JSON text).
 */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Prisma.InputJsonObject {
  const changes: Record<string, Prisma.InputJsonValue> = {};
  for (const [field, value] of Object.entries(after)) {
    if (value === undefined || JSON.stringify(before[field]) === JSON.stringify(value)) continue;
    changes[field] = { from: toJson(before[field]), to: toJson(value) };
  }
  return changes;
}

function toJson(value: unknown): Prisma.InputJsonValue | null {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue | null);
}
