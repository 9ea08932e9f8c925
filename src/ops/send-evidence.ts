import type { Receipt, SendAttempt } from '../generated/prisma/client';

/** One vendor call as ops read it: the account, what the vendor answered, how Herald classified it. */
export interface AttemptEvidence {
  id: string;
  account: string;
  provider: string;
  attemptNo: number;
  outcome: string;
  errorClass: string | null;
  reason: string | null;
  vendorCode: string | null;
  vendorText: string | null;
  vendorMessageId: string | null;
  startedAt: Date;
  durationMs: number;
}

/** One delivery receipt: what it said and where it came from (PUSH, POLL, or the send answer itself). */
export interface ReceiptEvidence {
  id: string;
  status: string;
  reason: string | null;
  vendorCode: string | null;
  vendorText: string | null;
  deliveredAt: Date | null;
  receivedAt: Date;
  source: string;
}

/** How a send's attempts and receipts are loaded wherever they are shown (send view, diagnose, trace). */
export const EVIDENCE_INCLUDE = {
  attempts: { orderBy: [{ startedAt: 'asc' as const }, { attemptNo: 'asc' as const }], include: { account: { select: { name: true } } } },
  receipts: { orderBy: { receivedAt: 'asc' as const } },
};

export function attemptEvidence(attempt: SendAttempt & { account: { name: string } }): AttemptEvidence {
  return {
    id: attempt.id,
    account: attempt.account.name,
    provider: attempt.provider,
    attemptNo: attempt.attemptNo,
    outcome: attempt.outcome,
    errorClass: attempt.errorClass,
    reason: attempt.reason,
    vendorCode: attempt.vendorCode,
    vendorText: attempt.vendorText,
    vendorMessageId: attempt.vendorMessageId,
    startedAt: attempt.startedAt,
    durationMs: attempt.durationMs,
  };
}

export function receiptEvidence(receipt: Receipt): ReceiptEvidence {
  return {
    id: receipt.id,
    status: receipt.status,
    reason: receipt.reason,
    vendorCode: receipt.vendorCode,
    vendorText: receipt.vendorText,
    deliveredAt: receipt.deliveredAt,
    receivedAt: receipt.receivedAt,
    source: receipt.source,
  };
}
