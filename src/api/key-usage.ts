import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';

/** `last_used_at` is written at most once a minute per key: enough to spot unused keys, no write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Records that a key was used, after the fact; a failed write is logged and never fails the request. */
export function recordKeyUse(prisma: PrismaClient, logger: Logger, key: { id: string; lastUsedAt: Date | null }): void {
  const now = new Date();
  if (key.lastUsedAt && now.getTime() - key.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  // The row may be the API's cached one: it remembers the write, so the next request of the minute writes nothing.
  key.lastUsedAt = now;
  prisma.apiKey
    .update({ where: { id: key.id }, data: { lastUsedAt: now } })
    .catch((error: unknown) => logger.warn({ err: error instanceof Error ? error.message : String(error), apiKeyId: key.id }, 'recording API key use failed'));
}
