-- AlterTable
ALTER TABLE "factories" ADD COLUMN     "first_funded_at" TIMESTAMPTZ(3),
ADD COLUMN     "premium_hours" INTEGER;
