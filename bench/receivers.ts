let next = 0;

/**
 * Distinct, valid Chinese mobile numbers (+86 138 …): every benchmark send
 * goes to a new receiver, so dedup, frequency caps and bombing protection
 * never filter a benchmark send.
 */
export function freshReceivers(count: number): string[] {
  return Array.from({ length: count }, () => `+86138${String(next++).padStart(8, '0')}`);
}
