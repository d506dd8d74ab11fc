import type { JobRunView } from "#src/epochs/runs.ts";
import { formatDuration } from "#src/epochs/timeouts.ts";
import { formatTime } from "./_format.ts";
import { type Ctx, commandGroup, subcommand } from "./_kit.ts";

const RECENT_RUNS = 10;

const STATUS_WORDS: Record<JobRunView["status"], string> = {
  running: "running",
  done: "done",
  failed: "failed",
};

export function runLine(run: JobRunView): string {
  const notes = [
    ...(run.attempts > 1 ? [`attempt ${run.attempts}`] : []),
    // A run that failed by timing out says so in its error; one retried since keeps the count.
    ...(run.timeouts > 0 ? [`${run.timeouts} ${run.timeouts === 1 ? "attempt" : "attempts"} timed out`] : []),
  ];
  const attempts = notes.length > 0 ? ` (${notes.join(", ")})` : "";
  const what = run.status === "failed" ? (run.error ?? "") : (run.summary ?? "");
  return `${run.job} ${run.periodKey}: ${STATUS_WORDS[run.status]}${attempts}${what ? ` — ${what}` : ""}`;
}

export function runData(run: JobRunView) {
  return {
    job: run.job,
    period: run.periodKey,
    periodStart: run.periodStart.toISOString(),
    periodEnd: run.periodEnd.toISOString(),
    status: run.status,
    attempts: run.attempts,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    summary: run.summary,
    error: run.error,
    timeouts: run.timeouts,
  };
}

const status = subcommand({
  description: "The periodic jobs: their schedules, when each is next due, and recent runs",
  async handler(ctx: Ctx) {
    const { scheduler } = ctx.services;
    const jobs = await scheduler.status(ctx.now);
    const recent = await scheduler.runs.recent(RECENT_RUNS);
    const jobLines = jobs.map((job) =>
      job.nextDue
        ? `${job.name} (${job.expression} UTC): next due ${formatTime(job.nextDue)}, times out after ${formatDuration(job.timeoutMs)}`
        : `${job.name}: off`,
    );
    const runLines = recent.length > 0 ? recent.map(runLine) : ["No job has run yet."];
    return {
      title: "Periodic jobs",
      text: `${jobLines.join("\n")}\n\nRecent runs, newest first:\n${runLines.join("\n")}`,
      data: {
        jobs: jobs.map((job) => ({
          name: job.name,
          schedule: job.expression,
          nextDue: job.nextDue?.toISOString() ?? null,
          timeoutSeconds: job.timeoutMs / 1000,
          last: job.last ? runData(job.last) : null,
        })),
        recent: recent.map(runData),
      },
    };
  },
});

export default commandGroup({
  name: "epoch",
  description: "Periodic jobs (epochs): their schedules, when each is next due, recent runs",
  category: "General",
  subcommands: { status },
});
