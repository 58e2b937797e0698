-- Decision callbacks: where an integration asked to be told of the decision (checked at create: https, public
-- addresses). The decision owes a `callback` delivery (approval_deliveries) to an approval that has one.
ALTER TABLE "approvals" ADD COLUMN "callback_url" TEXT;
