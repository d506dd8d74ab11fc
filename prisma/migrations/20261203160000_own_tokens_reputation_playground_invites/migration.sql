-- AlterTable
ALTER TABLE "factories" ADD COLUMN     "playground_top" INTEGER;

-- AlterTable
ALTER TABLE "submissions" ADD COLUMN     "recording_ms" INTEGER;

-- AlterTable
ALTER TABLE "tokens" ADD COLUMN     "owner_user_id" INTEGER;

-- AlterTable
ALTER TABLE "unstakes" ADD COLUMN     "token" TEXT NOT NULL DEFAULT 'CLONES';

-- CreateTable
CREATE TABLE "referral_invites" (
    "code" TEXT NOT NULL,
    "ambassador_user_id" INTEGER NOT NULL,
    "guild_id" TEXT NOT NULL,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "referral_invites_pkey" PRIMARY KEY ("code")
);

-- CreateIndex
CREATE INDEX "referral_invites_guild_id_idx" ON "referral_invites"("guild_id");

-- CreateIndex
CREATE UNIQUE INDEX "referral_invites_ambassador_user_id_guild_id_key" ON "referral_invites"("ambassador_user_id", "guild_id");

-- Recordings submitted before this column: their length from the kept meta.json.
UPDATE "submissions"
SET "recording_ms" = ROUND(("payload"->'demonstration'->'meta'->>'durationSeconds')::numeric * 1000)::int
WHERE "recording_ms" IS NULL
  AND jsonb_typeof("payload"->'demonstration'->'meta'->'durationSeconds') = 'number';
