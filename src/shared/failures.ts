/**
 * Temporal failure types: the one place an error is classified. Activities throw
 * ApplicationFailure with one of these types; the workflow reads the type, never the
 * message. Workflow-safe.
 */
import { RETRYABLE_STATUSES, type ErrorClass, type Reason, type SendStatus } from './states';

/** Classified vendor errors, by the class the adapter that saw the error gave them. */
export const FAILURE_TYPE: Record<ErrorClass, string> = {
  RETRYABLE: 'VendorRetryableError',
  VENDOR_REJECTED: 'VendorRejectedError',
  RECEIVER_INVALID: 'ReceiverInvalidError',
  AMBIGUOUS: 'VendorAmbiguousOutcome',
};

/** The account stayed over its own rate limit: the workflow holds the send and asks the same account again. */
export const RATE_LIMIT_HOLD_TYPE = 'AccountRateLimitHold';

/**
 * Herald's own Postgres was unreachable during a vendor send: not the vendor's
 * fault, so it neither uses up the account's attempts nor fails over; the
 * workflow holds the send until Postgres answers, then asks the same account again.
 */
export const STORE_UNAVAILABLE_HOLD_TYPE = 'HeraldStoreUnavailableHold';

/** Why a vendor call was held back instead of answered: the account's rate limit, or our own database. */
export type Hold = 'RATE_LIMIT' | 'STORE_UNAVAILABLE';

const HOLD_TYPES: Record<string, Hold> = { [RATE_LIMIT_HOLD_TYPE]: 'RATE_LIMIT', [STORE_UNAVAILABLE_HOLD_TYPE]: 'STORE_UNAVAILABLE' };

/**
 * A send workflow run that Temporal no longer counts as the current run of its workflow id
 * (a reset replaced it while one of its activities was still going): its activities write
 * nothing, so the run that replaced it owns the send's records.
 */
export const RUN_SUPERSEDED_TYPE = 'SendRunSuperseded';

/**
 * Types that Temporal must not retry: retrying cannot change the vendor's answer, or the workflow
 * decides (an AMBIGUOUS call is verified with the vendor first: a blind retry may send twice).
 */
export const NON_RETRYABLE_FAILURE_TYPES = [FAILURE_TYPE.VENDOR_REJECTED, FAILURE_TYPE.RECEIVER_INVALID, FAILURE_TYPE.AMBIGUOUS, RATE_LIMIT_HOLD_TYPE, STORE_UNAVAILABLE_HOLD_TYPE, RUN_SUPERSEDED_TYPE];

/** What a vendor call's failure means to the workflow: hold the send and ask again, or a vendor's classified answer. */
export type VendorCallFailure = { kind: 'HOLD'; hold: Hold } | { kind: 'VENDOR'; errorClass: ErrorClass };

/** Reads a failure type; null for anything that is not ours (a timeout, a bug): the workflow treats that as retryable. */
export function vendorCallFailureOf(type: string | undefined | null): VendorCallFailure | null {
  const hold = HOLD_TYPES[type ?? ''];
  if (hold) return { kind: 'HOLD', hold };
  const entry = Object.entries(FAILURE_TYPE).find(([, name]) => name === type);
  return entry ? { kind: 'VENDOR', errorClass: entry[0] as ErrorClass } : null;
}

/** The failure type a failed send workflow ends with: its reason (ALL_VENDORS_FAILED, NO_RECEIPT, CARRIER_BLOCKED, ...). */
export function sendFailureType(reason: Reason | null): string {
  return reason ?? 'UNKNOWN';
}

/** The message a send workflow fails with when the send did not reach its receiver: its final state first, then the reason and detail. */
export function sendFailureMessage(status: SendStatus, reason: Reason | null, detail: string | null | undefined): string {
  return `${status} ${reason ?? ''}${detail ? `: ${detail}` : ''}`;
}

/** Whether a failure's message is one `sendFailureMessage` wrote (it starts with FAILED, UNDELIVERED or EXPIRED). */
export function isSendFailureMessage(message: string): boolean {
  return [...RETRYABLE_STATUSES].some((status) => message.startsWith(`${status} `));
}

/** An update that does not apply to the send's state (cancel after the vendor took it, send-now when not deferred). */
export const SEND_CONTROL_REFUSED_TYPE = 'SendControlRefused';
