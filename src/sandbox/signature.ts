/**
 * Request signing of the sandbox SMS vendor, shared by the vendor (verify)
 * and Herald's adapter (sign). See sandbox-vendor.ts for the wire format.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADERS = {
  appKey: 'x-app-key',
  timestamp: 'x-timestamp',
  nonce: 'x-nonce',
  signature: 'x-signature',
} as const;

/** How far a request's X-Timestamp may be from the vendor's clock. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

/** Hex HMAC-SHA256(appSecret, `${timestamp}\n${nonce}\n${rawBody}`). */
export function signRequest(appSecret: string, timestamp: string, nonce: string, rawBody: string): string {
  return createHmac('sha256', appSecret).update(`${timestamp}\n${nonce}\n${rawBody}`).digest('hex');
}

export interface SignedParts {
  appKey: string | undefined;
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  rawBody: string;
}

/** Why a request fails authentication, or null when it passes. */
export function authProblem(
  parts: SignedParts,
  credentials: { appKey: string; appSecret: string },
  nowSeconds: number,
): string | null {
  const { appKey, timestamp, nonce, signature, rawBody } = parts;
  if (!appKey || !timestamp || !nonce || !signature) return 'missing signature headers';
  if (appKey !== credentials.appKey) return 'unknown app key';
  const skew = Math.abs(nowSeconds - Number(timestamp));
  if (!Number.isFinite(skew) || skew > MAX_CLOCK_SKEW_SECONDS) return 'timestamp outside the allowed skew';
  const expected = Buffer.from(signRequest(credentials.appSecret, timestamp, nonce, rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature mismatch';
  return null;
}
