-- Audiences: a team's uploaded receiver list (CSV), validated row by row and reusable by campaigns.
-- CreateTable
CREATE TABLE "audience" (
    "id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "variable_columns" TEXT[],
    "status" TEXT NOT NULL DEFAULT 'UPLOADING',
    "row_count" INTEGER NOT NULL DEFAULT 0,
    "invalid_count" INTEGER NOT NULL DEFAULT 0,
    "created_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "audience_pkey" PRIMARY KEY ("id")
);

-- One valid row: the receiver normalised for the audience's channel, the variables by column name.
-- CreateTable
CREATE TABLE "audience_row" (
    "audience_id" UUID NOT NULL,
    "line" INTEGER NOT NULL,
    "receiver" TEXT NOT NULL,
    "variables" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audience_row_pkey" PRIMARY KEY ("audience_id","line")
);

-- One refused row: its line in the file and why; never silently dropped.
-- CreateTable
CREATE TABLE "audience_error" (
    "audience_id" UUID NOT NULL,
    "line" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "raw" TEXT,

    CONSTRAINT "audience_error_pkey" PRIMARY KEY ("audience_id","line")
);

-- CreateIndex
CREATE INDEX "audience_team_id_idx" ON "audience"("team_id");

-- AddForeignKey
ALTER TABLE "audience" ADD CONSTRAINT "audience_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audience_row" ADD CONSTRAINT "audience_row_audience_id_fkey" FOREIGN KEY ("audience_id") REFERENCES "audience"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audience_error" ADD CONSTRAINT "audience_error_audience_id_fkey" FOREIGN KEY ("audience_id") REFERENCES "audience"("id") ON DELETE CASCADE ON UPDATE CASCADE;
