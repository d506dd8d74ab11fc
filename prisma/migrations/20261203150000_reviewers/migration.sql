-- CreateTable
CREATE TABLE "reviewers" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "factory_id" INTEGER,
    "appointed_by_user_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reviewers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "reviewers_user_id_idx" ON "reviewers"("user_id");

-- CreateIndex
CREATE INDEX "reviewers_factory_id_idx" ON "reviewers"("factory_id");

-- AddForeignKey
ALTER TABLE "reviewers" ADD CONSTRAINT "reviewers_factory_id_fkey" FOREIGN KEY ("factory_id") REFERENCES "factories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Manual review never expires (docs/economy.md section 4): a recording already waiting for a person
-- keeps its reservation, so its deadline in the ledger is lifted.
UPDATE "transfers" SET "expires_at" = NULL
WHERE "status" = 'pending'
  AND "id" IN (SELECT "reservation_id" FROM "submissions" WHERE "status" = 'manual_review' AND "reservation_id" IS NOT NULL);
