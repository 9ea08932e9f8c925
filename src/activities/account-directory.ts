import type { Account as AccountRow, PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { SecretBox } from '../security/secret-box';
import type { Channel } from '../shared/states';
import type { VendorAccount } from '../vendors/types';

export interface RoutableAccount extends VendorAccount {
  weight: number;
  /** A weight pinned by hand (never moved by the delivery-rate rules); null: automatic. */
  pinnedWeight: number | null;
  priority: number;
  rateLimitPerSecond: number | null;
}

/**
 * Enabled vendor accounts per channel, cached for a few seconds: adding,
 * disabling or re-weighting an account reaches running workers within
 * `cacheMs` (by `now`, the clock tests replace), with no restart.
 */
export function createAccountDirectory(prisma: PrismaClient, secrets: SecretBox, cacheMs: number, logger: Logger, now: () => number = Date.now) {
  const cache = new Map<Channel, { loadedAt: number; accounts: RoutableAccount[] }>();

  async function load(channel: Channel): Promise<RoutableAccount[]> {
    const rows = await prisma.account.findMany({ where: { channel, enabled: true }, orderBy: { priority: 'asc' } });
    const usable: RoutableAccount[] = [];
    for (const row of rows) {
      let opened: Record<string, string>;
      try {
        opened = row.secretCiphertext ? secrets.open(row.secretCiphertext) : {};
      } catch (error) {
        // One account whose secret cannot be opened (wrong SECRET_KEY, damaged row) must not stop the channel.
        logger.error({ account: row.name, err: error instanceof Error ? error.message : String(error) }, 'account skipped: secret cannot be decrypted');
        continue;
      }
      usable.push(toRoutable(row, channel, opened));
    }
    return usable;
  }

  function toRoutable(row: AccountRow, channel: Channel, opened: Record<string, string>): RoutableAccount {
    return {
      id: row.id,
      name: row.name,
      provider: row.provider,
      channel,
      config: (row.config ?? {}) as Record<string, unknown>,
      secrets: opened,
      weight: row.weight,
      pinnedWeight: row.pinnedWeight,
      priority: row.priority,
      rateLimitPerSecond: row.rateLimitPerSecond,
    };
  }

  return {
    async enabledAccounts(channel: Channel): Promise<RoutableAccount[]> {
      const cached = cache.get(channel);
      if (cached && now() - cached.loadedAt < cacheMs) return cached.accounts;
      const accounts = await load(channel);
      cache.set(channel, { loadedAt: now(), accounts });
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
