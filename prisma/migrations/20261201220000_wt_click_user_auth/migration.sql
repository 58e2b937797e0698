-- The clicking user's access token from the delivery, encrypted with the token cipher (never in plain text),
-- so the worker can prove who clicked with Bitrix24. Cleared when the click is done.
-- AlterTable
ALTER TABLE "timeline_events" ADD COLUMN "user_auth_enc" TEXT,
ADD COLUMN "user_auth_key_id" TEXT;
