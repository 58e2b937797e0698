-- Per-portal notification switches (im.notify.system.add): the approver when an approval waits for them, the
-- requester when it is decided. Read when a notification's delivery row is born, so a later change never resends.
ALTER TABLE "portal_settings" ADD COLUMN "notify_approver" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "portal_settings" ADD COLUMN "notify_requester" BOOLEAN NOT NULL DEFAULT true;
