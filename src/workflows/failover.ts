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

/** Pauses of a send held by its account's rate limit: doubling from the first, capped (each try already waited inside). */
const RATE_LIMIT_PAUSE = { firstMs: 1_000, maxMs: 60_000 };

export interface FailedAttempt extends VendorFailureDetails {
  account: string;
  errorClass: ErrorClass;
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
    try {
      const sent = await sendOnAccount({ ...request, accountId: candidate.accountId }, candidate, ambiguity, nextAttempt, report);
      return { ok: true, sent, failed };
    } catch (error) {
      const attempt = describeFailure(error, candidate);
      failed.push(attempt);
      if (AFTER_ERROR[attempt.errorClass] === 'STOP') return { ok: false, reason: attempt.reason as Reason, failed };
    }
  }
  return { ok: false, reason: 'ALL_VENDORS_FAILED', failed };
}

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
): Promise<VendorSendResult> {
  let calls = 0;
  for (let holds = 1; ; holds += 1) {
    const attempt = nextAttempt();
    const summary = STEP.vendorAttempt(candidate.account, attempt);
    report(summary);
    try {
      return await sendViaAccount.executeWithOptions({ summary }, [request]);
    } catch (error) {
      const failure = vendorFailureOf(error);
      if (failure?.kind === 'HOLD') {
        await holdBack(failure.hold, candidate, holds, report);
        continue;
      }
      if (failure?.kind !== 'VENDOR' || AFTER_ERROR[failure.errorClass] !== 'VERIFY' || ambiguity.policy === 'FAST') throw error;
      const verdict = await verifyWithVendor(request, { account: candidate.account, attempt }, ambiguity, report);
      if (verdict.outcome === 'ACCEPTED') return verdict.sent;
      calls += failure.calls;
      if (verdict.outcome === 'UNKNOWN' || calls >= VENDOR_CALL.retry.maximumAttempts) throw error;
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

function describeFailure(error: unknown, candidate: RouteCandidate): FailedAttempt {
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
