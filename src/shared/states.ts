/**
 * Send states and normalised reasons: see docs/architecture.md ("Send states"),
 * including SCHEDULED (waiting for its `sendAt`), SUPPRESSED (the receiver is on
 * the suppression list) and FILTERED / NOT_WHITELISTED (test mode).
 */

export const SEND_STATUSES = [
  'ACCEPTED', 'SCHEDULED', 'QUEUED', 'SUPPRESSED', 'FILTERED', 'DEDUPED', 'SHIELDED', 'DEFERRED', 'SENDING', 'SENT',
  'DELIVERED', 'UNDELIVERED', 'EXPIRED', 'FAILED', 'CANCELED',
] as const;
export type SendStatus = (typeof SEND_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<SendStatus> = new Set<SendStatus>([
  'SUPPRESSED', 'FILTERED', 'DEDUPED', 'SHIELDED', 'DELIVERED', 'UNDELIVERED', 'EXPIRED', 'FAILED', 'CANCELED',
]);

export function isFinal(status: SendStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/**
 * Final states in which the receiver did not get the message though Herald tried: no vendor took it
 * (FAILED), the receipt says so (UNDELIVERED), or no receipt came (EXPIRED). A send workflow that
 * ends in one fails (shared/failures.ts); an operator may retry it (POST /v1/sends/:id/retry).
 */
export const RETRYABLE_STATUSES: ReadonlySet<SendStatus> = new Set<SendStatus>(['FAILED', 'UNDELIVERED', 'EXPIRED']);

/** The states a send has before its workflow runs (SCHEDULED is written at acceptance); any other means it started or was canceled. */
export const NOT_STARTED_STATUSES = ['ACCEPTED', 'SCHEDULED'] as const satisfies readonly SendStatus[];

export const REASONS = [
  'CONTENT_DUPLICATE', 'FREQUENCY_CAP', 'NIGHT_SHIELD', 'INVALID_RECEIVER', 'BLACKLISTED',
  'UNSUBSCRIBED', 'CARRIER_BLOCKED', 'SPAM_INTERCEPTED', 'POWERED_OFF_OR_NO_SIGNAL', 'INBOX_FULL',
  'VENDOR_REJECTED', 'ALL_VENDORS_FAILED', 'NO_RECEIPT', 'CANCELED', 'NOT_WHITELISTED', 'ROUTE_FAILED', 'UNKNOWN',
] as const;
export type Reason = (typeof REASONS)[number];

/**
 * Receipt reasons another vendor may fix: ROUTE_FAILED is the vendor's road to the receiver's carrier
 * failing (no route, a closed or broken carrier channel, a vendor- or carrier-internal error, a number
 * ported to another carrier). A receipt with one re-routes the send to the next account of its route
 * (src/workflows/reroute.ts). Never an unsubscribe, a blacklist, an invalid number or a frequency limit:
 * those hold whatever vendor carries the message.
 */
export const REROUTABLE_REASONS: ReadonlySet<Reason> = new Set<Reason>(['ROUTE_FAILED']);

export const CHANNELS = ['SMS', 'EMAIL', 'CHAT'] as const;
export type Channel = (typeof CHANNELS)[number];

export const MESSAGE_TYPES = ['NOTICE', 'MARKETING', 'VERIFICATION'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const SHIELD_POLICIES = ['NONE', 'DROP', 'DEFER'] as const;
export type ShieldPolicy = (typeof SHIELD_POLICIES)[number];

/**
 * How a vendor failure is handled; decided once, in the adapter that saw it. AMBIGUOUS: the request
 * left and no answer came back (a timeout or a cut connection after it was sent), so the vendor may
 * have the message: Herald asks the vendor before it moves on (src/workflows/verify-attempt.ts).
 */
export const ERROR_CLASSES = ['RETRYABLE', 'VENDOR_REJECTED', 'RECEIVER_INVALID', 'AMBIGUOUS'] as const;
/** The classes a vendor's answer (a code, a status) can have: an answer is never ambiguous. */
export const ANSWER_ERROR_CLASSES = ['RETRYABLE', 'VENDOR_REJECTED', 'RECEIVER_INVALID'] as const satisfies readonly ErrorClass[];
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export type ReceiptStatus = 'DELIVERED' | 'UNDELIVERED';

/**
 * What a send does with an AMBIGUOUS vendor call, per template: VERIFY asks the vendor (its status
 * query by Herald's reference, or a receipt carrying it) for up to the template's verify time and
 * fails over only when the vendor has no such message or the time ran out; FAST fails over at once
 * (a one-time code that must arrive now, at the risk of a second message).
 */
export const AMBIGUITY_POLICIES = ['VERIFY', 'FAST'] as const;
export type AmbiguityPolicy = (typeof AMBIGUITY_POLICIES)[number];

/**
 * A send attempt's outcome (send_attempt.outcome): the vendor took it, refused it or failed, or the
 * call's outcome is not known (AMBIGUOUS). An AMBIGUOUS attempt becomes ACCEPTED when the vendor's
 * status query or a receipt carrying Herald's reference says the vendor took it (its error class
 * stays AMBIGUOUS as the evidence of how it was found).
 */
export type AttemptOutcome = 'ACCEPTED' | 'FAILED' | 'AMBIGUOUS';

/** An audience (src/audiences): UPLOADING while its CSV streams in, READY when complete (the only state campaigns read), FAILED when the upload broke off. */
export const AUDIENCE_STATUSES = ['UPLOADING', 'READY', 'FAILED'] as const;
export type AudienceStatus = (typeof AUDIENCE_STATUSES)[number];
