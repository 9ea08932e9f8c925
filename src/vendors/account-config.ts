import { z } from 'zod';
import type { VendorAccount } from './types';
import { VendorError } from './vendor-error';

/**
 * Reads an account's config and secrets with the provider's schemas. A bad
 * account is the account's fault, not the send's: VENDOR_REJECTED
 * CONFIG_INVALID (fail over to the next account), naming the bad fields.
 */
export function readAccountParts<C, S>(
  account: VendorAccount,
  configSchema: z.ZodType<C>,
  secretsSchema: z.ZodType<S>,
): { config: C; secrets: S } {
  const config = configSchema.safeParse(account.config);
  const secrets = secretsSchema.safeParse(account.secrets);
  if (config.success && secrets.success) return { config: config.data, secrets: secrets.data };
  // Secret values are never echoed: only the names of the missing or bad fields.
  const problems = [
    ...(config.success ? [] : config.error.issues.map((issue) => `config.${issue.path.join('.')}: ${issue.message}`)),
    ...(secrets.success ? [] : secrets.error.issues.map((issue) => `secrets.${issue.path.join('.')}: invalid or missing`)),
  ];
  throw new VendorError('VENDOR_REJECTED', 'VENDOR_REJECTED', 'CONFIG_INVALID', `account ${account.name}: ${problems.join('; ')}`);
}
