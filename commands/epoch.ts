import type { JobRunView } from "#src/epochs/runs.ts";
import type { RunReport } from "#src/epochs/scheduler.ts";
import { formatDuration } from "#src/epochs/timeouts.ts";
import { formatTime } from "./_format.ts";
import { type Ctx, commandGroup, subcommand } from "./_kit.ts";

const RECENT_RUNS = 10;

const STATUS_WORDS: Record<JobRunView["status"], string> = {
  running: "running",
  done: "done",
  failed: "failed",
};

function runLine(run: JobRunView): string {
  const notes = [
    ...(run.attempts > 1 ? [`attempt ${run.attempts}`] : []),
    // A run that failed by timing out says so in its error; one retried since keeps the count.
    ...(run.timeouts > 0 ? [`${run.timeouts} ${run.timeouts === 1 ? "attempt" : "attempts"} timed out`] : []),
  ];
  const attempts = notes.length > 0 ? ` (${notes.join(", ")})` : "";
  const what = run.status === "failed" ? (run.error ?? "") : (run.summary ?? "");
  return `${run.job} ${run.periodKey}: ${STATUS_WORDS[run.status]}${attempts}${what ? ` — ${what}` : ""}`;
}

function runData(run: JobRunView) {
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

const OUTCOME_WORDS: Record<RunReport["outcome"], string> = {
  ran: "ran",
  resumed: "resumed and finished",
  failed: "failed",
  skipped: "skipped",
};

const SKIP_WORDS: Record<NonNullable<RunReport["reason"]>, string> = {
  done: "already done",
  running: "being run by another process right now",
  gave_up: "failed too many times; see the logs",
};

const run = subcommand({
  description: "Run what is due for a job now (moderators)",
  access: "moderator",
  options: {
    job: {
      type: "string",
      description: "The job's name, as /epoch status lists it",
      required: true,
      maxLength: 64,
      autocomplete: async (ctx: Ctx, partial: string) =>
        ctx.services.scheduler.jobs
          .map((job) => job.spec.name)
          .filter((name) => name.startsWith(partial.trim().toLowerCase()))
          .map((name) => ({ name, value: name })),
    },
  },
  async handler(ctx: Ctx, args) {
    const { scheduler } = ctx.services;
    const name = args.job.trim().toLowerCase();
    const reports = await scheduler.runNow(ctx.actor, name);
    const acted = reports.filter((r) => r.outcome !== "skipped");
    const [job] = (await scheduler.status(ctx.now)).filter((j) => j.name === name);
    const next = job?.nextDue ? ` Next due ${formatTime(job.nextDue)}.` : "";
    const lines = reports.map((r) => {
      const why = r.reason ? ` (${SKIP_WORDS[r.reason]})` : "";
      const what = r.outcome === "failed" ? r.run.error : r.run.summary;
      return `${r.period.key}: ${OUTCOME_WORDS[r.outcome]}${why}${what && r.outcome !== "skipped" ? ` — ${what}` : ""}`;
    });
    return {
      title: `Job ${name}`,
      text:
        acted.length === 0
          ? `Nothing was due for ${name}: its latest period already ran or is running.${next}${lines.length > 0 ? `\n${lines.join("\n")}` : ""}`
          : `${lines.join("\n")}${next}`,
      tone: reports.some((r) => r.outcome === "failed") ? "error" : acted.length > 0 ? "success" : "info",
      data: {
        job: name,
        runs: reports.map((r) => ({ ...runData(r.run), outcome: r.outcome, reason: r.reason ?? null })),
      },
    };
  },
});

export default commandGroup({
  name: "epoch",
  description: "Periodic jobs (epochs): status, and running a due one now",
  category: "Moderators",
  subcommands: { status, run },
});
