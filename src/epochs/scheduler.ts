// Runs every periodic job once per period, however many bot processes are up (ECONOMY.md section 8).
//
// node-cron ticks each job on its schedule (UTC). A tick runs, oldest period first, everything due
// for that job: runs whose owner died (stale heartbeat) or that failed and may be retried, then the
// periods that ended since the job's latest recorded period (bounded by the catch-up limit). Each
// period is first claimed in job_runs (src/epochs/runs.ts): the process that claims it runs it,
// others do nothing. Start-up does one tick of every job, which is the catch-up after downtime.

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import cron, { type ScheduledTask } from "node-cron";
import type { Actor } from "#src/core/context.ts";
import { forbidden, UserError } from "#src/core/errors.ts";
import { encodeResult } from "#src/core/idempotency.ts";
import type { ChannelRef } from "#src/core/spec.ts";
import type { Logger } from "#src/log.ts";
import type { Services } from "#src/services.ts";
import type { JobSpec, Period } from "./job.ts";
import { type ClaimPolicy, JobRuns, type JobRunView, MAX_ERROR_LENGTH } from "./runs.ts";
import { CronSchedule } from "./schedule.ts";

export interface SchedulerOptions {
  /** Schedules that replace the jobs' defaults, by job name; "off" disables a job. */
  schedules?: Readonly<Record<string, string>>;
  /** A running run whose heartbeat is older than this is taken over (its owner died). */
  leaseMs?: number;
  /** A failed period is retried by later ticks until it has been attempted this many times. */
  maxAttempts?: number;
  /** At most this many missed periods per job are run on a tick; older ones are skipped. */
  maxCatchUp?: number;
  /** Where results are announced, if anywhere. */
  announceChannel?: ChannelRef;
  /** This process's name in job_runs.owner (tests name their processes). */
  owner?: string;
}

export interface ScheduledJob {
  spec: JobSpec;
  /** The expression in force, or "off". */
  expression: string;
  schedule?: CronSchedule;
}

export type RunOutcome = "ran" | "resumed" | "failed" | "skipped";

export interface RunReport {
  job: string;
  period: Period;
  outcome: RunOutcome;
  /** Why nothing was done, for "skipped": finished already, running elsewhere, out of attempts. */
  reason?: "done" | "running" | "gave_up";
  run: JobRunView;
}

export interface JobStatus {
  name: string;
  description: string;
  expression: string;
  nextDue?: Date;
  last?: JobRunView;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_MAX_CATCH_UP = 30;
/** A moderator's /epoch run retries a failed period whatever its attempts (up to int4). */
const MAX_ATTEMPTS_BY_HAND = 2 ** 31 - 1;

export class SchedulerConfigError extends Error {
  override name = "SchedulerConfigError";
}

export class Scheduler {
  readonly runs: JobRuns;
  readonly owner: string;
  readonly #jobs = new Map<string, ScheduledJob>();
  readonly #policy: { leaseMs: number; maxAttempts: number; maxCatchUp: number };
  readonly #tasks: ScheduledTask[] = [];
  /** One tick at a time per job in this process (other processes are kept out by the claims). */
  readonly #queues = new Map<string, Promise<unknown>>();
  #stopping = false;

  constructor(
    private readonly services: Services,
    jobs: readonly JobSpec[],
    private readonly options: SchedulerOptions = {},
  ) {
    this.runs = new JobRuns(services.db);
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.#policy = {
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      maxCatchUp: options.maxCatchUp ?? DEFAULT_MAX_CATCH_UP,
    };
    for (const spec of jobs) {
      if (this.#jobs.has(spec.name)) throw new SchedulerConfigError(`two jobs are named "${spec.name}"`);
      const expression = options.schedules?.[spec.name] ?? spec.defaultSchedule;
      this.#jobs.set(spec.name, {
        spec,
        expression,
        ...(expression === "off" ? {} : { schedule: new CronSchedule(expression) }),
      });
    }
    const unknown = Object.keys(options.schedules ?? {}).filter((name) => !this.#jobs.has(name));
    if (unknown.length > 0)
      throw new SchedulerConfigError(
        `JOB_SCHEDULES names ${unknown.map((n) => `"${n}"`).join(", ")}, which ${unknown.length === 1 ? "is not a job" : "are not jobs"}; the jobs are ${[...this.#jobs.keys()].join(", ")}`,
      );
  }

  get jobs(): ScheduledJob[] {
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
   * A moderator runs what is due for a job now (/epoch run): like a tick, and it also retries
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
        ...(last ? { last } : {}),
      });
    }
    return statuses;
  }

  #job(name: string): ScheduledJob {
    const job = this.#jobs.get(name);
    if (!job)
      throw new UserError(
        "unknown_job",
        `There is no job named "${name}". The jobs are: ${[...this.#jobs.keys()].join(", ")}.`,
      );
    return job;
  }

  async #tick(job: ScheduledJob, firedAt: Date | undefined, retryExhausted: boolean): Promise<RunReport[]> {
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
      reports.push(await this.#runPeriod(job, period, maxAttempts));
    }
    return reports;
  }

  async #runPeriod(job: ScheduledJob, period: Period, maxAttempts: number): Promise<RunReport> {
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
    const heartbeat = setInterval(
      () => {
        this.runs
          .heartbeat(claim.run.id, this.owner, this.services.clock.now())
          .then((held) => {
            if (!held) log.warn("another process took this run over; its steps are idempotent");
          })
          .catch((error: unknown) => log.warn({ err: error }, "heartbeat failed"));
      },
      Math.max(50, Math.floor(this.#policy.leaseMs / 3)),
    );
    heartbeat.unref();
    try {
      const outcome = await job.spec.run({
        period,
        key,
        services: this.services,
        log,
        now: this.services.clock.now(),
      });
      clearInterval(heartbeat);
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
    } catch (error) {
      clearInterval(heartbeat);
      const message = error instanceof Error ? error.message : String(error);
      log.error({ err: error }, "job run failed");
      const failedAt = this.services.clock.now();
      const held = await this.runs.fail(claim.run.id, this.owner, failedAt, message);
      const retry =
        claim.run.attempts < this.#policy.maxAttempts
          ? "It is retried on the next tick."
          : `That was the last of ${this.#policy.maxAttempts} automatic attempts (JOB_MAX_ATTEMPTS); a moderator's /epoch run retries it.`;
      await this.#announce(name, period, `Failed: ${message}. ${retry}`, "error");
      const run: JobRunView = held
        ? {
            ...claim.run,
            status: "failed",
            finishedAt: failedAt,
            heartbeatAt: failedAt,
            error: message.slice(0, MAX_ERROR_LENGTH),
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
