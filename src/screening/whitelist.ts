import type { CountryCode } from 'libphonenumber-js';
import type { Config } from '../config';
import { receiverSearchKey } from '../shared/receivers';

/**
 * Test mode: only receivers on the whitelist get real sends. `null` means
 * whitelisting is off (every receiver gets sends, as in production).
 */
export type Whitelist = ReadonlySet<string> | null;

/**
 * The whitelist of the config. Entries are written in any common format and
 * kept normalised (E.164 phones, lower-cased e-mails), as send receivers are.
 */
export function whitelistFromConfig(config: Pick<Config, 'WHITELIST_ENABLED' | 'WHITELIST_RECEIVERS' | 'DEFAULT_PHONE_REGION'>): Whitelist {
  if (!config.WHITELIST_ENABLED) return null;
  const region = config.DEFAULT_PHONE_REGION as CountryCode;
  const entries = config.WHITELIST_RECEIVERS.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  return new Set(entries.map((entry) => receiverSearchKey(entry, region)));
}
