// A moderator runs what is due for a periodic job now: /admin epoch run (commands/admin.ts), so
// Discord shows it only to moderators; /epoch status (commands/epoch.ts) is for everyone.
import type { RunReport } from "#src/epochs/scheduler.ts";
import { formatTime } from "./_format.ts";
import { type Ctx, subcommand } from "./_kit.ts";
import { runData } from "./epoch.ts";

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
  description: "Run what is due for a periodic job now",
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

/** /admin epoch …: the group of the moderators' job subcommands. */
export const epochRuns = {
  description: "Periodic jobs: run a due one now",
  subcommands: { run },
};
