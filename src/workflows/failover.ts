import type { Duration } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { VendorFailureDetails, VendorSendResult } from '../activities/vendor-send';
import { errorClassOfFailureType, RATE_LIMIT_HOLD_TYPE, STORE_UNAVAILABLE_HOLD_TYPE } from '../shared/failures';
import type { Channel, ErrorClass, Reason } from '../shared/states';
import { VENDOR_CALL } from './activity-options';
import type { RouteCandidate } from './route-order';

const { sendViaAccount } = proxyActivities<Activities>(VENDOR_CALL);

/**
 * Pause before asking the same account again, by hold: over its rate limit
 * (each try already waited inside), or our Postgres unreachable (longer, so a
 * long outage adds few events to the history).
 */
const HOLD_PAUSE: ReadonlyMap<string, Duration> = new Map<string, Duration>([
  [RATE_LIMIT_HOLD_TYPE, '1 second'],
  [STORE_UNAVAILABLE_HOLD_TYPE, '5 seconds'],
]);

export interface FailedAttempt extends VendorFailureDetails {
  errorClass: ErrorClass;
}

export type DeliveryResult =
  | { ok: true; sent: VendorSendResult; failed: FailedAttempt[] }
  | { ok: false; reason: Reason; failed: FailedAttempt[] };

/**
 * Tries the accounts in route order. Retryable errors were already retried on
 * the same account by the activity's retry policy; vendor rejections move on at
 * once; an invalid receiver stops: no vendor will take it.
 */
export async function sendWithFailover(
  sendId: string,
  channel: Channel,
  route: RouteCandidate[],
): Promise<DeliveryResult> {
  const failed: FailedAttempt[] = [];
  for (const candidate of route) {
    try {
      const sent = await sendOnAccount(sendId, channel, candidate.accountId);
      return { ok: true, sent, failed };
    } catch (error) {
      const attempt = describeFailure(error, candidate);
      failed.push(attempt);
      if (attempt.errorClass === 'RECEIVER_INVALID') return { ok: false, reason: attempt.reason as Reason, failed };
    }
  }
  return { ok: false, reason: 'ALL_VENDORS_FAILED', failed };
}

/**
 * One account, held back as long as the account is over its own rate limit or
 * Herald's Postgres is unreachable: never dropped or failed over for either.
 */
async function sendOnAccount(sendId: string, channel: Channel, accountId: string): Promise<VendorSendResult> {
  for (;;) {
    try {
      return await sendViaAccount({ sendId, channel, accountId });
    } catch (error) {
      const pause = error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? HOLD_PAUSE.get(error.cause.type ?? '') : undefined;
      if (pause === undefined) throw error;
      await sleep(pause);
    }
  }
}

function describeFailure(error: unknown, candidate: RouteCandidate): FailedAttempt {
  if (!(error instanceof ActivityFailure)) throw error;
  const where = { provider: candidate.provider, accountId: candidate.accountId };
  const cause = error.cause;
  if (!(cause instanceof ApplicationFailure)) {
    // The activity timed out on every retry: as retryable as a 5xx, and as final for this account.
    return { errorClass: 'RETRYABLE', reason: 'UNKNOWN', vendorCode: cause?.name ?? 'TIMEOUT', vendorText: cause?.message ?? error.message, ...where };
  }
  const details = (cause.details?.[0] ?? {}) as Partial<VendorFailureDetails>;
  return {
    errorClass: errorClassOfFailureType(cause.type) ?? 'RETRYABLE',
    reason: details.reason ?? 'UNKNOWN',
    vendorCode: details.vendorCode ?? cause.type ?? 'UNKNOWN',
    vendorText: details.vendorText ?? cause.message,
    ...where,
  };
}
