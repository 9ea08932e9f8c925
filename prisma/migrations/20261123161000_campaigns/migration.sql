-- Campaigns: a template sent to an audience on a Temporal Schedule (schedule id campaign-<id>).
-- CreateTable
CREATE TABLE "campaign" (
    "id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "template_id" UUID NOT NULL,
    "audience_id" UUID NOT NULL,
    "schedule" JSONB NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'ACTIVE',
    "created_by" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "campaign_pkey" PRIMARY KEY ("id")
);

-- One run of a campaign (one schedule tick or trigger): one workflow, one message holding its sends.
-- CreateTable
CREATE TABLE "campaign_run" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "message_id" UUID NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'RUNNING',
    "rows_total" INTEGER NOT NULL,
    "rows_started" INTEGER NOT NULL DEFAULT 0,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "campaign_run_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "campaign_team_id_idx" ON "campaign"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "campaign_run_workflow_id_key" ON "campaign_run"("workflow_id");

-- CreateIndex
CREATE UNIQUE INDEX "campaign_run_message_id_key" ON "campaign_run"("message_id");

-- CreateIndex
CREATE INDEX "campaign_run_campaign_id_started_at_idx" ON "campaign_run"("campaign_id", "started_at");

-- AddForeignKey
ALTER TABLE "campaign" ADD CONSTRAINT "campaign_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign" ADD CONSTRAINT "campaign_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "template"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign" ADD CONSTRAINT "campaign_audience_id_fkey" FOREIGN KEY ("audience_id") REFERENCES "audience"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign" ADD CONSTRAINT "campaign_created_by_fkey" FOREIGN KEY ("created_by") REFERENCES "api_key"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign_run" ADD CONSTRAINT "campaign_run_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign_run" ADD CONSTRAINT "campaign_run_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "message"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
