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

/** How a vendor failure is handled; decided once, in the adapter that saw it. */
export const ERROR_CLASSES = ['RETRYABLE', 'VENDOR_REJECTED', 'RECEIVER_INVALID'] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export type ReceiptStatus = 'DELIVERED' | 'UNDELIVERED';

/** An audience (src/audiences): UPLOADING while its CSV streams in, READY when complete (the only state campaigns read), FAILED when the upload broke off. */
export const AUDIENCE_STATUSES = ['UPLOADING', 'READY', 'FAILED'] as const;
export type AudienceStatus = (typeof AUDIENCE_STATUSES)[number];
