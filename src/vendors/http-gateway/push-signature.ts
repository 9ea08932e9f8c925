/** Verifies the signature a gateway puts on the receipts it pushes (config `receiptPush.signature`). */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PushedRequest } from '../types';
import type { GatewayReceiptPush } from './config';

type PushSignature = NonNullable<GatewayReceiptPush['signature']>;

/** Why the push is refused, or null when its signature verifies. */
export function pushSignatureProblem(signature: PushSignature, secrets: Record<string, string>, push: PushedRequest, now = Date.now()): string | null {
  const key = secrets[signature.secret];
  if (key === undefined) return `the account has no secret ${signature.secret} (receiptPush.signature)`;
  const presented = push.header(signature.header);
  if (presented === undefined || !presented.startsWith(signature.prefix)) return `no ${signature.header} signature header`;
  let signed = push.rawBody;
  if (signature.timestampHeader) {
    const timestamp = push.header(signature.timestampHeader) ?? '';
    const millis = Number(timestamp) * (signature.timestampUnit === 's' ? 1000 : 1);
    if (!/^\d+$/.test(timestamp) || Math.abs(now - millis) > signature.maxSkewSeconds * 1000) return `${signature.timestampHeader} is missing or too far from now`;
    signed = Buffer.concat([Buffer.from(`${timestamp}${signature.separator}`, 'utf8'), push.rawBody]);
  }
  const expected = Buffer.from(createHmac(signature.algorithm, key).update(signed).digest(signature.encoding), 'utf8');
  const given = Buffer.from(presented.slice(signature.prefix.length), 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given) ? null : 'the signature does not match the body';
}
