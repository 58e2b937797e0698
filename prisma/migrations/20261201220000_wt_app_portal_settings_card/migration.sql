-- The app page's per-portal card settings: the timeline icon and logo a new approval shows.
ALTER TABLE "portal_settings" ADD COLUMN "icon_code" TEXT;
ALTER TABLE "portal_settings" ADD COLUMN "logo_code" TEXT;
