-- The id of the click's latest job: the sweeper checks that job (whatever producer added it) for liveness.
-- AlterTable
ALTER TABLE "timeline_events" ADD COLUMN "job_id" TEXT;
