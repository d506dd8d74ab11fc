-- CreateTable
CREATE TABLE "arena_tasks" (
    "id" SERIAL NOT NULL,
    "creator_id" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "factory_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "arena_tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "arena_participants" (
    "id" SERIAL NOT NULL,
    "task_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "sigma" DECIMAL(10,9) NOT NULL,
    "sigma_set_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "arena_participants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "arena_stakes" (
    "id" SERIAL NOT NULL,
    "participant_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "withdrawn_at" TIMESTAMPTZ(3),
    "released_at" TIMESTAMPTZ(3),

    CONSTRAINT "arena_stakes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "arena_submissions" (
    "id" SERIAL NOT NULL,
    "participant_id" INTEGER NOT NULL,
    "model_ref" TEXT NOT NULL,
    "submitted_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "arena_submissions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "arena_scores" (
    "id" SERIAL NOT NULL,
    "submission_id" INTEGER NOT NULL,
    "validator_id" INTEGER NOT NULL,
    "score" DECIMAL(10,9) NOT NULL,
    "scored_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "arena_scores_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "arena_epochs" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "period_key" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "token" TEXT NOT NULL,
    "emission" DECIMAL(78,0) NOT NULL,
    "params" JSONB NOT NULL,
    "snapshot" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "distributed" DECIMAL(78,0),
    "undistributed" DECIMAL(78,0),
    "tasks" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "paid_at" TIMESTAMPTZ(3),

    CONSTRAINT "arena_epochs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "arena_rewards" (
    "id" SERIAL NOT NULL,
    "epoch_id" INTEGER NOT NULL,
    "task_id" INTEGER NOT NULL,
    "participant_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,
    "breakdown" JSONB,
    "paid" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "arena_rewards_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "arena_participants_user_id_idx" ON "arena_participants"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "arena_participants_task_id_user_id_role_key" ON "arena_participants"("task_id", "user_id", "role");

-- CreateIndex
CREATE INDEX "arena_stakes_participant_id_idx" ON "arena_stakes"("participant_id");

-- CreateIndex
CREATE INDEX "arena_stakes_user_id_participant_id_idx" ON "arena_stakes"("user_id", "participant_id");

-- CreateIndex
CREATE INDEX "arena_stakes_released_at_withdrawn_at_idx" ON "arena_stakes"("released_at", "withdrawn_at");

-- CreateIndex
CREATE INDEX "arena_submissions_participant_id_submitted_at_idx" ON "arena_submissions"("participant_id", "submitted_at");

-- CreateIndex
CREATE UNIQUE INDEX "arena_scores_submission_id_validator_id_key" ON "arena_scores"("submission_id", "validator_id");

-- CreateIndex
CREATE UNIQUE INDEX "arena_epochs_key_key" ON "arena_epochs"("key");

-- CreateIndex
CREATE INDEX "arena_epochs_period_end_idx" ON "arena_epochs"("period_end");

-- CreateIndex
CREATE INDEX "arena_rewards_epoch_id_paid_id_idx" ON "arena_rewards"("epoch_id", "paid", "id");

-- CreateIndex
CREATE INDEX "arena_rewards_user_id_epoch_id_idx" ON "arena_rewards"("user_id", "epoch_id");

-- CreateIndex
CREATE UNIQUE INDEX "arena_rewards_epoch_id_participant_id_role_user_id_key" ON "arena_rewards"("epoch_id", "participant_id", "role", "user_id");

-- AddForeignKey
ALTER TABLE "arena_participants" ADD CONSTRAINT "arena_participants_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "arena_tasks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "arena_stakes" ADD CONSTRAINT "arena_stakes_participant_id_fkey" FOREIGN KEY ("participant_id") REFERENCES "arena_participants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "arena_submissions" ADD CONSTRAINT "arena_submissions_participant_id_fkey" FOREIGN KEY ("participant_id") REFERENCES "arena_participants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "arena_scores" ADD CONSTRAINT "arena_scores_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "arena_submissions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "arena_scores" ADD CONSTRAINT "arena_scores_validator_id_fkey" FOREIGN KEY ("validator_id") REFERENCES "arena_participants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "arena_rewards" ADD CONSTRAINT "arena_rewards_epoch_id_fkey" FOREIGN KEY ("epoch_id") REFERENCES "arena_epochs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
