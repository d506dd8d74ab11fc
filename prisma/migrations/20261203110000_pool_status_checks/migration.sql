-- Typed states (issue 18): a factory and a submission are each in one of a known set of states,
-- the same lists as src/economy/pools/statuses.ts (Prisma's schema cannot say so). out_of_funds
-- is never stored: it is how a live factory whose pool cannot pay its bid reads.
ALTER TABLE "factories" ADD CONSTRAINT "factories_status_check"
  CHECK ("status" IN ('live', 'paused', 'closed'));
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_status_check"
  CHECK ("status" IN ('queued', 'manual_review', 'settled', 'expired'));
