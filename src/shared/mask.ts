/** Masking for anything that identifies a person or opens an account. */

/** `+8613800138000` → `+86138****8000`; `alice@example.com` → `a***e@example.com`. */
export function maskReceiver(receiver: string): string {
  const at = receiver.indexOf('@');
  if (at > 0) {
    const local = receiver.slice(0, at);
    const shown = local.length <= 2 ? local[0] ?? '' : `${local[0]}***${local[local.length - 1]}`;
    return `${shown}${local.length <= 2 ? '***' : ''}${receiver.slice(at)}`;
  }
  if (receiver.length <= 7) return '*'.repeat(receiver.length);
  const keepHead = Math.min(6, receiver.length - 7);
  return `${receiver.slice(0, keepHead)}****${receiver.slice(-4)}`;
}

/** Keeps a short prefix so an operator can tell keys apart, hides the rest. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return '****';
  return `${secret.slice(0, 4)}****`;
}
