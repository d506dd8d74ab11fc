// The periodic jobs (src/epochs, the list in src/jobs.ts): schedules, leases, retries, timeouts,
// retention and where results are announced.
import { z } from "zod";
import { isValidCron } from "#src/epochs/schedule.ts";
import { channelRef, durationSeconds, optional, type SliceConfig } from "./settings.ts";

/**
 * `job=value` pairs separated by semicolons (cron lists use commas), for settings given per job.
 * `parse` returns the value's setting, or undefined when the value is not one; `expected` says what
 * a good setting looks like, for the message that stops the bot.
 */
function perJob<T>(parse: (value: string) => T | undefined, expected: string) {
  return z
    .string()
    .default("")
    .transform((raw, ctx) => {
      const byJob: Record<string, T> = {};
      for (const item of raw
        .split(";")
        .map((s) => s.trim())
        .filter(Boolean)) {
        const at = item.indexOf("=");
        const name = item.slice(0, at).trim();
        const value = at > 0 ? parse(item.slice(at + 1).trim()) : undefined;
        if (at <= 0 || !/^[a-z][a-z0-9-]*$/.test(name) || value === undefined) {
          ctx.addIssue({ code: "custom", message: `${expected}; "${item}" is not one` });
          return z.NEVER;
        }
        byJob[name] = value;
      }
      return byJob;
    });
}

/** `job=cron expression` pairs; `off` disables a job. */
const jobSchedules = perJob((value) => {
  const expression = value.replace(/\s+/g, " ");
  return expression === "off" || isValidCron(expression) ? expression : undefined;
}, 'expected job=cron pairs separated by semicolons, e.g. "withdrawals=*/5 * * * *; arena-emission=0 0 * * *" (UTC; "off" disables a job)');

/** The longest timeout a job may have: a week, well within what a timer can wait. */
const MAX_JOB_TIMEOUT_SECONDS = 7 * 86_400;

/** `job=seconds` pairs, like JOB_SCHEDULES: how long a run of a job may take. */
const jobTimeouts = perJob((value) => {
  const seconds = Number(value);
  return /^\d+$/.test(value) && seconds >= 1 && seconds <= MAX_JOB_TIMEOUT_SECONDS ? seconds : undefined;
}, `expected job=seconds pairs separated by semicolons, e.g. "withdrawals=300; arena-emission=7200" (whole seconds from 1 to ${MAX_JOB_TIMEOUT_SECONDS})`);

export const jobsSettings = {
  /** on: this process ticks the periodic jobs (several processes may: each period runs once). */
  SCHEDULER: z.enum(["on", "off"]).default("on"),
  /** Schedules replacing the jobs' defaults, `job=cron` separated by semicolons (UTC). */
  JOB_SCHEDULES: jobSchedules,
  /** A run whose process stopped renewing its heartbeat for this long is resumed by another. */
  JOB_LEASE_SECONDS: durationSeconds(60),
  /** A failed period is retried on later ticks until it has been tried this many times. */
  JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  /** At most this many missed periods per job are caught up (the most recent ones). */
  JOB_MAX_CATCH_UP: z.coerce.number().int().min(1).max(10_000).default(30),
  /** How long a run may take for a job without a timeout of its own (src/jobs.ts has them). */
  JOB_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(MAX_JOB_TIMEOUT_SECONDS).default(1800),
  /** Timeouts replacing the jobs' own, `job=seconds` separated by semicolons. */
  JOB_TIMEOUTS: jobTimeouts,
  /** Done job runs older than this many days are deleted (the job-runs-retention job). */
  JOB_RUNS_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(30),
  /**
   * Idempotency records older than this many days are deleted (the idempotency-retention job).
   * At least 2: Telegram redelivers an update for up to a day, and a replay must still find its key.
   */
  IDEMPOTENCY_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(2, "keep idempotency records at least 2 days: platforms redeliver events for up to a day")
    .max(36_500)
    .default(7),
  /** Where job results are posted, `platform:channelId`; unset, they are only logged. */
  JOB_ANNOUNCE_CHANNEL: optional(channelRef),
};

export type JobsConfig = SliceConfig<typeof jobsSettings>;
