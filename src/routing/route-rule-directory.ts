import type { PrismaClient } from '../generated/prisma/client';
import { MESSAGE_TYPES, type Channel } from '../shared/states';
import type { RouteRule } from './route-rules';

/**
 * The route rules of each channel, cached like the accounts (account-directory.ts):
 * a rule created, changed or deleted reaches running workers within `cacheMs`
 * (by `now`, the clock tests replace), with no restart.
 */
export function createRouteRuleDirectory(prisma: PrismaClient, cacheMs: number, now: () => number = Date.now) {
  const cache = new Map<Channel, { loadedAt: number; rules: RouteRule[] }>();

  return {
    async rulesOf(channel: Channel): Promise<RouteRule[]> {
      const cached = cache.get(channel);
      if (cached && now() - cached.loadedAt < cacheMs) return cached.rules;
      const rules = (await prisma.routeRule.findMany({ where: { channel } })).map((row) => toRule(row, channel)).filter((rule) => rule !== null);
      cache.set(channel, { loadedAt: now(), rules });
      return rules;
    },
  };
}

export type RouteRuleDirectory = ReturnType<typeof createRouteRuleDirectory>;

/** A stored rule as the matcher reads it; one whose message type is not Herald's (written in SQL) is left out. */
export function toRule(row: { id: string; channel: string; prefix: string | null; messageType: string | null; accountIds: string[] }, channel: Channel): RouteRule | null {
  const messageType = row.messageType === null ? null : MESSAGE_TYPES.find((type) => type === row.messageType);
  if (messageType === undefined) return null;
  return { id: row.id, channel, prefix: row.prefix, messageType, accountIds: row.accountIds };
}
