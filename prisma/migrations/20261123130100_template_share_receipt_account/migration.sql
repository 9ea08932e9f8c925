-- A template may be shared with other teams; their callers may send with it.
-- CreateTable
CREATE TABLE "template_share" (
    "template_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "template_share_pkey" PRIMARY KEY ("template_id","team_id")
);

-- CreateIndex
CREATE INDEX "template_share_team_id_idx" ON "template_share"("team_id");

-- AddForeignKey
ALTER TABLE "template_share" ADD CONSTRAINT "template_share_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "template"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "template_share" ADD CONSTRAINT "template_share_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A receipt belongs to the account whose tokened URL (or pull API) delivered it;
-- it only ever matches sends of that account. Older rows take their send's account.
-- AlterTable
ALTER TABLE "receipt" ADD COLUMN "account_id" UUID;
UPDATE "receipt" r SET "account_id" = s."account_id" FROM "send" s WHERE r."send_id" = s."id";

-- DropIndex
DROP INDEX "receipt_provider_vendor_message_id_status_key";

-- CreateIndex
CREATE UNIQUE INDEX "receipt_provider_account_id_vendor_message_id_status_key" ON "receipt"("provider", "account_id", "vendor_message_id", "status");

-- AddForeignKey
ALTER TABLE "receipt" ADD CONSTRAINT "receipt_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE SET NULL ON UPDATE CASCADE;
