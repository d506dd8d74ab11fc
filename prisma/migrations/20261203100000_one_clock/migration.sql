-- One clock (ARCHITECTURE.md): every business timestamp is written by the bot from its own clock, never
-- from the database's, so a test (or a replica whose clock the operator set) that moves time still
-- agrees with the books. Inserts that forget a timestamp now fail loudly instead of taking now().
ALTER TABLE "accounts" ALTER COLUMN "created_at" DROP DEFAULT;
ALTER TABLE "bid_changes" ALTER COLUMN "created_at" DROP DEFAULT;
ALTER TABLE "entries" ALTER COLUMN "created_at" DROP DEFAULT;
ALTER TABLE "factories" ALTER COLUMN "created_at" DROP DEFAULT;
ALTER TABLE "idempotency_records" ALTER COLUMN "created_at" DROP DEFAULT;
ALTER TABLE "pending_actions" ALTER COLUMN "created_at" DROP DEFAULT;
ALTER TABLE "platform_accounts" ALTER COLUMN "created_at" DROP DEFAULT;
ALTER TABLE "submissions" ALTER COLUMN "created_at" DROP DEFAULT;
ALTER TABLE "tokens" ALTER COLUMN "created_at" DROP DEFAULT;
ALTER TABLE "transfers" ALTER COLUMN "created_at" DROP DEFAULT;
ALTER TABLE "users" ALTER COLUMN "created_at" DROP DEFAULT;

-- Prisma stamped these from the process's wall clock on every update; nothing reads them, and a
-- time from the wrong clock is worse than none.
ALTER TABLE "factories" DROP COLUMN "updated_at";
ALTER TABLE "farmer_profiles" DROP COLUMN "updated_at";
