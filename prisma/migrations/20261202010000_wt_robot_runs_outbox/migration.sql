-- The request_approval robot: each run Bitrix24's automation delivered (durable before we answer), the approval
-- creation job's bookkeeping on approvals, and the decision outbox (approval_deliveries: what must reach someone
-- once an approval is decided, retried until it does).

-- CreateEnum
CREATE TYPE "RobotRunState" AS ENUM ('ACCEPTED', 'REFUSED');

-- CreateEnum
CREATE TYPE "DeliveryState" AS ENUM ('PENDING', 'DONE', 'FAILED');

-- AlterTable: the creation job (apps/worker approval-create.processor.ts)
ALTER TABLE "approvals" ADD COLUMN "create_requested_at" TIMESTAMPTZ(3),
ADD COLUMN "add_attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "create_failed_at" TIMESTAMPTZ(3),
ADD COLUMN "create_error" TEXT;

-- CreateTable
CREATE TABLE "robot_runs" (
    "id" UUID NOT NULL,
    "portal_id" UUID NOT NULL,
    "event_token_hash" TEXT NOT NULL,
    "event_token_enc" TEXT NOT NULL,
    "event_token_key_id" TEXT NOT NULL,
    "workflow_id" TEXT,
    "robot_code" TEXT NOT NULL,
    "document_id" JSONB NOT NULL,
    "owner_type_id" INTEGER,
    "owner_id" INTEGER,
    "properties" JSONB NOT NULL DEFAULT '{}',
    "user_id" INTEGER,
    "event_ts" INTEGER,
    "state" "RobotRunState" NOT NULL,
    "refusal" TEXT,
    "approval_id" UUID,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "robot_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval_deliveries" (
    "id" UUID NOT NULL,
    "portal_id" UUID NOT NULL,
    "approval_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "state" "DeliveryState" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "in_doubt" BOOLEAN NOT NULL DEFAULT false,
    "outcome" TEXT,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "approval_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "approvals_create_requested_at_idx" ON "approvals"("create_requested_at");

-- CreateIndex
CREATE UNIQUE INDEX "robot_runs_portal_id_event_token_hash_key" ON "robot_runs"("portal_id", "event_token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "robot_runs_approval_id_key" ON "robot_runs"("approval_id");

-- CreateIndex
CREATE UNIQUE INDEX "approval_deliveries_approval_id_kind_key" ON "approval_deliveries"("approval_id", "kind");

-- CreateIndex
CREATE INDEX "approval_deliveries_state_next_attempt_at_idx" ON "approval_deliveries"("state", "next_attempt_at");

-- AddForeignKey
ALTER TABLE "robot_runs" ADD CONSTRAINT "robot_runs_portal_id_fkey" FOREIGN KEY ("portal_id") REFERENCES "portals"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "robot_runs" ADD CONSTRAINT "robot_runs_approval_id_fkey" FOREIGN KEY ("approval_id") REFERENCES "approvals"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_deliveries" ADD CONSTRAINT "approval_deliveries_portal_id_fkey" FOREIGN KEY ("portal_id") REFERENCES "portals"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_deliveries" ADD CONSTRAINT "approval_deliveries_approval_id_fkey" FOREIGN KEY ("approval_id") REFERENCES "approvals"("id") ON DELETE CASCADE ON UPDATE CASCADE;
