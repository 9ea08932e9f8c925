import { createHash, randomBytes } from 'node:crypto';

/** API keys look like `hk_<prefix>_<secret>`; only a SHA-256 of the whole key is stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The lookup part of a key: stored in clear so a key can be found without scanning hashes. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, 16);
}

/** A new key `hk_<12 hex>_<32 base64url>` (192 random bits after the prefix); the caller sees it once, Herald keeps the hash. */
export function issueApiKey(): { key: string; prefix: string; hash: string } {
  const key = `hk_${randomBytes(6).toString('hex')}_${randomBytes(24).toString('base64url')}`;
  return { key, prefix: apiKeyPrefix(key), hash: hashApiKey(key) };
}
