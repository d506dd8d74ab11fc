// A periodic job, as the scheduler (src/epochs) runs it: once per period, whatever the number of
// bot processes, resumable if it dies midway. A job's steps must be idempotent under `ctx.key`.
// A run that outlasts its timeout is recorded as failed and retried; its `signal` is aborted then,
// so a long job should check it between steps (`ctx.signal?.throwIfAborted()`) or hand it to the
// calls that may hang: whatever it does after the timeout, it does beside the retry. Every job in
// src/jobs.ts does; a service loop a job calls takes the signal as an optional parameter.
//
// Generic over the services a job is handed (`S`), like the dispatcher over a command's: src/epochs
// knows nothing above it. src/job-kit.ts binds S to the bot's services for the jobs in src/jobs.ts.
import type { Logger } from "#src/log.ts";

export interface Period {
  /** Stable and unique per job, e.g. "2026-11-23" for a daily job, "2026-11-23T10:00" hourly. */
  key: string;
  start: Date;
  end: Date;
}

export interface JobContext<S> {
  period: Period;
  /** `${job}:${period.key}`: the idempotency key of this run's steps. */
  key: string;
  services: S;
  log: Logger;
  now: Date;
  /**
   * Aborted when the run exceeds its timeout (the reason is a JobTimeoutError). The scheduler
   * always passes it; it is optional only so that a test may call a job's run() by hand.
   */
  signal?: AbortSignal;
}

export interface JobOutcome {
  /** One line for /epoch status and the announcement channel. */
  summary: string;
  data?: Record<string, unknown>;
}

export interface JobSpec<S> {
  name: string;
  description: string;
  /** A cron expression (UTC) used unless the deployment configures another. */
  defaultSchedule: string;
  /**
   * How long one run may take, in seconds, unless JOB_TIMEOUTS says otherwise (JOB_TIMEOUT_SECONDS
   * when left out): well beyond a healthy run, short enough that a hung one does not hold the job's
   * later periods for long.
   */
  defaultTimeoutSeconds?: number;
  run(ctx: JobContext<S>): Promise<JobOutcome>;
}

/** A job over the services `S` it needs (the few its steps read, for the jobs in src/epochs). */
export const defineJob = <S>(job: JobSpec<S>): JobSpec<S> => job;
