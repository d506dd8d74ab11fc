-- CreateTable
CREATE TABLE "dataset_tokens" (
    "id" SERIAL NOT NULL,
    "symbol" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "factory_id" INTEGER,
    "bundle_id" INTEGER,
    "launched_by_user_id" INTEGER NOT NULL,
    "threshold_bps" INTEGER NOT NULL,
    "fee_bps" INTEGER NOT NULL,
    "supply_atoms" DECIMAL(78,0) NOT NULL,
    "allocation_atoms" DECIMAL(78,0) NOT NULL,
    "initial_real_atoms" DECIMAL(78,0) NOT NULL,
    "initial_clones_atoms" DECIMAL(78,0) NOT NULL,
    "clones_atoms" DECIMAL(78,0) NOT NULL,
    "tokens_atoms" DECIMAL(78,0) NOT NULL,
    "real_atoms" DECIMAL(78,0) NOT NULL,
    "burned_atoms" DECIMAL(78,0) NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dataset_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dataset_trades" (
    "id" SERIAL NOT NULL,
    "token_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "side" TEXT NOT NULL,
    "clones_atoms" DECIMAL(78,0) NOT NULL,
    "fee_atoms" DECIMAL(78,0) NOT NULL,
    "token_atoms" DECIMAL(78,0) NOT NULL,
    "clones_after" DECIMAL(78,0) NOT NULL,
    "tokens_after" DECIMAL(78,0) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dataset_trades_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dataset_burns" (
    "id" SERIAL NOT NULL,
    "token_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "amount_atoms" DECIMAL(78,0) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dataset_burns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dataset_bundles" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "threshold_bps" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "proposed_by_user_id" INTEGER NOT NULL,
    "voting_ends_at" TIMESTAMPTZ(3),
    "outcome" TEXT,
    "decided_by_user_id" INTEGER,
    "decided_at" TIMESTAMPTZ(3),
    "yes_atoms" DECIMAL(78,0),
    "no_atoms" DECIMAL(78,0),
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dataset_bundles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dataset_bundle_members" (
    "bundle_id" INTEGER NOT NULL,
    "factory_id" INTEGER NOT NULL,
    "accepted_demonstrations" INTEGER NOT NULL DEFAULT 0,
    "allocation_atoms" DECIMAL(78,0) NOT NULL DEFAULT 0,

    CONSTRAINT "dataset_bundle_members_pkey" PRIMARY KEY ("bundle_id","factory_id")
);

-- CreateTable
CREATE TABLE "dataset_bundle_votes" (
    "bundle_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "yes" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dataset_bundle_votes_pkey" PRIMARY KEY ("bundle_id","user_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "dataset_tokens_symbol_key" ON "dataset_tokens"("symbol");

-- CreateIndex
CREATE UNIQUE INDEX "dataset_tokens_factory_id_key" ON "dataset_tokens"("factory_id");

-- CreateIndex
CREATE UNIQUE INDEX "dataset_tokens_bundle_id_key" ON "dataset_tokens"("bundle_id");

-- CreateIndex
CREATE INDEX "dataset_trades_token_id_created_at_idx" ON "dataset_trades"("token_id", "created_at");

-- CreateIndex
CREATE INDEX "dataset_burns_user_id_idx" ON "dataset_burns"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "dataset_burns_token_id_user_id_key" ON "dataset_burns"("token_id", "user_id");

-- CreateIndex
CREATE INDEX "dataset_bundles_status_voting_ends_at_idx" ON "dataset_bundles"("status", "voting_ends_at");

-- CreateIndex
CREATE INDEX "dataset_bundle_members_factory_id_idx" ON "dataset_bundle_members"("factory_id");

-- AddForeignKey
ALTER TABLE "dataset_trades" ADD CONSTRAINT "dataset_trades_token_id_fkey" FOREIGN KEY ("token_id") REFERENCES "dataset_tokens"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dataset_burns" ADD CONSTRAINT "dataset_burns_token_id_fkey" FOREIGN KEY ("token_id") REFERENCES "dataset_tokens"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dataset_bundle_members" ADD CONSTRAINT "dataset_bundle_members_bundle_id_fkey" FOREIGN KEY ("bundle_id") REFERENCES "dataset_bundles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dataset_bundle_votes" ADD CONSTRAINT "dataset_bundle_votes_bundle_id_fkey" FOREIGN KEY ("bundle_id") REFERENCES "dataset_bundles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The states are closed sets; the database refuses anything else (as prisma/migrations/*_status_checks does).
ALTER TABLE "dataset_tokens" ADD CONSTRAINT "dataset_tokens_kind_check" CHECK ("kind" IN ('dataset', 'bundle'));
ALTER TABLE "dataset_tokens" ADD CONSTRAINT "dataset_tokens_curve_check"
  CHECK ("clones_atoms" >= "initial_clones_atoms" AND "real_atoms" >= 0 AND "burned_atoms" >= 0);
ALTER TABLE "dataset_trades" ADD CONSTRAINT "dataset_trades_side_check" CHECK ("side" IN ('buy', 'sell'));
ALTER TABLE "dataset_bundles" ADD CONSTRAINT "dataset_bundles_status_check"
  CHECK ("status" IN ('voting', 'launched', 'rejected', 'vetoed'));
