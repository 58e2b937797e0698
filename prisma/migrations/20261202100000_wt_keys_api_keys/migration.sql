-- Portal API keys of the integrations API, issued and revoked by a portal administrator on the app page.
-- The key itself is never stored: only its SHA-256 (looked up by it, compared in constant time) and what the page
-- shows of it (prefix and last four). The signing secret of the key's decision callbacks is sealed by the token
-- cipher (AES-256-GCM, bound to the row). One writer: packages/db/src/api-keys.repository.ts.
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "portal_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "key_prefix" TEXT NOT NULL,
    "key_last4" TEXT NOT NULL,
    "signing_secret_enc" TEXT NOT NULL,
    "signing_secret_key_id" TEXT NOT NULL,
    "created_by_id" INTEGER NOT NULL,
    "created_by_name" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by_id" INTEGER,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");
CREATE INDEX "api_keys_portal_id_created_at_idx" ON "api_keys"("portal_id", "created_at");
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_portal_id_fkey" FOREIGN KEY ("portal_id") REFERENCES "portals"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Which portal key created an approval (null: the operator's API_TOKEN); callbacks are signed with its secret.
ALTER TABLE "approvals" ADD COLUMN "api_key_id" UUID;
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;
