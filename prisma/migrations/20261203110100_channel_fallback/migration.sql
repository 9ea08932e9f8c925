-- Channel fallback (docs/architecture.md#channel-fallback): a template may name a fallback template on
-- another channel, sent when a send ends UNDELIVERED, FAILED or EXPIRED, or is not DELIVERED within
-- fallback_after_seconds; a request may give each receiver alternates (channel -> receiver), kept on the
-- send; the fallback send is its own send, linked to the first by fallback_of (at most one per send).

-- AlterTable
ALTER TABLE "template" ADD COLUMN "fallback_template_id" UUID,
ADD COLUMN "fallback_after_seconds" INTEGER;

-- AlterTable
ALTER TABLE "send" ADD COLUMN "alternates" JSONB,
ADD COLUMN "fallback_of" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "send_fallback_of_key" ON "send"("fallback_of");

-- AddForeignKey
ALTER TABLE "template" ADD CONSTRAINT "template_fallback_template_id_fkey" FOREIGN KEY ("fallback_template_id") REFERENCES "template"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "send" ADD CONSTRAINT "send_fallback_of_fkey" FOREIGN KEY ("fallback_of") REFERENCES "send"("id") ON DELETE SET NULL ON UPDATE CASCADE;
