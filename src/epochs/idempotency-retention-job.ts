// Every action a command runs leaves an idempotency record (src/core/idempotency.ts), so a
// redelivered event returns the first result instead of acting twice. Platforms redeliver within
// minutes (Discord) to a day (Telegram keeps an update for 24 hours), so a record is needed for a
// day or so and then only grows the table: this deletes those older than IDEMPOTENCY_RETENTION_DAYS
// (7; at least 2). Money never depends on them alone: ledger transfers, deposits and job steps have
// durable keys of their own.
//
// In batches, each its own statement, so a large backlog neither holds one long lock nor outlives
// the job's timeout without progress: a timed-out run keeps what it deleted and the next deletes
// the rest.
import type { JobsConfig } from "#src/config/jobs.ts";
import { DAY } from "#src/core/clock.ts";
import { formatDay } from "#src/core/time-format.ts";
import type { Database } from "#src/db/database.ts";
import { defineJob } from "./job.ts";

export const IDEMPOTENCY_RETENTION_JOB = "idempotency-retention";

/** Deletes the records created before `olderThan`, `batchSize` at a time; returns how many. */
export async function pruneIdempotencyRecords(
  db: Database,
  olderThan: Date,
  { batchSize = 5_000, signal }: { batchSize?: number; signal?: AbortSignal } = {},
): Promise<number> {
  let deleted = 0;
  for (;;) {
    signal?.throwIfAborted();
    const count = await db.prisma.$executeRaw`
      DELETE FROM idempotency_records WHERE key IN (
        SELECT key FROM idempotency_records WHERE created_at < ${olderThan} LIMIT ${batchSize})`;
    deleted += count;
    if (count < batchSize) return deleted;
  }
}

export const idempotencyRetentionJob = defineJob<{
  db: Database;
  config: Pick<JobsConfig, "IDEMPOTENCY_RETENTION_DAYS">;
}>({
  name: IDEMPOTENCY_RETENTION_JOB,
  description: "Deletes idempotency records older than IDEMPOTENCY_RETENTION_DAYS",
  defaultSchedule: "50 3 * * *",
  defaultTimeoutSeconds: 30 * 60,
  async run(ctx) {
    const days = ctx.services.config.IDEMPOTENCY_RETENTION_DAYS;
    const olderThan = new Date(ctx.now.getTime() - days * DAY);
    const deleted = await pruneIdempotencyRecords(ctx.services.db, olderThan, {
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    return {
      summary: `${deleted} idempotency record(s) from before ${formatDay(olderThan)} deleted.`,
      data: { deleted, olderThan: olderThan.toISOString() },
    };
  },
});
