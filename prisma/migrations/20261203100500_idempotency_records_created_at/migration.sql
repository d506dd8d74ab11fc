-- CreateIndex: the idempotency-retention job deletes records by age.
CREATE INDEX "idempotency_records_created_at_idx" ON "idempotency_records"("created_at");
