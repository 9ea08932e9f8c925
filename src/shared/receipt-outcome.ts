import type { ReceiptNotice } from './contract';
import { REROUTABLE_REASONS, type Reason, type ReceiptStatus } from './states';

/** The final state a receipt gives its send: DELIVERED with no reason, else its reason (UNKNOWN when it named none). */
export interface ReceiptFinalState {
  status: ReceiptStatus;
  reason: Reason | null;
  vendorCode: string | null;
  vendorText: string | null;
}

export function finalStateOfReceipt(receipt: ReceiptNotice): ReceiptFinalState {
  return {
    status: receipt.status,
    reason: receipt.status === 'DELIVERED' ? null : (receipt.reason ?? 'UNKNOWN'),
    vendorCode: receipt.vendorCode,
    vendorText: receipt.vendorText,
  };
}

/** A failed receipt another vendor may fix (wrong carrier road): the send may go again through the next account (src/workflows/reroute.ts). */
export function mayBeRerouted(receipt: ReceiptNotice): boolean {
  return receipt.reason !== null && REROUTABLE_REASONS.has(receipt.reason);
}
