-- One receiver at most once per audience: the upload finds a file's duplicate receivers with this index
-- (ON CONFLICT DO NOTHING) instead of holding every receiver of a 1,000,000-row file in memory, and a
-- campaign reading the audience never sends twice to one receiver.
-- CreateIndex
CREATE UNIQUE INDEX "audience_row_audience_id_receiver_key" ON "audience_row"("audience_id", "receiver");
