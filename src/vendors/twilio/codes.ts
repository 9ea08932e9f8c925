/**
 * Twilio's error codes → Herald's classes and reasons, from Twilio's error
 * dictionary (twilio.com/docs/api/errors). Codes of the REST API (the answer
 * to Messages create) decide retry, failover or stop; delivery codes (the
 * ErrorCode of an undelivered or failed message, in a status callback or a
 * fetched Message) decide the receipt's reason.
 */
import type { Reason } from '../../shared/states';
import { REJECTED, RETRYABLE, receiverInvalid, type Classification } from '../code-table';

/** Messages create answers: 4xx with `code`; a code not listed is classified by its HTTP status (5xx and 429 retried). */
export const TWILIO_SEND_CODES: ReadonlyMap<string, Classification> = new Map([
  ['20003', REJECTED], // Authenticate: wrong Account SID or Auth Token
  ['20404', REJECTED], // The requested resource was not found (an Account SID of another account)
  ['20429', RETRYABLE], // Too Many Requests
  ['21211', receiverInvalid('INVALID_RECEIVER')], // Invalid 'To' Phone Number
  ['21212', REJECTED], // Invalid 'From' Phone Number
  ['21408', REJECTED], // Permission to send an SMS has not been enabled for the region: another account may have it
  ['21606', REJECTED], // The 'From' phone number is not a valid, SMS-capable inbound number for this account
  ['21608', REJECTED], // The 'To' number is not verified (trial account)
  ['21610', receiverInvalid('UNSUBSCRIBED')], // Attempt to send to unsubscribed recipient (replied STOP)
  ['21612', REJECTED], // The 'To' number is not reachable through this sender: another account may reach it
  ['21614', receiverInvalid('INVALID_RECEIVER')], // 'To' number is not a valid mobile number
  ['21617', REJECTED], // The concatenated message body exceeds the 1600 character limit
  ['21635', receiverInvalid('INVALID_RECEIVER')], // 'To' number cannot be a landline
]);

/** The reason of an undelivered or failed message, by its ErrorCode. */
export const TWILIO_DELIVERY_REASONS: ReadonlyMap<string, Reason> = new Map<string, Reason>([
  ['21610', 'UNSUBSCRIBED'], // the recipient replied STOP to this sender
  ['30001', 'UNKNOWN'], // Queue overflow
  ['30002', 'VENDOR_REJECTED'], // Account suspended
  ['30003', 'POWERED_OFF_OR_NO_SIGNAL'], // Unreachable destination handset
  ['30004', 'BLACKLISTED'], // Message blocked (by the carrier or the recipient)
  ['30005', 'INVALID_RECEIVER'], // Unknown destination handset
  ['30006', 'INVALID_RECEIVER'], // Landline or unreachable carrier
  ['30007', 'SPAM_INTERCEPTED'], // Message filtered (carrier violation)
  ['30008', 'UNKNOWN'], // Unknown error
  ['30034', 'CARRIER_BLOCKED'], // Message from an unregistered number (US A2P 10DLC)
]);

/** Message statuses that are final, and what they mean for the receipt; every other status (queued, sending, sent, ...) waits. */
export const TWILIO_FINAL_STATUSES: ReadonlyMap<string, 'DELIVERED' | 'UNDELIVERED'> = new Map([
  ['delivered', 'DELIVERED'],
  ['read', 'DELIVERED'],
  ['undelivered', 'UNDELIVERED'],
  ['failed', 'UNDELIVERED'],
  ['canceled', 'UNDELIVERED'],
]);

/** The keywords Twilio itself treats as an opt-out by default (its Advanced Opt-Out sends OptOutType=STOP instead). */
export const OPT_OUT_KEYWORDS: ReadonlySet<string> = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
