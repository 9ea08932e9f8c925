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
 * channel and receiver (so a repeated unsubscribe never piles up rows).
 * Returns the entry and whether it is new.
 */
export async function addSuppression(prisma: PrismaClient, entry: NewSuppression): Promise<{ entry: Suppression; created: boolean }> {
  const teamId = teamIdOf(entry.scope);
  const fields = { reason: entry.reason, source: entry.source, detail: entry.detail, createdBy: entry.createdBy };
  const existing = await prisma.suppression.findFirst({ where: { teamId, channel: entry.channel, receiver: entry.receiver } });
  if (existing) return { entry: await prisma.suppression.update({ where: { id: existing.id }, data: fields }), created: false };
  return { entry: await prisma.suppression.create({ data: { teamId, channel: entry.channel, receiver: entry.receiver, ...fields } }), created: true };
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
