-- AlterTable
ALTER TABLE "job_runs" ADD COLUMN     "timeouts" INTEGER NOT NULL DEFAULT 0;
