import { createHash } from 'node:crypto';

/** API keys look like `hk_<prefix>_<secret>`; only a SHA-256 of the whole key is stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The lookup part of a key: stored in clear so a key can be found without scanning hashes. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, 16);
}

