-- Runs of a send's workflow (src/sending/send-runs.ts): a reset from the Temporal UI or CLI, or a
-- retry through the API, re-runs a send as a new run of its workflow `send-<id>`. The send row shows
-- the newest run; every earlier run keeps its outcome in send_run, and each attempt and receipt
-- names the run it belongs to.

-- AlterTable: the run whose outcome the row shows (null until its workflow first wrote it, so a row that
-- is final with no run was canceled through the API before its workflow started), and its number.
ALTER TABLE "send" ADD COLUMN "run_id" TEXT,
ADD COLUMN "run_no" INTEGER NOT NULL DEFAULT 1;

-- AlterTable: attempts recorded before runs were tracked (development databases only: nothing was
-- deployed before this) keep an empty run id.
ALTER TABLE "send_attempt" ADD COLUMN "run_id" TEXT NOT NULL DEFAULT '';
ALTER TABLE "send_attempt" ALTER COLUMN "run_id" DROP DEFAULT;

-- AlterTable: the run whose acceptance a receipt reports; null while the receipt is unmatched.
ALTER TABLE "receipt" ADD COLUMN "run_id" TEXT;

-- CreateTable: one row per run a later run replaced, with the outcome the send row showed then.
CREATE TABLE "send_run" (
    "send_id" UUID NOT NULL,
    "run_id" TEXT NOT NULL,
    "run_no" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "reason_detail" TEXT,
    "vendor_code" TEXT,
    "vendor_text" TEXT,
    "account_id" UUID,
    "provider" TEXT,
    "vendor_message_id" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "replaced_how" TEXT NOT NULL,
    "replaced_by_run_id" TEXT NOT NULL,
    "requested_by" TEXT,
    "replaced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "send_run_pkey" PRIMARY KEY ("send_id","run_id")
);

-- AddForeignKey
ALTER TABLE "send_run" ADD CONSTRAINT "send_run_send_id_fkey" FOREIGN KEY ("send_id") REFERENCES "send"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "send_run" ADD CONSTRAINT "send_run_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE SET NULL ON UPDATE CASCADE;
