-- Scheduled sends: the time a send was asked to go out (null: at once).
-- AlterTable
ALTER TABLE "send" ADD COLUMN "send_at" TIMESTAMPTZ(3);

-- A VERIFICATION template may pass team-level suppression (never the global list).
-- AlterTable
ALTER TABLE "template" ADD COLUMN "bypass_team_suppression" BOOLEAN NOT NULL DEFAULT false;

-- Receivers who opted out or are blocked: for one team (team_id) or for everyone (team_id null).
-- CreateTable
CREATE TABLE "suppression" (
    "id" UUID NOT NULL,
    "team_id" UUID,
    "channel" TEXT NOT NULL,
    "receiver" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "detail" TEXT,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suppression_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "suppression_channel_receiver_idx" ON "suppression"("channel", "receiver");

-- CreateIndex
CREATE INDEX "suppression_team_id_idx" ON "suppression"("team_id");

-- AddForeignKey
ALTER TABLE "suppression" ADD CONSTRAINT "suppression_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE CASCADE;
