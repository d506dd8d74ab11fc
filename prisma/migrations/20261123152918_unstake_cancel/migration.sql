-- AlterTable
ALTER TABLE "unstakes" ADD COLUMN     "cancelled_at" TIMESTAMPTZ(3);
