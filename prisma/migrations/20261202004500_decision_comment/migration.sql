-- The comment a decision carries (a reject with a comment, or a note given with an approve): shown on the card and
-- in the details, returned to the robot (bizproc.event.send) and in decision callbacks.
ALTER TABLE "approvals" ADD COLUMN "decision_comment" TEXT;
