-- What a send does with a vendor call whose answer never came (AMBIGUOUS): VERIFY asks the vendor
-- for up to verify_seconds (null: DEFAULT_VERIFY_SECONDS) before failing over; FAST fails over at once.
ALTER TABLE "template" ADD COLUMN "ambiguity_policy" TEXT NOT NULL DEFAULT 'VERIFY';
ALTER TABLE "template" ADD COLUMN "verify_seconds" INTEGER;

-- Herald's reference as the vendor's receipt carried it (sandbox clientRef, Aliyun out_id, Tencent's
-- SessionContext in a pull): a receipt for a call whose answer never came is matched by it.
ALTER TABLE "receipt" ADD COLUMN "reference" TEXT;
CREATE INDEX "receipt_reference_idx" ON "receipt"("reference");
