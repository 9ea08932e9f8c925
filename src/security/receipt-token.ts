import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The secret in an account's receipt push URL (`/v1/receipts/<provider>/<token>`).
 * Derived as HMAC-SHA256(RECEIPT_TOKEN_KEY, account id), so nothing secret is
 * stored per account and the URL can be shown again to an admin; changing
 * RECEIPT_TOKEN_KEY revokes every URL at once.
 */
export function receiptToken(base64Key: string, accountId: string): string {
  return createHmac('sha256', Buffer.from(base64Key, 'base64')).update(`receipt-push:${accountId}`).digest('base64url');
}

/** The full URL a vendor pushes this account's receipts to. */
export function receiptPushUrl(publicBaseUrl: string, base64Key: string, account: { id: string; provider: string }): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/v1/receipts/${encodeURIComponent(account.provider)}/${receiptToken(base64Key, account.id)}`;
}

/**
 * The account among `candidates` whose token `presented` is, or null. Every
 * candidate is compared in constant time, so the answer time does not tell
 * how close a guess was.
 */
export function accountForToken<T extends { id: string }>(base64Key: string, candidates: T[], presented: string): T | null {
  const given = Buffer.from(presented);
  let found: T | null = null;
  for (const candidate of candidates) {
    const expected = Buffer.from(receiptToken(base64Key, candidate.id));
    const same = expected.length === given.length && timingSafeEqual(expected, given);
    if (same) found = candidate;
  }
  return found;
}
