-- A create's claim on its approval row: one request at a time calls crm.activity.configurable.add for a row,
-- so one Idempotency-Key yields one activity however its requests overlap (apps/server approval.service.ts).
ALTER TABLE "approvals" ADD COLUMN "add_claim_id" UUID;
ALTER TABLE "approvals" ADD COLUMN "add_claim_until" TIMESTAMPTZ(3);
