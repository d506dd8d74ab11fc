// Uploads nobody paid for (expired unpaid, or settled below their factory's quality threshold) keep
// their files for RECORDING_RETENTION_DAYS (room for an appeal or a review), then the files as
// uploaded are deleted. The actions stay: a later review still has what it grades.
import { DAY } from "#src/core/clock.ts";
import type { Database } from "#src/db/database.ts";
import type { BlobStore } from "#src/storage/blob-store.ts";
import { deleteUnreferenced } from "./keep-upload.ts";

const UPLOADED_ROLES = ["meta", "log", "video"];

export async function purgeUnpaidUploads(
  db: Database,
  blobs: BlobStore,
  options: { now: Date; retentionDays: number; limit?: number; signal?: AbortSignal },
): Promise<{ submissions: number; blobs: number }> {
  const cutoff = new Date(options.now.getTime() - options.retentionDays * DAY);
  const due = await db.prisma.$queryRaw<Array<{ id: number }>>`
    SELECT s.id FROM submissions s JOIN factories f ON f.id = s.factory_id
    WHERE s.files_purged_at IS NULL
      AND (s.appealed_at IS NULL OR s.appeal_resolved_at IS NOT NULL)
      AND ((s.status = 'expired' AND s.expires_at < ${cutoff})
        OR (s.status = 'settled' AND s.score < f.quality_threshold AND s.graded_at < ${cutoff}))
    ORDER BY s.id LIMIT ${options.limit ?? 500}`;
  let submissions = 0;
  let deleted = 0;
  for (const { id } of due) {
    if (options.signal?.aborted) break;
    // The rows go first, in one transaction that re-checks the row; the blobs after, once nothing
    // points at them (a crash between leaves a blob nobody names, never a row naming no blob).
    const removed = await db.transaction(async (tx) => {
      const files = await tx.db.submissionFile.findMany({
        where: { submissionId: id, role: { in: UPLOADED_ROLES } },
      });
      const marked = await tx.db.submission.updateMany({
        where: { id, filesPurgedAt: null },
        data: { filesPurgedAt: tx.now },
      });
      if (marked.count === 0) return [];
      await tx.db.submissionFile.deleteMany({ where: { id: { in: files.map((f) => f.id) } } });
      return files.map((file) => file.sha256);
    });
    if (removed.length === 0) continue;
    submissions++;
    deleted += await deleteUnreferenced(db, blobs, removed);
  }
  return { submissions, blobs: deleted };
}
