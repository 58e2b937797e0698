-- Creation accepted, then paced: the integrations API's creates go through the creation job too. A request that
-- waits for its job and sees the job give up answers with the portal's reason, so the row keeps its kind.

-- AlterTable
ALTER TABLE "approvals" ADD COLUMN "create_error_kind" TEXT;
