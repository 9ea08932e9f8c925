import { ActivityFailure, ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { VendorFailureDetails, VendorSendRequest, VendorSendResult } from '../activities/vendor-send';
import type { AmbiguityRule } from '../shared/contract';
import { vendorCallFailureOf, type Hold, type VendorCallFailure } from '../shared/failures';
import type { ErrorClass, Reason } from '../shared/states';
import { STORE_WAIT, VENDOR_CALL } from './activity-options';
import type { RouteCandidate } from './route-order';
import { STEP } from './step-summaries';
import { verifyWithVendor } from './verify-attempt';

const { sendViaAccount } = proxyActivities<Activities>(VENDOR_CALL);
const { awaitStoreReachable } = proxyActivities<Activities>(STORE_WAIT);

/**
 * What the route does after a vendor error of each class: the next account, stop (no vendor
 * will take this receiver), or find out first (the vendor may have it: verify-attempt.ts).
 * Retryable errors were already retried on the same account by the activity's retry policy.
 */
const AFTER_ERROR: Record<ErrorClass, 'NEXT_ACCOUNT' | 'STOP' | 'VERIFY'> = {
  RETRYABLE: 'NEXT_ACCOUNT',
  VENDOR_REJECTED: 'NEXT_ACCOUNT',
  RECEIVER_INVALID: 'STOP',
  AMBIGUOUS: 'VERIFY',
};

/** Pauses between checks of an AMBIGUOUS call: the first soon (most vendors know within a second), doubling to a cap. */
const VERIFY_PAUSE = { firstMs: 1_000, maxMs: 30_000 };

/** Pauses of a send held by its account's rate limit: doubling from the first, capped (each try already waited inside). */
const RATE_LIMIT_PAUSE = { firstMs: 1_000, maxMs: 60_000 };

export interface FailedAttempt extends VendorFailureDetails {
  account: string;
  errorClass: ErrorClass;
  /** The send's vendor call n that failed last on this account (`vendor <account> attempt n`). */
  attempt: number;
  /** An AMBIGUOUS call the vendor neither confirmed nor denied (verify time out, policy FAST): it may have the message. */
  maybeSent: boolean;
}

export type DeliveryResult =
  | { ok: true; sent: VendorSendResult; failed: FailedAttempt[] }
  | { ok: false; reason: Reason; failed: FailedAttempt[] };

/** Tells the send's current details which step the vendor send is at. */
export type StepReport = (what: string) => void;

/**
 * Tries the accounts in route order, each call named `vendor <account> attempt n` in the
 * history (n counts every vendor call of the send). A held call asks the same account again.
 * A call whose answer never came (AMBIGUOUS) is verified with the vendor as the template's
 * rule says before the route moves on.
 */
export async function sendWithFailover(
  request: Omit<VendorSendRequest, 'accountId'>,
  route: RouteCandidate[],
  ambiguity: AmbiguityRule,
  report: StepReport,
): Promise<DeliveryResult> {
  const failed: FailedAttempt[] = [];
  let attempts = 0;
  const nextAttempt = (): number => (attempts += 1);
  for (const candidate of route) {
    const outcome = await sendOnAccount({ ...request, accountId: candidate.accountId }, candidate, ambiguity, nextAttempt, report);
    if ('sent' in outcome) return { ok: true, sent: outcome.sent, failed };
    const attempt = { ...describeFailure(outcome.failure, candidate), attempt: outcome.attempt, maybeSent: outcome.maybeSent };
    failed.push(attempt);
    if (AFTER_ERROR[attempt.errorClass] === 'STOP') return { ok: false, reason: attempt.reason as Reason, failed };
  }
  return { ok: false, reason: 'ALL_VENDORS_FAILED', failed };
}

/** What one account did with the send: took it, or failed (perhaps having taken it after all: an unresolved AMBIGUOUS call). */
type AccountOutcome = { sent: VendorSendResult } | { failure: unknown; attempt: number; maybeSent: boolean };

/**
 * One account, held back as long as the account is over its own rate limit or Herald's
 * Postgres is unreachable: never dropped or failed over for either. An AMBIGUOUS call is
 * verified (policy VERIFY): the vendor has it → sent; the vendor says it has no such message →
 * asked again with the same reference while the account's call budget lasts; otherwise (the
 * verify time ran out, policy FAST, budget used) the call's failure moves the route on.
 */
async function sendOnAccount(
  request: VendorSendRequest,
  candidate: RouteCandidate,
  ambiguity: AmbiguityRule,
  nextAttempt: () => number,
  report: StepReport,
): Promise<AccountOutcome> {
  let calls = 0;
  let holds = 0;
  for (;;) {
    const attempt = nextAttempt();
    const summary = STEP.vendorAttempt(candidate.account, attempt, request.leg);
    report(summary);
    try {
      return { sent: await sendViaAccount.executeWithOptions({ summary }, [request]) };
    } catch (error) {
      const failure = vendorFailureOf(error);
      if (failure?.kind === 'HOLD') {
        holds += 1;
        await holdBack(failure.hold, candidate, holds, report);
        continue;
      }
      if (failure?.kind !== 'VENDOR' || AFTER_ERROR[failure.errorClass] !== 'VERIFY') return { failure: error, attempt, maybeSent: false };
      if (ambiguity.policy === 'FAST') return { failure: error, attempt, maybeSent: true };
      const verdict = await verifyWithVendor(request, { account: candidate.account, attempt }, { ...VERIFY_PAUSE, seconds: ambiguity.verifySeconds }, report);
      if (verdict.outcome === 'ACCEPTED') return { sent: verdict.sent };
      if (verdict.outcome === 'UNKNOWN') return { failure: error, attempt, maybeSent: true };
      calls += failure.calls;
      if (calls >= VENDOR_CALL.retry.maximumAttempts) return { failure: error, attempt, maybeSent: false };
    }
  }
}

/** A vendor call's failure as the workflow reads it (with the calls it made on the account), or null for anything else. */
function vendorFailureOf(error: unknown): (VendorCallFailure & { calls: number }) | null {
  if (!(error instanceof ActivityFailure && error.cause instanceof ApplicationFailure)) return null;
  const failure = vendorCallFailureOf(error.cause.type);
  const details = (error.cause.details?.[0] ?? {}) as Partial<VendorFailureDetails>;
  return failure && { ...failure, calls: details.calls ?? 1 };
}

/**
 * The wait before asking the same account again. Our Postgres: an activity that Temporal retries
 * (backoff to a cap) until Postgres answers, which adds no history events however long the outage
 * lasts. The account's rate limit: a timer, doubling to a cap.
 */
async function holdBack(hold: Hold, candidate: RouteCandidate, holds: number, report: StepReport): Promise<void> {
  if (hold === 'STORE_UNAVAILABLE') {
    const summary = STEP.storeHold(candidate.account);
    report(summary);
    await awaitStoreReachable.executeWithOptions({ summary }, []);
    return;
  }
  const pauseMs = Math.min(RATE_LIMIT_PAUSE.firstMs * 2 ** (holds - 1), RATE_LIMIT_PAUSE.maxMs);
  const summary = STEP.rateLimitHold(candidate.account, pauseMs);
  report(summary);
  await sleep(pauseMs, { summary });
}

function describeFailure(error: unknown, candidate: RouteCandidate): Omit<FailedAttempt, 'attempt' | 'maybeSent'> {
  if (!(error instanceof ActivityFailure)) throw error;
  const where = { provider: candidate.provider, accountId: candidate.accountId, account: candidate.account };
  const cause = error.cause;
  if (!(cause instanceof ApplicationFailure)) {
    // The activity timed out on every retry: as retryable as a 5xx, and as final for this account.
    return { errorClass: 'RETRYABLE', reason: 'UNKNOWN', vendorCode: cause?.name ?? 'TIMEOUT', vendorText: cause?.message ?? error.message, ...where };
  }
  const failure = vendorCallFailureOf(cause.type);
  const details = (cause.details?.[0] ?? {}) as Partial<VendorFailureDetails>;
  return {
    errorClass: failure?.kind === 'VENDOR' ? failure.errorClass : 'RETRYABLE',
    reason: details.reason ?? 'UNKNOWN',
    vendorCode: details.vendorCode ?? cause.type ?? 'UNKNOWN',
    vendorText: details.vendorText ?? cause.message,
    ...where,
  };
}
