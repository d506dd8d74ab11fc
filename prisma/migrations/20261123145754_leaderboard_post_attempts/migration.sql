-- AlterTable
ALTER TABLE "leaderboard_posts" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "owner" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'sending';

-- Claims made before attempts were recorded: posted ones are done, those with an error failed
-- (they were never retried), and the rest were lost between claim and send: failed too, since
-- their period has passed.
UPDATE "leaderboard_posts" SET "status" = 'posted' WHERE "posted_at" IS NOT NULL;
UPDATE "leaderboard_posts" SET "status" = 'failed', "error" = COALESCE("error", 'claimed but never sent (before retries existed)')
  WHERE "posted_at" IS NULL;
