// The datasets' periodic job: deleting the files of uploads nobody paid for (retention.ts).
import { defineJob } from "#src/job-kit.ts";
import { purgeUnpaidUploads } from "./retention.ts";

export const recordingRetentionJob = defineJob({
  name: "recording-retention",
  description: "Deletes the files of expired and below-threshold uploads after RECORDING_RETENTION_DAYS",
  defaultSchedule: "40 3 * * *",
  defaultTimeoutSeconds: 30 * 60,
  async run(ctx) {
    const { db, blobs, config } = ctx.services;
    const purged = await purgeUnpaidUploads(db, blobs, {
      now: ctx.now,
      retentionDays: config.RECORDING_RETENTION_DAYS,
      signal: ctx.signal,
    });
    return {
      summary: `${purged.submissions} unpaid upload(s) past retention had their files deleted (${purged.blobs} blob(s)).`,
      data: purged,
    };
  },
});
