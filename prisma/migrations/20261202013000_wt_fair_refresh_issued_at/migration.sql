-- When the stored refresh token was issued (install or refresh): the token keep-alive refreshes a portal before
-- its refresh token ages out (Bitrix24 does not say when it expires; captured tokens live 30 days). Existing rows:
-- a refresh token comes with the access token of its pair, issued an hour before that one expires.
-- AlterTable
ALTER TABLE "portals" ADD COLUMN "refresh_issued_at" TIMESTAMPTZ(3);

UPDATE "portals" SET "refresh_issued_at" = "access_expires_at" - INTERVAL '1 hour'
WHERE "refresh_token_enc" IS NOT NULL AND "access_expires_at" IS NOT NULL;

-- CreateIndex
CREATE INDEX "portals_status_refresh_issued_at_idx" ON "portals"("status", "refresh_issued_at");
