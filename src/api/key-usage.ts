import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';

/** How stale `api_key.last_used_at` may get: at most one write per key per minute. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Records when an API key was last used, so admins can find and revoke keys
 * nobody uses. Cheap: this process skips keys it wrote within the last
 * minute, and the UPDATE itself only writes a row older than a minute (other
 * processes). Never delays or fails a request.
 */
export function createKeyUsage(prisma: PrismaClient, logger: Logger) {
  const lastTouched = new Map<string, number>();
  return {
    touch(apiKeyId: string): void {
      const now = Date.now();
      if (now - (lastTouched.get(apiKeyId) ?? 0) < TOUCH_EVERY_MS) return;
      lastTouched.set(apiKeyId, now);
      const staleBefore = new Date(now - TOUCH_EVERY_MS);
      prisma.apiKey
        .updateMany({
          where: { id: apiKeyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: staleBefore } }] },
          data: { lastUsedAt: new Date(now) },
        })
        .catch((error: unknown) => logger.warn({ err: error, apiKeyId }, 'api_key.last_used_at write failed'));
    },
  };
}

export type KeyUsage = ReturnType<typeof createKeyUsage>;
