-- A campaign send's own template variables (its audience row); null: the message's variables.
-- Vendors that fill in their own templates (Tencent, Aliyun, http-gateway) need them, not only the rendered text.
-- AlterTable
ALTER TABLE "send" ADD COLUMN "variables" JSONB;
