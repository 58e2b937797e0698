-- When Bitrix24 last installed or updated the app on the portal (the event's `ts`; the page's arrival
-- time when there is no event). An ONAPPUNINSTALL older than this is a late delivery and is ignored,
-- and an install older than it is a replay that must not replace newer tokens.
ALTER TABLE "portals" ADD COLUMN "latest_install_at" TIMESTAMPTZ(3);
