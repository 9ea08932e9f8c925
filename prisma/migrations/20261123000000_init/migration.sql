-- CreateTable
CREATE TABLE "team" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "team_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_key" (
    "id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "key_prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "template" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "team_id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "message_type" TEXT NOT NULL,
    "subject" TEXT,
    "content" TEXT NOT NULL,
    "vendor_template_ids" JSONB NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "shield_policy" TEXT NOT NULL DEFAULT 'NONE',
    "quiet_start" TEXT,
    "quiet_end" TEXT,
    "release_at" TEXT,
    "time_zone" TEXT,
    "dedup_content_seconds" INTEGER,
    "dedup_content_max" INTEGER,
    "daily_cap_max" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "template_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "account" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "secret_ciphertext" TEXT,
    "weight" INTEGER NOT NULL DEFAULT 1,
    "priority" INTEGER NOT NULL DEFAULT 100,
    "rate_limit_per_second" INTEGER,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message" (
    "id" UUID NOT NULL,
    "api_key_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "template_id" UUID NOT NULL,
    "variables" JSONB NOT NULL DEFAULT '{}',
    "idempotency_key" TEXT,
    "request_hash" TEXT NOT NULL,
    "receiver_count" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "send" (
    "id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "template_id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "receiver" TEXT NOT NULL,
    "receiver_raw" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "segments" INTEGER NOT NULL DEFAULT 1,
    "status" TEXT NOT NULL DEFAULT 'ACCEPTED',
    "reason" TEXT,
    "reason_detail" TEXT,
    "vendor_code" TEXT,
    "vendor_text" TEXT,
    "account_id" UUID,
    "provider" TEXT,
    "vendor_message_id" TEXT,
    "deferred_until" TIMESTAMPTZ(3),
    "dedup_skipped" BOOLEAN NOT NULL DEFAULT false,
    "collided_with_send_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "send_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "send_attempt" (
    "id" UUID NOT NULL,
    "send_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "attempt_no" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "error_class" TEXT,
    "reason" TEXT,
    "vendor_code" TEXT,
    "vendor_text" TEXT,
    "vendor_message_id" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "send_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "receipt" (
    "id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "vendor_message_id" TEXT NOT NULL,
    "receiver" TEXT,
    "send_id" UUID,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "vendor_code" TEXT,
    "vendor_text" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "source" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "receipt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_request_log" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "api_key_id" UUID,
    "team_id" UUID,
    "template_ref" TEXT,
    "message_id" UUID,
    "receivers_raw" TEXT[],
    "receivers_normalized" TEXT[],
    "error" JSONB,
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "api_request_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL,
    "send_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "team_name_key" ON "team"("name");

-- CreateIndex
CREATE UNIQUE INDEX "api_key_key_prefix_key" ON "api_key"("key_prefix");

-- CreateIndex
CREATE UNIQUE INDEX "template_code_key" ON "template"("code");

-- CreateIndex
CREATE INDEX "template_team_id_idx" ON "template"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "account_name_key" ON "account"("name");

-- CreateIndex
CREATE INDEX "account_channel_enabled_idx" ON "account"("channel", "enabled");

-- CreateIndex
CREATE UNIQUE INDEX "message_api_key_id_idempotency_key_key" ON "message"("api_key_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "send_receiver_created_at_idx" ON "send"("receiver", "created_at");

-- CreateIndex
CREATE INDEX "send_provider_vendor_message_id_idx" ON "send"("provider", "vendor_message_id");

-- CreateIndex
CREATE INDEX "send_message_id_idx" ON "send"("message_id");

-- CreateIndex
CREATE INDEX "send_attempt_send_id_idx" ON "send_attempt"("send_id");

-- CreateIndex
CREATE INDEX "receipt_send_id_idx" ON "receipt"("send_id");

-- CreateIndex
CREATE UNIQUE INDEX "receipt_provider_vendor_message_id_status_key" ON "receipt"("provider", "vendor_message_id", "status");

-- CreateIndex
CREATE INDEX "api_request_log_at_idx" ON "api_request_log"("at");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_send_id_key" ON "outbox"("send_id");

-- CreateIndex
CREATE INDEX "outbox_started_at_next_attempt_at_idx" ON "outbox"("started_at", "next_attempt_at");

-- AddForeignKey
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "template" ADD CONSTRAINT "template_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message" ADD CONSTRAINT "message_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_key"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message" ADD CONSTRAINT "message_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message" ADD CONSTRAINT "message_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "template"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "send" ADD CONSTRAINT "send_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "message"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "send_attempt" ADD CONSTRAINT "send_attempt_send_id_fkey" FOREIGN KEY ("send_id") REFERENCES "send"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "send_attempt" ADD CONSTRAINT "send_attempt_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "receipt" ADD CONSTRAINT "receipt_send_id_fkey" FOREIGN KEY ("send_id") REFERENCES "send"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_send_id_fkey" FOREIGN KEY ("send_id") REFERENCES "send"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
