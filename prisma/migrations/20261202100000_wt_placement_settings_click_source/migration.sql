-- Per-portal settings of the approvers' reminders and of rejecting: the default ping offsets (minutes before the
-- deadline at which Bitrix24 reminds the responsible user, crm.activity.configurable fields.pingOffsets) and whether
-- a reject needs a comment (the card's Reject then opens the details slider instead of sending a restEvent).
ALTER TABLE "portal_settings" ADD COLUMN "ping_offsets" INTEGER[] NOT NULL DEFAULT ARRAY[0, 60]::INTEGER[];
ALTER TABLE "portal_settings" ADD COLUMN "reject_comment_required" BOOLEAN NOT NULL DEFAULT false;

-- Where a click came from: a timeline restEvent delivered by Bitrix24, or a decision made on the app page (the
-- approval's details), which goes through the same lifecycle, lock and worker as a click.
CREATE TYPE "ClickSource" AS ENUM ('EVENT', 'APP_PAGE');
ALTER TABLE "timeline_events" ADD COLUMN "source" "ClickSource" NOT NULL DEFAULT 'EVENT';
