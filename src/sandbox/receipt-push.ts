/** Pushes receipts to the callback URL, retrying a failed push a few times with a short backoff. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxReceipt } from './receipts';

const PUSH_ATTEMPTS = 4;
const FIRST_BACKOFF_MS = 200;
const REQUEST_TIMEOUT_MS = 5_000;

async function postOnce(url: string, receipts: SandboxReceipt[], signal: AbortSignal): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ receipts }),
    signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`callback answered HTTP ${response.status}`);
}

/**
 * Resolves true once the callback took the receipts; false when every attempt
 * failed or `signal` aborted (the vendor is closing). Never rejects.
 */
export async function pushReceipts(url: string, receipts: SandboxReceipt[], signal: AbortSignal): Promise<boolean> {
  for (let attempt = 0; attempt < PUSH_ATTEMPTS && !signal.aborted; attempt += 1) {
    try {
      if (attempt > 0) await sleep(FIRST_BACKOFF_MS * 2 ** (attempt - 1), undefined, { signal });
      await postOnce(url, receipts, signal);
      return true;
    } catch {
      // try again; the receipt stays pullable either way
    }
  }
  return false;
}
