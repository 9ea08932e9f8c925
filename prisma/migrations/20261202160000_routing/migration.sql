-- Routing that learns (docs/routing.md): routes by destination, weights pinned by hand, and the route
-- each send was given, for diagnose and the trace.

-- A weight an operator pinned: used as it is, never moved by the delivery-rate rules; null: automatic.
-- AlterTable
ALTER TABLE "account" ADD COLUMN "pinned_weight" INTEGER;

-- The route the send was planned with: the rule that chose its accounts (or the channel's default
-- route) and each account's effective weight with its reason.
-- AlterTable
ALTER TABLE "send" ADD COLUMN "route_plan" JSONB;

-- A route rule: sends of a channel (and message type) to receivers starting with a prefix (a country
-- calling code or a longer number prefix) may use only these accounts. Longest prefix wins; a send no
-- rule matches uses every enabled account of its channel.
-- CreateTable
CREATE TABLE "route_rule" (
    "id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "prefix" TEXT,
    "message_type" TEXT,
    "account_ids" UUID[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "route_rule_pkey" PRIMARY KEY ("id")
);

-- One rule per (channel, prefix, message type): two would make the choice ambiguous. A null prefix
-- (every receiver) and a null message type (every type) count as values, hence NULLS NOT DISTINCT.
-- CreateIndex
CREATE UNIQUE INDEX "route_rule_channel_prefix_message_type_key" ON "route_rule"("channel", "prefix", "message_type") NULLS NOT DISTINCT;
