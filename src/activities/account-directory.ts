import type { PrismaClient } from '../generated/prisma/client';
import type { SecretBox } from '../security/secret-box';
import type { Channel } from '../shared/states';
import type { VendorAccount } from '../vendors/types';

export interface RoutableAccount extends VendorAccount {
  weight: number;
  priority: number;
  rateLimitPerSecond: number | null;
}

/**
 * Enabled vendor accounts per channel, cached for a few seconds: adding,
 * disabling or re-weighting an account reaches running workers within
 * `cacheMs`, with no restart.
 */
export function createAccountDirectory(prisma: PrismaClient, secrets: SecretBox, cacheMs: number) {
  const cache = new Map<Channel, { loadedAt: number; accounts: RoutableAccount[] }>();

  async function load(channel: Channel): Promise<RoutableAccount[]> {
    const rows = await prisma.account.findMany({ where: { channel, enabled: true }, orderBy: { priority: 'asc' } });
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      provider: row.provider,
      channel,
      config: (row.config ?? {}) as Record<string, unknown>,
      secrets: row.secretCiphertext ? secrets.open(row.secretCiphertext) : {},
      weight: row.weight,
      priority: row.priority,
      rateLimitPerSecond: row.rateLimitPerSecond,
    }));
  }

  return {
    async enabledAccounts(channel: Channel): Promise<RoutableAccount[]> {
      const cached = cache.get(channel);
      if (cached && Date.now() - cached.loadedAt < cacheMs) return cached.accounts;
      const accounts = await load(channel);
      cache.set(channel, { loadedAt: Date.now(), accounts });
      return accounts;
    },

    /** An account by id, even if it was disabled after the route was planned. */
    async account(channel: Channel, accountId: string): Promise<RoutableAccount | null> {
      const enabled = await this.enabledAccounts(channel);
      const found = enabled.find((a) => a.id === accountId);
      if (found) return found;
      cache.delete(channel);
      return (await this.enabledAccounts(channel)).find((a) => a.id === accountId) ?? null;
    },
  };
}

export type AccountDirectory = ReturnType<typeof createAccountDirectory>;
