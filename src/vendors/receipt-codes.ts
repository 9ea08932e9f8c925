/**
 * Delivery report codes → Herald reasons. Chinese vendors pass the carrier
 * gateway's status code (CMPP/SGIP/SMGP) through in their receipts, so one
 * carrier table serves several vendors; each vendor adds its own words.
 * ROUTE_FAILED marks what another vendor may fix (the send is re-routed,
 * src/workflows/reroute.ts): the vendor's road to the carrier, not the receiver.
 */
import type { Reason } from '../shared/states';

/** Carrier gateway codes seen in China Mobile / Unicom / Telecom status reports. */
export const CARRIER_RECEIPT_REASONS: ReadonlyMap<string, Reason> = new Map<string, Reason>([
  ['MK:0001', 'INVALID_RECEIVER'], // no such subscriber
  ['DB:0101', 'INVALID_RECEIVER'], // wrong number
  ['MK:0005', 'INVALID_RECEIVER'], // number suspended
  ['MK:0013', 'INVALID_RECEIVER'], // number suspended
  ['DB:0102', 'INVALID_RECEIVER'], // number suspended
  ['MK:0010', 'POWERED_OFF_OR_NO_SIGNAL'], // off or out of coverage past the validity period
  ['MK:0023', 'POWERED_OFF_OR_NO_SIGNAL'], // powered off
  ['EXPIRED', 'POWERED_OFF_OR_NO_SIGNAL'], // not reachable within the validity period
  ['DB:0144', 'BLACKLISTED'], // gateway blacklist
  ['MBBLACK', 'BLACKLISTED'],
  ['DBBLACK', 'BLACKLISTED'],
  ['BLACK', 'BLACKLISTED'],
  ['DB:0115', 'UNSUBSCRIBED'], // not subscribed to the service
  ['DB:0116', 'UNSUBSCRIBED'], // subscription paused
  ['MK:0115', 'SPAM_INTERCEPTED'], // spam filter
  ['KEYWORD', 'SPAM_INTERCEPTED'],
  ['MK:0000', 'CARRIER_BLOCKED'], // regional block
  ['MN:0001', 'CARRIER_BLOCKED'], // regional block
  ['REJECTD', 'CARRIER_BLOCKED'],
  ['NOROUTER', 'ROUTE_FAILED'], // no channel to the receiver's carrier
  ['NOROUTE', 'ROUTE_FAILED'], // routing failed at the vendor's gateway
  ['MI:0033', 'ROUTE_FAILED'], // no routing information
  ['MK:0002', 'ROUTE_FAILED'], // China Mobile internal gateway problem
  ['NP:1243', 'ROUTE_FAILED'], // number ported to China Unicom: the vendor's channel went to the old carrier
]);

/** The reason for an undelivered receipt's code: the vendor's own table, then the carrier's, else UNKNOWN. */
export function receiptReason(vendorReasons: ReadonlyMap<string, Reason>, code: string): Reason {
  return vendorReasons.get(code) ?? CARRIER_RECEIPT_REASONS.get(code) ?? 'UNKNOWN';
}
