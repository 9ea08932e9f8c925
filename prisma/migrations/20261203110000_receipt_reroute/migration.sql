-- Receipt-driven re-route (docs/routing.md#re-route-after-a-failed-receipt): a template's bound on
-- re-routes per send (null: REROUTE_MAX_DEFAULT), and the leg of a send each vendor call belongs to
-- (1: the first vendor send of its run; each re-route after a failed receipt counts up).
-- AlterTable
ALTER TABLE "template" ADD COLUMN "reroutes_max" INTEGER;
-- AlterTable
ALTER TABLE "send_attempt" ADD COLUMN "leg" INTEGER NOT NULL DEFAULT 1;

-- A receipt of a re-routed leg (the send row shows the newest leg) finds its send by the leg's acceptance.
-- CreateIndex
CREATE INDEX "send_attempt_provider_vendor_message_id_idx" ON "send_attempt"("provider", "vendor_message_id");
