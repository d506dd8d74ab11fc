-- CreateTable
CREATE TABLE "leaderboard_schedules" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "channel_name" TEXT,
    "board" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "token" TEXT,
    "cron" TEXT NOT NULL,
    "created_by_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "removed_at" TIMESTAMPTZ(3),

    CONSTRAINT "leaderboard_schedules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "leaderboard_posts" (
    "schedule_id" INTEGER NOT NULL,
    "period_key" TEXT NOT NULL,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL,
    "posted_at" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "leaderboard_posts_pkey" PRIMARY KEY ("schedule_id","period_key")
);

-- CreateIndex
CREATE UNIQUE INDEX "leaderboard_schedules_key_key" ON "leaderboard_schedules"("key");

-- CreateIndex
CREATE INDEX "leaderboard_schedules_removed_at_id_idx" ON "leaderboard_schedules"("removed_at", "id");

-- AddForeignKey
ALTER TABLE "leaderboard_posts" ADD CONSTRAINT "leaderboard_posts_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "leaderboard_schedules"("id") ON DELETE CASCADE ON UPDATE CASCADE;
