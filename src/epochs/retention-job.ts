// Daily by default: job_runs keeps one row per period, so per-minute jobs alone add 1,440 rows a
// day; this deletes the done ones older than JOB_RUNS_RETENTION_DAYS (Scheduler.pruneRuns says
// which rows catch-up still needs and keeps them).
//
// A job of its own rather than a step of every tick: a tick runs in every process, every minute,
// while this needs doing once a day by one process. As a job it gets that from the claim, shows
// in /epoch status, can be rescheduled or switched off in JOB_SCHEDULES, and has a timeout and
// retries like any other. Deleting is idempotent, so a retry simply deletes what is left.
import { formatDay } from "#src/core/time-format.ts";
import { defineJob } from "./job.ts";
import type { Scheduler, SchedulerServices } from "./scheduler.ts";

export const JOB_RUNS_RETENTION_JOB = "job-runs-retention";

export const jobRunsRetentionJob = defineJob<{ scheduler: Pick<Scheduler<SchedulerServices>, "pruneRuns"> }>({
  name: JOB_RUNS_RETENTION_JOB,
  description: "Deletes the records of finished job runs older than JOB_RUNS_RETENTION_DAYS",
  defaultSchedule: "40 3 * * *",
  defaultTimeoutSeconds: 30 * 60,
  async run(ctx) {
    const report = await ctx.services.scheduler.pruneRuns(ctx.now, ctx.signal);
    return {
      summary: `${report.deleted} finished run record(s) from before ${formatDay(report.olderThan)} deleted.`,
      data: { deleted: report.deleted, byJob: report.byJob, olderThan: report.olderThan.toISOString() },
    };
  },
});
