import { ActivityFailure, ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { VendorFailureDetails, VendorSendResult } from '../activities/vendor-send';
import { errorClassOfFailureType, RATE_LIMIT_HOLD_TYPE } from '../shared/failures';
import type { Channel, ErrorClass, Reason } from '../shared/states';
import { VENDOR_CALL } from './activity-options';
import type { RouteCandidate } from './route-order';

const { sendViaAccount } = proxyActivities<Activities>(VENDOR_CALL);

/** Pause between two tries of an account that is over its rate limit (each try already waited inside). */
const RATE_LIMIT_HOLD = '1 second';

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

/** One account, held back as long as the account is over its own rate limit: never dropped for it. */
async function sendOnAccount(sendId: string, channel: Channel, accountId: string): Promise<VendorSendResult> {
  for (;;) {
    try {
      return await sendViaAccount({ sendId, channel, accountId });
    } catch (error) {
      const held = error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === RATE_LIMIT_HOLD_TYPE;
      if (!held) throw error;
      await sleep(RATE_LIMIT_HOLD);
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
