-- Audit log: who changed what in the management API (vendor accounts and their routing, template approval and
-- status, API keys). Written in the transaction of the change; never holds a secret value (secret names only).
-- CreateTable
CREATE TABLE "audit_log" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "api_key_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "target_team_id" UUID,
    "changes" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- CreateIndex
CREATE INDEX "audit_log_target_type_target_id_at_idx" ON "audit_log"("target_type", "target_id", "at");

-- Template codes are unique per team, not across teams: a team picks its codes freely, and a code another team
-- uses can no longer be probed through 409 TEMPLATE_CODE_TAKEN.
-- DropIndex
DROP INDEX "template_code_key";

-- CreateIndex
CREATE UNIQUE INDEX "template_team_id_code_key" ON "template"("team_id", "code");

-- The unique index above serves lookups by team.
-- DropIndex
DROP INDEX "template_team_id_idx";
