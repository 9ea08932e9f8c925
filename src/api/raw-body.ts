/**
 * The bytes of a receipt push as they arrived: a vendor's signature covers
 * them, not the JSON express parsed from them. Kept only for receipt paths,
 * only as long as the request lives.
 */
import type { IncomingMessage } from 'node:http';

const RECEIPT_PATH = '/v1/receipts/';
const rawBodies = new WeakMap<IncomingMessage, Buffer>();

/** express.json's `verify` hook: remembers the raw body of receipt pushes. */
export function keepReceiptRawBody(req: IncomingMessage, _res: unknown, body: Buffer): void {
  if (req.url?.startsWith(RECEIPT_PATH)) rawBodies.set(req, body);
}

/** The raw body of a receipt push; empty when it had none (or was not JSON). */
export function receiptRawBody(req: IncomingMessage): Buffer {
  return rawBodies.get(req) ?? Buffer.alloc(0);
}
