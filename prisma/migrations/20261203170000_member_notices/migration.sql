-- CreateTable
CREATE TABLE "member_notices" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "title" TEXT,
    "text" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "seen_at" TIMESTAMPTZ(3),

    CONSTRAINT "member_notices_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "member_notices_user_id_seen_at_idx" ON "member_notices"("user_id", "seen_at");

-- AddForeignKey
ALTER TABLE "member_notices" ADD CONSTRAINT "member_notices_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
