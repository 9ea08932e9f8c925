-- One suppression entry per (channel, receiver, list): two concurrent unsubscribes of the same
-- receiver could both insert. The global list has team_id null, hence NULLS NOT DISTINCT (PG 15).
-- Keep the newest of any duplicates already stored.
DELETE FROM "suppression" s
USING "suppression" newer
WHERE s.channel = newer.channel AND s.receiver = newer.receiver
  AND s.team_id IS NOT DISTINCT FROM newer.team_id
  AND (s.created_at, s.id) < (newer.created_at, newer.id);

-- DropIndex (the unique index below serves the same lookups: channel and receiver lead it)
DROP INDEX "suppression_channel_receiver_idx";

-- CreateIndex
CREATE UNIQUE INDEX "suppression_channel_receiver_team_id_key" ON "suppression"("channel", "receiver", "team_id") NULLS NOT DISTINCT;
