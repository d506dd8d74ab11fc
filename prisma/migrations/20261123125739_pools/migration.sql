-- CreateTable
CREATE TABLE "factories" (
    "id" SERIAL NOT NULL,
    "creator_user_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "token" TEXT NOT NULL,
    "bid_atoms" DECIMAL(78,0) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'live',
    "fee_policy" TEXT NOT NULL,
    "deposit_fee_percent" TEXT NOT NULL,
    "setup_fee_atoms" DECIMAL(78,0) NOT NULL,
    "setup_fee_token" TEXT NOT NULL,
    "setup_fee_paid" BOOLEAN NOT NULL DEFAULT false,
    "reward_fee_percent" TEXT NOT NULL,
    "quality_threshold" INTEGER NOT NULL,
    "limit_per_farmer_task" INTEGER,
    "limit_per_day" INTEGER,
    "limit_total" INTEGER,
    "min_reputation" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "factories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "factory_tasks" (
    "id" SERIAL NOT NULL,
    "factory_id" INTEGER NOT NULL,
    "ref" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "app" TEXT NOT NULL,
    "objectives" JSONB NOT NULL,

    CONSTRAINT "factory_tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bid_changes" (
    "id" SERIAL NOT NULL,
    "factory_id" INTEGER NOT NULL,
    "bid_atoms" DECIMAL(78,0) NOT NULL,
    "changed_by_user_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bid_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "submissions" (
    "id" SERIAL NOT NULL,
    "factory_id" INTEGER NOT NULL,
    "task_id" INTEGER NOT NULL,
    "farmer_user_id" INTEGER NOT NULL,
    "content_hash" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "bid_atoms" DECIMAL(78,0) NOT NULL,
    "reservation_id" BIGINT,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "payload" JSONB NOT NULL,
    "summary" JSONB NOT NULL,
    "score" INTEGER,
    "grade" JSONB,
    "reward_atoms" DECIMAL(78,0),
    "paid_gross_atoms" DECIMAL(78,0),
    "fee_atoms" DECIMAL(78,0),
    "farmer_atoms" DECIMAL(78,0),
    "refund_atoms" DECIMAL(78,0),
    "settlements" INTEGER NOT NULL DEFAULT 0,
    "reviewed_by_user_id" INTEGER,
    "appeal_reason" TEXT,
    "appealed_at" TIMESTAMPTZ(3),
    "appeal_resolved_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "graded_at" TIMESTAMPTZ(3),

    CONSTRAINT "submissions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "farmer_fee_tallies" (
    "farmer_user_id" INTEGER NOT NULL,
    "token" TEXT NOT NULL,
    "fee_percent" TEXT NOT NULL,
    "gross_atoms" DECIMAL(78,0) NOT NULL DEFAULT 0,
    "fee_atoms" DECIMAL(78,0) NOT NULL DEFAULT 0,

    CONSTRAINT "farmer_fee_tallies_pkey" PRIMARY KEY ("farmer_user_id","token","fee_percent")
);

-- CreateTable
CREATE TABLE "farmer_profiles" (
    "user_id" INTEGER NOT NULL,
    "xp" BIGINT NOT NULL DEFAULT 0,
    "reputation" INTEGER NOT NULL DEFAULT 0,
    "boost_multiplier" TEXT NOT NULL DEFAULT '1',
    "boost_until" TIMESTAMPTZ(3),
    "last_activity_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "farmer_profiles_pkey" PRIMARY KEY ("user_id")
);

-- CreateIndex
CREATE INDEX "factories_creator_user_id_idx" ON "factories"("creator_user_id");

-- CreateIndex
CREATE INDEX "factories_status_idx" ON "factories"("status");

-- CreateIndex
CREATE UNIQUE INDEX "factory_tasks_factory_id_ref_key" ON "factory_tasks"("factory_id", "ref");

-- CreateIndex
CREATE INDEX "bid_changes_factory_id_id_idx" ON "bid_changes"("factory_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "submissions_content_hash_key" ON "submissions"("content_hash");

-- CreateIndex
CREATE INDEX "submissions_factory_id_farmer_user_id_task_id_idx" ON "submissions"("factory_id", "farmer_user_id", "task_id");

-- CreateIndex
CREATE INDEX "submissions_factory_id_created_at_idx" ON "submissions"("factory_id", "created_at");

-- CreateIndex
CREATE INDEX "submissions_farmer_user_id_id_idx" ON "submissions"("farmer_user_id", "id");

-- CreateIndex
CREATE INDEX "submissions_status_id_idx" ON "submissions"("status", "id");

-- AddForeignKey
ALTER TABLE "factory_tasks" ADD CONSTRAINT "factory_tasks_factory_id_fkey" FOREIGN KEY ("factory_id") REFERENCES "factories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bid_changes" ADD CONSTRAINT "bid_changes_factory_id_fkey" FOREIGN KEY ("factory_id") REFERENCES "factories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_factory_id_fkey" FOREIGN KEY ("factory_id") REFERENCES "factories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "factory_tasks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
