-- The billing report and the bill comparison read the sends a vendor accepted
-- in one month: `WHERE sent_at >= <month start> AND sent_at < <next month>`.
-- Without this index that is a full scan of send (every month ever sent);
-- with it, a range scan of the month.

-- CreateIndex
CREATE INDEX "send_sent_at_idx" ON "send"("sent_at");
