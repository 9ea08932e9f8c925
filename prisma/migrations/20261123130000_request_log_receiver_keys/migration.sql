-- Diagnose searches the request log by receiver, including receivers that were
-- rejected (a tab inside a number): receiver_keys holds a lenient search key of
-- every receiver as it arrived (control characters and formatting dropped,
-- phones in E.164 where possible), indexed with GIN for `receiver_keys @> ARRAY[...]`.

-- AlterTable
ALTER TABLE "api_request_log" ADD COLUMN "receiver_keys" TEXT[];

-- CreateIndex
CREATE INDEX "api_request_log_receiver_keys_idx" ON "api_request_log" USING GIN ("receiver_keys");
