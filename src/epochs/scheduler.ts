// Runs every periodic job once per period, however many bot processes are up (docs/economy.md section 8).
//
// node-cron ticks each job on its schedule (UTC). A tick runs, oldest period first, everything due
// for that job: runs whose owner died (stale heartbeat) or that failed and may be retried, then the
// periods that ended since the job's latest recorded period (bounded by the catch-up limit). Each
// period is first claimed in job_runs (src/epochs/runs.ts): the process that claims it runs it,
// others do nothing. Start-up does one tick of every job, which is the catch-up after downtime.
// A run that outlasts its job's timeout is stopped and recorded as failed (src/epochs/timeouts.ts).

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import cron, { type ScheduledTask } from "node-cron";
import type { Clock } from "#src/core/clock.ts";
import { DAY, MINUTE } from "#src/core/clock.ts";
import type { Actor } from "#src/core/context.ts";
import { forbidden, UserError } from "#src/core/errors.ts";
import { encodeResult } from "#src/core/idempotency.ts";
import type { Notifier } from "#src/core/notifier.ts";
import type { ChannelRef } from "#src/core/spec.ts";
import type { Database } from "#src/db/database.ts";
import type { Logger } from "#src/log.ts";
import type { JobSpec, Period } from "./job.ts";
import type { JobStatus, PruneReport, RunReport } from "./reports.ts";
import { type ClaimPolicy, JobRuns, type JobRunView, MAX_ERROR_LENGTH } from "./runs.ts";
import { CronSchedule, ScheduleError } from "./schedule.ts";
import { JobTimeoutError } from "./timeouts.ts";

export type { JobStatus, PruneReport, RunOutcome, RunReport } from "./reports.ts";

/**
 * What the scheduler itself uses of the services it hands its jobs: generic over the rest (`S`),
 * like the dispatcher, so src/epochs depends on nothing above it.
 */
export interface SchedulerServices {
  db: Database;
  log: Logger;
  clock: Clock;
  notifier: Pick<Notifier, "postToChannel">;
}

export interface SchedulerOptions {
  /** Schedules that replace the jobs' defaults, by job name; "off" disables a job. */
  schedules?: Readonly<Record<string, string>>;
  /** A running run whose heartbeat is older than this is taken over (its owner died). */
  leaseMs?: number;
  /** A failed period is retried by later ticks until it has been attempted this many times. */
  maxAttempts?: number;
  /** At most this many missed periods per job are run on a tick; older ones are skipped. */
  maxCatchUp?: number;
  /** How long a run may take, for a job with no timeout of its own. */
  timeoutMs?: number;
  /** Timeouts that replace the jobs' own, by job name (JOB_TIMEOUTS). */
  timeoutsMs?: Readonly<Record<string, number>>;
  /** Done runs older than this are deleted by pruneRuns (the job-runs-retention job). */
  retentionMs?: number;
  /** Where results are announced, if anywhere. */
  announceChannel?: ChannelRef;
  /** This process's name in job_runs.owner (tests name their processes). */
  owner?: string;
}

export interface ScheduledJob<S> {
  spec: JobSpec<S>;
  /** The expression in force, or "off". */
  expression: string;
  schedule?: CronSchedule;
  /** How long one attempt may take before it is stopped and recorded as failed. */
  timeoutMs: number;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_MAX_CATCH_UP = 30;
const DEFAULT_TIMEOUT_MS = 30 * MINUTE;
const DEFAULT_RETENTION_MS = 30 * DAY;
/** Rows deleted per statement when pruning. */
const PRUNE_BATCH = 1000;
/** A moderator's /admin epoch run retries a failed period whatever its attempts (up to int4). */
const MAX_ATTEMPTS_BY_HAND = 2 ** 31 - 1;

/** Told when this process ends a run it claimed: the job, how it ended, how long it took. */
export type JobRunListener = (event: {
  job: string;
  outcome: "ran" | "resumed" | "failed";
  seconds: number;
}) => void;

export class SchedulerConfigError extends Error {
  override name = "SchedulerConfigError";
}

export class Scheduler<S extends SchedulerServices> {
  readonly runs: JobRuns;
  readonly owner: string;
  readonly #jobs = new Map<string, ScheduledJob<S>>();
  readonly #policy: { leaseMs: number; maxAttempts: number; maxCatchUp: number; retentionMs: number };
  readonly #tasks: ScheduledTask[] = [];
  /** One tick at a time per job in this process (other processes are kept out by the claims). */
  readonly #queues = new Map<string, Promise<unknown>>();
  #stopping = false;
  readonly #runListeners: JobRunListener[] = [];

  constructor(
    private readonly services: S,
    jobs: readonly JobSpec<S>[],
    private readonly options: SchedulerOptions = {},
  ) {
    this.runs = new JobRuns(services.db);
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.#policy = {
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      maxCatchUp: options.maxCatchUp ?? DEFAULT_MAX_CATCH_UP,
      retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
    };
    for (const spec of jobs) {
      if (this.#jobs.has(spec.name)) throw new SchedulerConfigError(`two jobs are named "${spec.name}"`);
      const expression = options.schedules?.[spec.name] ?? spec.defaultSchedule;
      const timeoutMs =
        options.timeoutsMs?.[spec.name] ??
        (spec.defaultTimeoutSeconds === undefined ? undefined : spec.defaultTimeoutSeconds * 1000) ??
        options.timeoutMs ??
        DEFAULT_TIMEOUT_MS;
      this.#jobs.set(spec.name, {
        spec,
        expression,
        ...(expression === "off" ? {} : { schedule: new CronSchedule(expression) }),
        timeoutMs,
      });
    }
    this.#refuseUnknownJobs("JOB_SCHEDULES", options.schedules);
    this.#refuseUnknownJobs("JOB_TIMEOUTS", options.timeoutsMs);
  }

  #refuseUnknownJobs(setting: string, byJob: Readonly<Record<string, unknown>> | undefined): void {
    const unknown = Object.keys(byJob ?? {}).filter((name) => !this.#jobs.has(name));
    if (unknown.length > 0)
      throw new SchedulerConfigError(
        `${setting} names ${unknown.map((n) => `"${n}"`).join(", ")}, which ${unknown.length === 1 ? "is not a job" : "are not jobs"}; the jobs are ${[...this.#jobs.keys()].join(", ")}`,
      );
  }

  get jobs(): ScheduledJob<S>[] {
    return [...this.#jobs.values()];
  }

  get #log(): Logger {
    return this.services.log;
  }

  /** Catches every job up (resumes, retries, missed periods), then ticks each on its schedule. */
  async start(): Promise<void> {
    this.#stopping = false;
    for (const job of this.jobs) {
      if (!job.schedule) continue;
      await this.tick(job.spec.name).catch((error: unknown) =>
        this.#log.error({ err: error, job: job.spec.name }, "job catch-up failed"),
      );
    }
    if (this.#stopping) return;
    for (const job of this.jobs) {
      if (!job.schedule) continue;
      const name = job.spec.name;
      const task = cron.createTask(
        job.expression,
        async (context) => {
          try {
            await this.tick(name, context.date);
          } catch (error) {
            this.#log.error({ err: error, job: name }, "job tick failed");
          }
        },
        { timezone: "UTC", name: `forgebot:${name}`, noOverlap: true },
      );
      await task.start();
      this.#tasks.push(task);
    }
    this.#log.info({ jobs: this.#tasks.length, owner: this.owner }, "scheduler started");
  }

  /** Calls `listener` after every run this process claimed (the metrics count them). */
  onRun(listener: JobRunListener): void {
    this.#runListeners.push(listener);
  }

  /** Stops ticking and waits for the runs under way to finish. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const task of this.#tasks.splice(0)) await task.destroy();
    await Promise.allSettled([...this.#queues.values()]);
  }

  /**
   * Runs everything due for `name` now, oldest period first. `firedAt` is node-cron's fire time:
   * the clock is never read as earlier than the tick it serves.
   */
  tick(name: string, firedAt?: Date, options: { retryExhausted?: boolean } = {}): Promise<RunReport[]> {
    const job = this.#job(name);
    const previous = this.#queues.get(name) ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(() => this.#tick(job, firedAt, options.retryExhausted ?? false));
    this.#queues.set(name, next);
    return next;
  }

  /**
   * A moderator runs what is due for a job now (/admin epoch run): like a tick, and it also retries
   * periods that failed JOB_MAX_ATTEMPTS times (once the cause is fixed).
   */
  async runNow(actor: Actor, name: string): Promise<RunReport[]> {
    if (!actor.isModerator) throw forbidden("Only moderators can run jobs.");
    const job = this.#job(name);
    if (!job.schedule)
      throw new UserError(
        "job_disabled",
        `The ${name} job is switched off (JOB_SCHEDULES sets it to "off"); give it a schedule to run it.`,
      );
    return this.tick(name, undefined, { retryExhausted: true });
  }

  /** Every job with its schedule, when it is next due and its latest run. */
  async status(now: Date = this.services.clock.now()): Promise<JobStatus[]> {
    const statuses: JobStatus[] = [];
    for (const job of this.jobs) {
      const last = (await this.runs.recent(1, job.spec.name))[0];
      statuses.push({
        name: job.spec.name,
        description: job.spec.description,
        expression: job.expression,
        ...(job.schedule ? { nextDue: job.schedule.nextDue(now) } : {}),
        timeoutMs: job.timeoutMs,
        ...(last ? { last } : {}),
      });
    }
    return statuses;
  }

  /**
   * Deletes the done runs whose period ended, and that finished, more than the retention age ago
   * (JOB_RUNS_RETENTION_DAYS), except what catch-up relies on: the newest row of each job (a tick
   * runs the periods after it) and every row inside the job's catch-up horizon (the last
   * JOB_MAX_CATCH_UP periods, all a tick could ever claim: their rows are what says "done"). Running
   * and failed rows stay whatever their age. Checks `signal` between batches.
   */
  async pruneRuns(now: Date, signal?: AbortSignal): Promise<PruneReport> {
    const olderThan = new Date(now.getTime() - this.#policy.retentionMs);
    const byJob: Record<string, number> = {};
    let deleted = 0;
    for (const { job, periodEnd: newest } of await this.runs.newestByJob()) {
      let periodEndBefore = newest < olderThan ? newest : olderThan;
      const horizon = this.#catchUpHorizon(job, now);
      if (horizon < periodEndBefore) periodEndBefore = horizon;
      const rule = { finishedBefore: olderThan, periodEndBefore };
      for (;;) {
        signal?.throwIfAborted();
        const count = await this.runs.pruneDone(job, rule, PRUNE_BATCH);
        deleted += count;
        if (count > 0) byJob[job] = (byJob[job] ?? 0) + count;
        if (count < PRUNE_BATCH) break;
      }
    }
    if (deleted > 0) this.#log.info({ deleted, byJob, olderThan }, "old job runs deleted");
    return { deleted, byJob, olderThan };
  }

  /**
   * The end of the oldest period a tick of `name` at `now` could claim: the JOB_MAX_CATCH_UP-th
   * fire time back. A job that is off, or no longer registered, never ticks: only its newest row
   * matters then (if it is switched back on, catch-up starts after that row).
   */
  #catchUpHorizon(name: string, now: Date): Date {
    const schedule = this.#jobs.get(name)?.schedule;
    if (!schedule) return new Date(8.64e15);
    try {
      let end = schedule.previous(now);
      for (let i = 1; i < this.#policy.maxCatchUp; i++) end = schedule.previous(new Date(end.getTime() - 1));
      return end;
    } catch (error) {
      // A schedule that fires too rarely to look back on: keep all its rows.
      if (error instanceof ScheduleError) return new Date(0);
      throw error;
    }
  }

  #job(name: string): ScheduledJob<S> {
    const job = this.#jobs.get(name);
    if (!job)
      throw new UserError(
        "unknown_job",
        `There is no job named "${name}". The jobs are: ${[...this.#jobs.keys()].join(", ")}.`,
      );
    return job;
  }

  async #tick(
    job: ScheduledJob<S>,
    firedAt: Date | undefined,
    retryExhausted: boolean,
  ): Promise<RunReport[]> {
    const schedule = job.schedule;
    if (!schedule) return [];
    const clockNow = this.services.clock.now();
    const now = firedAt && firedAt > clockNow ? firedAt : clockNow;
    const name = job.spec.name;
    // Unfinished runs first (dead owners, failures to retry), then the periods nobody claimed yet.
    const due = new Map<string, Period>();
    const maxAttempts = retryExhausted ? MAX_ATTEMPTS_BY_HAND : this.#policy.maxAttempts;
    for (const run of await this.runs.unfinished(name, maxAttempts, this.#policy.maxCatchUp))
      if (run.periodEnd <= now)
        due.set(run.periodKey, { key: run.periodKey, start: run.periodStart, end: run.periodEnd });
    const latest = await this.runs.latest(name);
    const fresh = latest
      ? schedule.periodsDue(latest.periodEnd, now, this.#policy.maxCatchUp)
      : [schedule.latestDue(now)];
    if (latest && fresh.length === this.#policy.maxCatchUp && fresh[0] && fresh[0].start > latest.periodEnd)
      this.#log.warn(
        { job: name, from: latest.periodEnd, resumedAt: fresh[0].start },
        "more periods were missed than JOB_MAX_CATCH_UP: the oldest are skipped",
      );
    for (const period of fresh) due.set(period.key, period);
    const ordered = [...due.values()].sort((a, b) => a.end.getTime() - b.end.getTime());
    const reports: RunReport[] = [];
    for (const period of ordered) {
      if (this.#stopping) break;
      const started = performance.now();
      const report = await this.#runPeriod(job, period, maxAttempts);
      if (report.outcome !== "skipped") {
        const event = { job: name, outcome: report.outcome, seconds: (performance.now() - started) / 1000 };
        for (const listener of this.#runListeners) listener(event);
      }
      reports.push(report);
    }
    return reports;
  }

  async #runPeriod(job: ScheduledJob<S>, period: Period, maxAttempts: number): Promise<RunReport> {
    const name = job.spec.name;
    const policy: ClaimPolicy = {
      ...this.#policy,
      owner: this.owner,
      now: this.services.clock.now(),
      maxAttempts,
    };
    const claim = await this.runs.claim(name, period, policy);
    if (!claim.claimed)
      return { job: name, period, outcome: "skipped", reason: claim.reason, run: claim.run };
    const key = `${name}:${period.key}`;
    const log = this.#log.child({ job: name, period: period.key, attempt: claim.run.attempts });
    log.info(claim.resumed ? "resuming job run" : "job run started");
    // The timeout is watched by the heartbeat, against the services' clock like the lease: each
    // beat either renews the lease or, once the run has lasted its timeout, stops renewing it,
    // aborts the job's signal and stops awaiting the run, which is then recorded as failed. A job
    // that ignores the signal may go on in the background; its steps are idempotent, so whatever
    // it still does, the retry does not do again.
    const startedAt = this.services.clock.now().getTime();
    const abort = new AbortController();
    let timeOut: (error: JobTimeoutError) => void = () => {};
    const timedOut = new Promise<never>((_, reject) => {
      timeOut = reject;
    });
    // Set once the run is over for this process (finished, failed or timed out): a heartbeat
    // still in flight then says nothing worth a warning.
    let over = false;
    const stop = () => {
      over = true;
      clearInterval(heartbeat);
    };
    const beat = () => {
      if (this.services.clock.now().getTime() - startedAt >= job.timeoutMs) {
        stop();
        const error = new JobTimeoutError(job.timeoutMs);
        abort.abort(error);
        timeOut(error);
        return;
      }
      this.runs
        .heartbeat(claim.run.id, this.owner, this.services.clock.now())
        .then((held) => {
          if (!held && !over) log.warn("another process took this run over; its steps are idempotent");
        })
        .catch((error: unknown) => log.warn({ err: error }, "heartbeat failed"));
    };
    // A third of the lease keeps it alive; a quarter of the timeout keeps a timeout close to due.
    const heartbeat = setInterval(
      beat,
      Math.max(50, Math.floor(Math.min(this.#policy.leaseMs / 3, job.timeoutMs / 4))),
    );
    heartbeat.unref();
    try {
      const running = job.spec.run({
        period,
        key,
        services: this.services,
        log,
        now: this.services.clock.now(),
        signal: abort.signal,
      });
      const outcome = await Promise.race([running, timedOut]);
      stop();
      const data =
        outcome.data === undefined ? undefined : (encodeResult(outcome.data) as Record<string, unknown>);
      const finishedAt = this.services.clock.now();
      const held = await this.runs.finish(claim.run.id, this.owner, finishedAt, {
        summary: outcome.summary,
        ...(data ? { data } : {}),
      });
      // Taken over while alive (a pause longer than the lease): the other process finishes it too,
      // and the steps being idempotent, nothing was done twice.
      if (!held) log.warn("this run was taken over by another process before it finished");
      log.info({ summary: outcome.summary }, "job run done");
      await this.#announce(name, period, outcome.summary, "success");
      // What the row now says, without reading it back (unless someone else holds it now).
      const run: JobRunView = held
        ? {
            ...claim.run,
            status: "done",
            finishedAt,
            heartbeatAt: finishedAt,
            summary: outcome.summary,
            data: data ?? claim.run.data,
            error: null,
          }
        : ((await this.runs.get(name, period.key)) ?? claim.run);
      return { job: name, period, outcome: claim.resumed ? "resumed" : "ran", run };
    } catch (caught) {
      stop();
      // Past the deadline the failure is the timeout, whatever the job threw on seeing the signal.
      const timeout = abort.signal.aborted;
      const error: unknown = timeout ? abort.signal.reason : caught;
      const message = error instanceof Error ? error.message : String(error);
      if (timeout)
        log.error(
          { timeoutMs: job.timeoutMs },
          "job run timed out: stopped, recorded as failed, left to retry",
        );
      else log.error({ err: error }, "job run failed");
      const failedAt = this.services.clock.now();
      const held = await this.runs.fail(claim.run.id, this.owner, failedAt, message, timeout);
      const retry =
        claim.run.attempts < this.#policy.maxAttempts
          ? "It is retried on the next tick."
          : `That was the last of ${this.#policy.maxAttempts} automatic attempts (JOB_MAX_ATTEMPTS); a moderator's /admin epoch run retries it.`;
      await this.#announce(name, period, `Failed: ${message}. ${retry}`, "error");
      const run: JobRunView = held
        ? {
            ...claim.run,
            status: "failed",
            finishedAt: failedAt,
            heartbeatAt: failedAt,
            error: message.slice(0, MAX_ERROR_LENGTH),
            timeouts: claim.run.timeouts + (timeout ? 1 : 0),
          }
        : ((await this.runs.get(name, period.key)) ?? claim.run);
      return { job: name, period, outcome: "failed", run };
    }
  }

  /** Posts a result in the announcement channel, if one is set. Never throws. */
  async #announce(job: string, period: Period, text: string, tone: "success" | "error"): Promise<void> {
    const channel = this.options.announceChannel;
    if (!channel) return;
    try {
      await this.services.notifier.postToChannel(channel, { title: `${job} — ${period.key}`, text, tone });
    } catch (error) {
      this.#log.warn({ err: error, job, channel }, "could not announce a job result");
    }
  }
}
