import type { Receipt, SendAttempt, SendRun } from '../generated/prisma/client';
import type { ReplacedHow } from '../sending/send-runs';

/** One vendor call as ops read it: the account, what the vendor answered, how Herald classified it, and the run that made it. */
export interface AttemptEvidence {
  id: string;
  account: string;
  provider: string;
  attemptNo: number;
  /** 1: the first vendor send of its run; each re-route after a failed receipt counts up. */
  leg: number;
  outcome: string;
  errorClass: string | null;
  reason: string | null;
  vendorCode: string | null;
  vendorText: string | null;
  vendorMessageId: string | null;
  startedAt: Date;
  durationMs: number;
  runId: string;
}

/** One delivery receipt: what it said, where it came from (PUSH, POLL, or the send answer itself), and the run whose acceptance it reports. */
export interface ReceiptEvidence {
  id: string;
  /** The acceptance it reports (a re-routed send has one per leg). */
  vendorMessageId: string;
  status: string;
  reason: string | null;
  vendorCode: string | null;
  vendorText: string | null;
  deliveredAt: Date | null;
  receivedAt: Date;
  source: string;
  runId: string | null;
}

/** An earlier run of the send, replaced by a reset or a retry: its outcome as the send showed it then, and what replaced it. */
export interface RunEvidence {
  runId: string;
  runNo: number;
  status: string;
  reason: string | null;
  reasonDetail: string | null;
  vendor: string | null;
  account: string | null;
  vendorMessageId: string | null;
  sentAt: Date | null;
  finishedAt: Date | null;
  replacedHow: ReplacedHow;
  replacedByRunId: string;
  requestedBy: string | null;
  replacedAt: Date;
}

/** How a send's attempts, receipts and earlier runs are loaded wherever they are shown (send view, diagnose, trace). */
export const EVIDENCE_INCLUDE = {
  attempts: { orderBy: [{ startedAt: 'asc' as const }, { attemptNo: 'asc' as const }], include: { account: { select: { name: true } } } },
  receipts: { orderBy: { receivedAt: 'asc' as const } },
  replacedRuns: { orderBy: { runNo: 'asc' as const }, include: { account: { select: { name: true } } } },
};

export function attemptEvidence(attempt: SendAttempt & { account: { name: string } }): AttemptEvidence {
  return {
    id: attempt.id,
    account: attempt.account.name,
    provider: attempt.provider,
    attemptNo: attempt.attemptNo,
    leg: attempt.leg,
    outcome: attempt.outcome,
    errorClass: attempt.errorClass,
    reason: attempt.reason,
    vendorCode: attempt.vendorCode,
    vendorText: attempt.vendorText,
    vendorMessageId: attempt.vendorMessageId,
    startedAt: attempt.startedAt,
    durationMs: attempt.durationMs,
    runId: attempt.runId,
  };
}

export function receiptEvidence(receipt: Receipt): ReceiptEvidence {
  return {
    id: receipt.id,
    vendorMessageId: receipt.vendorMessageId,
    status: receipt.status,
    reason: receipt.reason,
    vendorCode: receipt.vendorCode,
    vendorText: receipt.vendorText,
    deliveredAt: receipt.deliveredAt,
    receivedAt: receipt.receivedAt,
    source: receipt.source,
    runId: receipt.runId,
  };
}

export function runEvidence(run: SendRun & { account: { name: string } | null }): RunEvidence {
  return {
    runId: run.runId,
    runNo: run.runNo,
    status: run.status,
    reason: run.reason,
    reasonDetail: run.reasonDetail,
    vendor: run.provider,
    account: run.account?.name ?? null,
    vendorMessageId: run.vendorMessageId,
    sentAt: run.sentAt,
    finishedAt: run.finishedAt,
    replacedHow: run.replacedHow as ReplacedHow,
    replacedByRunId: run.replacedByRunId,
    requestedBy: run.requestedBy,
    replacedAt: run.replacedAt,
  };
}

/** The number of each run of a send (earlier runs and the current one), to label attempts and receipts with. */
export function runNumbers(earlier: RunEvidence[], current: { runId: string | null; runNo: number }): Map<string, number> {
  const numbers = new Map(earlier.map((run) => [run.runId, run.runNo]));
  if (current.runId) numbers.set(current.runId, current.runNo);
  return numbers;
}

/** One re-route of a send: the leg whose receipt failed in a way another vendor may fix, and the account the next leg went to. */
export interface RerouteEvidence {
  /** The leg the re-route started (2 for the first re-route). */
  leg: number;
  runId: string;
  after: { account: string; provider: string; vendorMessageId: string; vendorCode: string | null; reason: string | null };
  /** The first account the new leg called; null while it has not called one yet. */
  to: string | null;
  at: Date | null;
}

/**
 * The re-routes of a send, read from its attempts (each carries its leg) and the receipts of each
 * leg's acceptance: `re-routed after tencent receipt MK:0002`.
 */
export function reroutesOf(attempts: readonly AttemptEvidence[], receipts: readonly ReceiptEvidence[]): RerouteEvidence[] {
  const reroutes: RerouteEvidence[] = [];
  for (const accepted of attempts.filter((a) => a.outcome === 'ACCEPTED' && a.vendorMessageId !== null)) {
    const next = attempts.find((a) => a.runId === accepted.runId && a.leg === accepted.leg + 1);
    if (!next) continue;
    const failed = receipts.find((r) => r.vendorMessageId === accepted.vendorMessageId && r.status !== 'DELIVERED');
    reroutes.push({
      leg: accepted.leg + 1,
      runId: accepted.runId,
      after: { account: accepted.account, provider: accepted.provider, vendorMessageId: accepted.vendorMessageId ?? '', vendorCode: failed?.vendorCode ?? null, reason: failed?.reason ?? null },
      to: next.account,
      at: failed?.receivedAt ?? next.startedAt,
    });
  }
  return reroutes;
}

/** `re-routed after tencent receipt MK:0002 (ROUTE_FAILED) to aliyun-main`. */
export function describeReroute(reroute: RerouteEvidence): string {
  const { after } = reroute;
  return `re-routed after ${after.provider} receipt ${after.vendorCode ?? 'UNKNOWN'}${after.reason ? ` (${after.reason})` : ''} to ${reroute.to ?? 'the next account'}`;
}
