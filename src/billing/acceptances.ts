import { Prisma } from '../generated/prisma/client';

/**
 * Every vendor acceptance Herald knows, as a table for billing (one row per message a vendor
 * billed): the newest run's on the send row, each earlier run's (a reset or retry that sent
 * again) in send_run, and each leg a failed receipt re-routed to another account (the row and
 * send_run show a run's last leg) in its ACCEPTED attempt: that leg's vendor billed it, and its
 * receipt said UNDELIVERED. An earlier run's acceptance that the newest run kept (a reset to after
 * the vendor step) is the same message and counts once. Columns: send_id, account_id, provider,
 * vendor_message_id, sent_at, segments, receiver, status (the final state of the run it belongs to).
 * A vendor's late acceptance of a call whose answer never came (an AMBIGUOUS attempt confirmed by its
 * status query or a receipt after the send had gone on to another vendor) is a message billed too.
 * Its sent_at is when the call left, as for a re-routed leg (`send_attempt(started_at)`).
 * Filters on the outer query reach every branch, so the `send(sent_at)` index still serves a month.
 */
export const ACCEPTANCES = Prisma.sql`(
  SELECT s.id AS send_id, s.account_id, s.provider, s.vendor_message_id, s.sent_at, s.segments, s.receiver, s.status
    FROM send s
   WHERE s.vendor_message_id IS NOT NULL
  UNION ALL
  SELECT r.send_id, r.account_id, r.provider, r.vendor_message_id, r.sent_at, s.segments, s.receiver, r.status
    FROM send_run r JOIN send s ON s.id = r.send_id
   WHERE r.vendor_message_id IS NOT NULL AND r.vendor_message_id IS DISTINCT FROM s.vendor_message_id
  UNION ALL
  SELECT a.send_id, a.account_id, a.provider, a.vendor_message_id, a.started_at AS sent_at, s.segments, s.receiver, 'UNDELIVERED' AS status
    FROM send_attempt a JOIN send s ON s.id = a.send_id
   WHERE a.outcome = 'ACCEPTED' AND a.error_class IS DISTINCT FROM 'AMBIGUOUS' AND a.vendor_message_id IS DISTINCT FROM s.vendor_message_id
     AND EXISTS (SELECT 1 FROM send_attempt n WHERE n.send_id = a.send_id AND n.run_id = a.run_id AND n.leg = a.leg + 1)
     AND NOT EXISTS (SELECT 1 FROM send_run r WHERE r.send_id = a.send_id AND r.vendor_message_id = a.vendor_message_id)
  UNION ALL
  SELECT a.send_id, a.account_id, a.provider, a.vendor_message_id, a.started_at, s.segments, s.receiver, s.status
    FROM send_attempt a JOIN send s ON s.id = a.send_id
   WHERE a.outcome = 'ACCEPTED' AND a.error_class = 'AMBIGUOUS' AND a.vendor_message_id IS DISTINCT FROM s.vendor_message_id
     AND NOT EXISTS (SELECT 1 FROM send_run r WHERE r.send_id = a.send_id AND r.vendor_message_id = a.vendor_message_id)
)`;
