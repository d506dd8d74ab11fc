-- CreateIndex
CREATE INDEX "transfers_code_created_at_idx" ON "transfers"("code", "created_at");
