-- CreateEnum
CREATE TYPE "PortalStatus" AS ENUM ('ACTIVE', 'NEEDS_REINSTALL', 'UNINSTALLED');

-- CreateEnum
CREATE TYPE "ApprovalState" AS ENUM ('PENDING', 'APPROVED', 'REJECTED');

-- CreateEnum
CREATE TYPE "TimelineEventState" AS ENUM ('RECEIVED', 'ENQUEUED', 'PROCESSING', 'DONE', 'FAILED');

-- CreateTable
CREATE TABLE "portals" (
    "id" UUID NOT NULL,
    "member_id" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "client_endpoint" TEXT NOT NULL,
    "server_endpoint" TEXT NOT NULL,
    "scope" TEXT NOT NULL DEFAULT '',
    "app_status" TEXT,
    "status" "PortalStatus" NOT NULL DEFAULT 'ACTIVE',
    "application_token_hash" TEXT,
    "access_token_enc" TEXT,
    "refresh_token_enc" TEXT,
    "token_key_id" TEXT,
    "access_expires_at" TIMESTAMPTZ(3),
    "token_version" INTEGER NOT NULL DEFAULT 0,
    "status_reason" TEXT,
    "installed_at" TIMESTAMPTZ(3),
    "install_finished_at" TIMESTAMPTZ(3),
    "events_bound_at" TIMESTAMPTZ(3),
    "uninstalled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "portals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "portal_settings" (
    "portal_id" UUID NOT NULL,
    "badge_code" TEXT,
    "language" TEXT NOT NULL DEFAULT 'en',
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_by" INTEGER,

    CONSTRAINT "portal_settings_pkey" PRIMARY KEY ("portal_id")
);

-- CreateTable
CREATE TABLE "approvals" (
    "id" UUID NOT NULL,
    "portal_id" UUID NOT NULL,
    "owner_type_id" INTEGER NOT NULL,
    "owner_id" INTEGER NOT NULL,
    "activity_id" INTEGER,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "responsible_id" INTEGER,
    "requester_id" INTEGER,
    "requester_name" TEXT,
    "deadline" TIMESTAMPTZ(3),
    "idempotency_key" TEXT,
    "state" "ApprovalState" NOT NULL DEFAULT 'PENDING',
    "decided_by_id" INTEGER,
    "decided_by_name" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "approvals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "timeline_events" (
    "id" UUID NOT NULL,
    "portal_id" UUID NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "activity_id" INTEGER NOT NULL,
    "action_id" TEXT NOT NULL,
    "entity_type_id" INTEGER NOT NULL,
    "entity_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "params" JSONB NOT NULL DEFAULT '{}',
    "event_ts" INTEGER,
    "state" "TimelineEventState" NOT NULL DEFAULT 'RECEIVED',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "outcome" TEXT,
    "error" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "enqueued_at" TIMESTAMPTZ(3),
    "processing_started_at" TIMESTAMPTZ(3),
    "updated_activity_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "timeline_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "portals_member_id_key" ON "portals"("member_id");

-- CreateIndex
CREATE INDEX "approvals_portal_id_owner_type_id_owner_id_idx" ON "approvals"("portal_id", "owner_type_id", "owner_id");

-- CreateIndex
CREATE UNIQUE INDEX "approvals_portal_id_idempotency_key_key" ON "approvals"("portal_id", "idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "approvals_portal_id_activity_id_key" ON "approvals"("portal_id", "activity_id");

-- CreateIndex
CREATE UNIQUE INDEX "timeline_events_dedupe_key_key" ON "timeline_events"("dedupe_key");

-- CreateIndex
CREATE INDEX "timeline_events_state_received_at_idx" ON "timeline_events"("state", "received_at");

-- CreateIndex
CREATE INDEX "timeline_events_portal_id_activity_id_received_at_idx" ON "timeline_events"("portal_id", "activity_id", "received_at");

-- AddForeignKey
ALTER TABLE "portal_settings" ADD CONSTRAINT "portal_settings_portal_id_fkey" FOREIGN KEY ("portal_id") REFERENCES "portals"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_portal_id_fkey" FOREIGN KEY ("portal_id") REFERENCES "portals"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "timeline_events" ADD CONSTRAINT "timeline_events_portal_id_fkey" FOREIGN KEY ("portal_id") REFERENCES "portals"("id") ON DELETE CASCADE ON UPDATE CASCADE;
