-- Large messages fan out: one outbox row for the whole message (message_id)
-- instead of one per send (send_id). The relay starts the message's fan-out
-- workflow `message-<id>`, which starts the sends' workflows page by page.
-- A row names exactly one of the two.

-- AlterTable
ALTER TABLE "outbox" ALTER COLUMN "send_id" DROP NOT NULL,
    ADD COLUMN "message_id" UUID;

ALTER TABLE "outbox" ADD CONSTRAINT "outbox_send_or_message_check" CHECK (num_nonnulls("send_id", "message_id") = 1);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_message_id_key" ON "outbox"("message_id");

-- The fan-out pages through a message's sends by id (keyset): (message_id, id)
-- serves it and every lookup the old (message_id) index served.
DROP INDEX "send_message_id_idx";

-- CreateIndex
CREATE INDEX "send_message_id_id_idx" ON "send"("message_id", "id");

-- AddForeignKey
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "message"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
