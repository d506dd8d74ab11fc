-- CreateTable
CREATE TABLE "wallets" (
    "address" TEXT NOT NULL,
    "user_id" INTEGER NOT NULL,
    "linked_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "wallets_pkey" PRIMARY KEY ("address")
);

-- CreateTable
CREATE TABLE "wallet_challenges" (
    "nonce" TEXT NOT NULL,
    "user_id" INTEGER NOT NULL,
    "address" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),

    CONSTRAINT "wallet_challenges_pkey" PRIMARY KEY ("nonce")
);

-- CreateTable
CREATE TABLE "deposits" (
    "id" SERIAL NOT NULL,
    "signature" TEXT NOT NULL,
    "user_id" INTEGER NOT NULL,
    "token" TEXT NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,
    "sender" TEXT,
    "matched_by" TEXT NOT NULL,
    "slot" BIGINT NOT NULL,
    "block_time" TIMESTAMPTZ(3),
    "verified_by_user_id" INTEGER NOT NULL,
    "transfer_id" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "deposits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "withdrawals" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "token" TEXT NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,
    "destination" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "batch_id" INTEGER,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "failure_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "settled_at" TIMESTAMPTZ(3),

    CONSTRAINT "withdrawals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "withdrawal_batches" (
    "id" SERIAL NOT NULL,
    "token" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "transaction" TEXT NOT NULL,
    "blockhash" TEXT NOT NULL,
    "last_valid_block_height" BIGINT NOT NULL,
    "send_count" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "settled_at" TIMESTAMPTZ(3),

    CONSTRAINT "withdrawal_batches_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "wallets_user_id_key" ON "wallets"("user_id");

-- CreateIndex
CREATE INDEX "wallet_challenges_user_id_created_at_idx" ON "wallet_challenges"("user_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "deposits_signature_key" ON "deposits"("signature");

-- CreateIndex
CREATE INDEX "deposits_user_id_created_at_idx" ON "deposits"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "withdrawals_status_id_idx" ON "withdrawals"("status", "id");

-- CreateIndex
CREATE INDEX "withdrawals_user_id_id_idx" ON "withdrawals"("user_id", "id");

-- CreateIndex
CREATE INDEX "withdrawals_batch_id_idx" ON "withdrawals"("batch_id");

-- CreateIndex
CREATE UNIQUE INDEX "withdrawal_batches_signature_key" ON "withdrawal_batches"("signature");

-- CreateIndex
CREATE INDEX "withdrawal_batches_status_idx" ON "withdrawal_batches"("status");

-- AddForeignKey
ALTER TABLE "wallets" ADD CONSTRAINT "wallets_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wallet_challenges" ADD CONSTRAINT "wallet_challenges_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deposits" ADD CONSTRAINT "deposits_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "withdrawal_batches"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Written by hand: the database's own guard behind the chain code's checks.
ALTER TABLE "deposits" ADD CONSTRAINT "deposits_positive_amount" CHECK ("amount" > 0);
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_positive_amount" CHECK ("amount" > 0);
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_status_known"
  CHECK ("status" IN ('pending', 'sending', 'sent', 'failed'));
-- A withdrawal waiting for a batch is in none; one on its way is in one.
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_batch_matches_status"
  CHECK (("status" = 'pending' AND "batch_id" IS NULL) OR ("status" = 'sending' AND "batch_id" IS NOT NULL)
         OR "status" IN ('sent', 'failed'));
ALTER TABLE "withdrawal_batches" ADD CONSTRAINT "withdrawal_batches_status_known"
  CHECK ("status" IN ('open', 'confirmed', 'failed', 'expired'));
