import { Prisma } from '../generated/prisma/client';

/**
 * Every vendor acceptance Herald knows, as a table for billing (one row per message a vendor
 * billed): the newest run's on the send row, and each earlier run's (a reset or retry that sent
 * again) in send_run. An earlier run's acceptance that the newest run kept (a reset to after the
 * vendor step) is the same message and counts once. Columns: send_id, account_id, provider,
 * vendor_message_id, sent_at, segments, receiver, status (the final state of the run it belongs to).
 * Filters on the outer query reach both branches, so the `send(sent_at)` index still serves a month.
 */
export const ACCEPTANCES = Prisma.sql`(
  SELECT s.id AS send_id, s.account_id, s.provider, s.vendor_message_id, s.sent_at, s.segments, s.receiver, s.status
    FROM send s
   WHERE s.vendor_message_id IS NOT NULL
  UNION ALL
  SELECT r.send_id, r.account_id, r.provider, r.vendor_message_id, r.sent_at, s.segments, s.receiver, r.status
    FROM send_run r JOIN send s ON s.id = r.send_id
   WHERE r.vendor_message_id IS NOT NULL AND r.vendor_message_id IS DISTINCT FROM s.vendor_message_id
)`;
