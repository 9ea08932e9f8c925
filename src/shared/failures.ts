/**
 * Temporal failure types for classified vendor errors. Activities throw
 * ApplicationFailure with one of these types; the workflow reads the type,
 * never the message. Workflow-safe.
 */
import type { ErrorClass } from './states';

export const FAILURE_TYPE: Record<ErrorClass, string> = {
  RETRYABLE: 'VendorRetryableError',
  VENDOR_REJECTED: 'VendorRejectedError',
  RECEIVER_INVALID: 'ReceiverInvalidError',
};

/** The account stayed over its own rate limit: the workflow holds the send and asks the same account again. */
export const RATE_LIMIT_HOLD_TYPE = 'AccountRateLimitHold';

/**
 * Herald's own Postgres was unreachable during a vendor send: not the vendor's
 * fault, so it neither uses up the account's attempts nor fails over; the
 * workflow holds the send and asks the same account again.
 */
export const STORE_UNAVAILABLE_HOLD_TYPE = 'HeraldStoreUnavailableHold';

/** Types that Temporal must not retry: retrying cannot change the vendor's answer (or the workflow decides). */
export const NON_RETRYABLE_FAILURE_TYPES = [FAILURE_TYPE.VENDOR_REJECTED, FAILURE_TYPE.RECEIVER_INVALID, RATE_LIMIT_HOLD_TYPE, STORE_UNAVAILABLE_HOLD_TYPE];

export function errorClassOfFailureType(type: string | undefined | null): ErrorClass | null {
  const entry = Object.entries(FAILURE_TYPE).find(([, name]) => name === type);
  return entry ? (entry[0] as ErrorClass) : null;
}
