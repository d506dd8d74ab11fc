-- AlterTable
ALTER TABLE "submissions" ADD COLUMN     "files_purged_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "submission_files" (
    "id" SERIAL NOT NULL,
    "submission_id" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "submission_files_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dataset_versions" (
    "id" SERIAL NOT NULL,
    "factory_id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "created_by_user_id" INTEGER NOT NULL,
    "min_score" INTEGER,
    "task_id" INTEGER,
    "demonstrations" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "histogram" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dataset_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dataset_version_items" (
    "version_id" INTEGER NOT NULL,
    "submission_id" INTEGER NOT NULL,

    CONSTRAINT "dataset_version_items_pkey" PRIMARY KEY ("version_id","submission_id")
);

-- CreateTable
CREATE TABLE "dataset_downloads" (
    "id" SERIAL NOT NULL,
    "version_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "via" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dataset_downloads_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "submission_files_sha256_idx" ON "submission_files"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "submission_files_submission_id_role_key" ON "submission_files"("submission_id", "role");

-- CreateIndex
CREATE UNIQUE INDEX "dataset_versions_factory_id_version_key" ON "dataset_versions"("factory_id", "version");

-- CreateIndex
CREATE INDEX "dataset_version_items_submission_id_idx" ON "dataset_version_items"("submission_id");

-- CreateIndex
CREATE INDEX "dataset_downloads_version_id_id_idx" ON "dataset_downloads"("version_id", "id");

-- AddForeignKey
ALTER TABLE "submission_files" ADD CONSTRAINT "submission_files_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dataset_version_items" ADD CONSTRAINT "dataset_version_items_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "dataset_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dataset_downloads" ADD CONSTRAINT "dataset_downloads_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "dataset_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
