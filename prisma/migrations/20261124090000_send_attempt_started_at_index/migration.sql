-- The vendor-account health report (GET /v1/reports/accounts) reads the
-- attempts of the last hours: `WHERE started_at >= <from> AND started_at < <to>`,
-- for each account's latency and failures. Without this index that is a full
-- scan of send_attempt; with it, a range scan of the window.

-- CreateIndex
CREATE INDEX "send_attempt_started_at_idx" ON "send_attempt"("started_at");
