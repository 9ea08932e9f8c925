import type { PrismaClient, Suppression } from '../generated/prisma/client';
import type { Channel } from '../shared/states';
import type { SuppressionReason, SuppressionSource } from '../shared/suppression';

/** Whose list an entry is on: one team's, or everyone's. */
export type SuppressionScope = { teamId: string } | 'GLOBAL';

export interface NewSuppression {
  scope: SuppressionScope;
  channel: Channel;
  /** Normalised like a send's receiver (E.164, lower-cased e-mail). */
  receiver: string;
  reason: SuppressionReason;
  source: SuppressionSource;
  detail: string | null;
  createdBy: string | null;
}

function teamIdOf(scope: SuppressionScope): string | null {
  return scope === 'GLOBAL' ? null : scope.teamId;
}

/**
 * Adds an entry, or updates the one already there for the same scope,
 * channel and receiver (so a repeated unsubscribe never piles up rows; the
 * unique index makes that hold under concurrent adds too). Returns the entry
 * and whether it is new.
 */
export async function addSuppression(prisma: PrismaClient, entry: NewSuppression): Promise<{ entry: Suppression; created: boolean }> {
  const teamId = teamIdOf(entry.scope);
  const [row] = await prisma.$queryRaw<Array<{ id: string; created: boolean }>>`
    INSERT INTO suppression (id, team_id, channel, receiver, reason, source, detail, created_by)
    VALUES (gen_random_uuid(), ${teamId}::uuid, ${entry.channel}, ${entry.receiver}, ${entry.reason}, ${entry.source}, ${entry.detail}, ${entry.createdBy})
    ON CONFLICT (channel, receiver, team_id) DO UPDATE
      SET reason = EXCLUDED.reason, source = EXCLUDED.source, detail = EXCLUDED.detail, created_by = EXCLUDED.created_by
    RETURNING id::text, (xmax = 0) AS created`;
  if (!row) throw new Error('suppression upsert returned no row');
  return { entry: await prisma.suppression.findUniqueOrThrow({ where: { id: row.id } }), created: row.created };
}

/**
 * The entry that stops a send to `receiver` for `teamId`: the global list
 * first (nobody bypasses it), then the team's own list unless the send may
 * pass it (a VERIFICATION template with bypassTeamSuppression).
 */
export async function blockingSuppression(
  prisma: PrismaClient,
  send: { receiver: string; channel: Channel; teamId: string; bypassTeamSuppression: boolean },
): Promise<Suppression | null> {
  const scopes = send.bypassTeamSuppression ? [null] : [null, send.teamId];
  const entries = await prisma.suppression.findMany({
    where: { channel: send.channel, receiver: send.receiver, OR: scopes.map((teamId) => ({ teamId })) },
  });
  return entries.find((e) => e.teamId === null) ?? entries[0] ?? null;
}
