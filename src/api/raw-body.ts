/**
 * The bytes of a receipt push as they arrived: a vendor's signature covers
 * them, not the JSON express parsed from them. Kept only for receipt paths,
 * only as long as the request lives.
 */
import type { IncomingMessage } from 'node:http';

const RECEIPT_PATH = '/v1/receipts/';
const rawBodies = new WeakMap<IncomingMessage, Buffer>();

/** express.json's and express.urlencoded's `verify` hook: remembers the raw body of receipt pushes. */
export function keepReceiptRawBody(req: IncomingMessage, _res: unknown, body: Buffer): void {
  if (isReceiptPush(req)) rawBodies.set(req, body);
}

export function isReceiptPush(req: IncomingMessage): boolean {
  return req.url?.startsWith(RECEIPT_PATH) === true;
}

/** A form-encoded receipt push (Twilio's status callbacks): the only form bodies the API reads. */
export function isFormReceiptPush(req: IncomingMessage): boolean {
  return isReceiptPush(req) && (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** The raw body of a receipt push; empty when it had none (or was not JSON). */
export function receiptRawBody(req: IncomingMessage): Buffer {
  return rawBodies.get(req) ?? Buffer.alloc(0);
}
