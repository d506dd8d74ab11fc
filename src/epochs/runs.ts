// The job_runs table: the claim of a (job, period) that makes a run happen once across processes.
// A claim is an INSERT guarded by the unique (job, period_key): whoever inserts first runs the
// period. A run that died (its heartbeat older than the lease) or failed is taken over by a
// conditional UPDATE, which only one process can win: under READ COMMITTED a second UPDATE waits
// for the first and re-checks its WHERE against the row the first one wrote.
import type { Database } from "#src/db/database.ts";
import { isUniqueViolation } from "#src/db/errors.ts";
import type { JobRun } from "#src/db/generated/client.ts";
import type { Period } from "./job.ts";

/** A failure's message is kept up to this many characters. */
export const MAX_ERROR_LENGTH = 1000;

/** job_runs.status (a CHECK in the database holds the column to these). */
export type JobRunStatus = "running" | "done" | "failed";

export interface JobRunView {
  id: number;
  job: string;
  periodKey: string;
  periodStart: Date;
  periodEnd: Date;
  status: JobRunStatus;
  attempts: number;
  owner: string;
  heartbeatAt: Date;
  startedAt: Date;
  finishedAt: Date | null;
  summary: string | null;
  data: Record<string, unknown> | null;
  error: string | null;
  /** How many attempts ran past the job's timeout. */
  timeouts: number;
}

export type ClaimResult =
  /** This process holds the run now (new, or taken over from a dead or failed one). */
  | { claimed: true; run: JobRunView; resumed: boolean }
  /** Someone else holds it, or it is finished: do nothing. */
  | { claimed: false; run: JobRunView; reason: "done" | "running" | "gave_up" };

export interface ClaimPolicy {
  owner: string;
  now: Date;
  /** A running row whose heartbeat is older than this is considered dead. */
  leaseMs: number;
  /** A failed run is retried while it has had fewer attempts than this. */
  maxAttempts: number;
}

/** Which done rows of a job may be deleted: both conditions hold. */
export interface PruneRule {
  finishedBefore: Date;
  /** The caller keeps the job's newest row and the catch-up horizon by choosing this. */
  periodEndBefore: Date;
}

const view = (row: JobRun): JobRunView => ({
  ...row,
  status: row.status as JobRunStatus,
  data: (row.data as Record<string, unknown> | null) ?? null,
});

export class JobRuns {
  constructor(private readonly db: Database) {}

  /** Claims (job, period) for `policy.owner`, or says why not. */
  async claim(job: string, period: Period, policy: ClaimPolicy): Promise<ClaimResult> {
    const { owner, now } = policy;
    try {
      const row = await this.db.prisma.jobRun.create({
        data: {
          job,
          periodKey: period.key,
          periodStart: period.start,
          periodEnd: period.end,
          status: "running" satisfies JobRunStatus,
          owner,
          heartbeatAt: now,
          startedAt: now,
        },
      });
      return { claimed: true, run: view(row), resumed: false };
    } catch (error) {
      // P2002 from pg through Prisma, a raw 23505 from PGlite: the same answer, someone claimed it.
      if (!isUniqueViolation(error)) throw error;
    }
    return this.takeOver(job, period.key, policy);
  }

  /** Takes over an existing run if its owner died or it failed and may be retried. */
  async takeOver(job: string, periodKey: string, policy: ClaimPolicy): Promise<ClaimResult> {
    const staleBefore = new Date(policy.now.getTime() - policy.leaseMs);
    const taken = await this.db.prisma.jobRun.updateMany({
      where: {
        job,
        periodKey,
        OR: [
          { status: "running" satisfies JobRunStatus, heartbeatAt: { lt: staleBefore } },
          { status: "failed" satisfies JobRunStatus, attempts: { lt: policy.maxAttempts } },
        ],
      },
      data: {
        status: "running" satisfies JobRunStatus,
        owner: policy.owner,
        heartbeatAt: policy.now,
        attempts: { increment: 1 },
        error: null,
      },
    });
    const row = await this.db.prisma.jobRun.findUniqueOrThrow({
      where: { job_periodKey: { job, periodKey } },
    });
    const run = view(row);
    if (taken.count === 1 && row.owner === policy.owner) return { claimed: true, run, resumed: true };
    const reason = run.status === "done" ? "done" : run.status === "running" ? "running" : "gave_up";
    return { claimed: false, run, reason };
  }

  /** Renews the lease; false if another process took the run over (this one was thought dead). */
  async heartbeat(id: number, owner: string, now: Date): Promise<boolean> {
    const { count } = await this.db.prisma.jobRun.updateMany({
      where: { id, owner, status: "running" satisfies JobRunStatus },
      data: { heartbeatAt: now },
    });
    return count === 1;
  }

  async finish(
    id: number,
    owner: string,
    now: Date,
    outcome: { summary: string; data?: Record<string, unknown> },
  ): Promise<boolean> {
    const { count } = await this.db.prisma.jobRun.updateMany({
      where: { id, owner, status: "running" satisfies JobRunStatus },
      data: {
        status: "done" satisfies JobRunStatus,
        finishedAt: now,
        heartbeatAt: now,
        summary: outcome.summary,
        data: (outcome.data ?? undefined) as never,
      },
    });
    return count === 1;
  }

  /** Records the attempt as failed; `timedOut` counts it among the run's timeouts too. */
  async fail(id: number, owner: string, now: Date, message: string, timedOut = false): Promise<boolean> {
    const { count } = await this.db.prisma.jobRun.updateMany({
      where: { id, owner, status: "running" satisfies JobRunStatus },
      data: {
        status: "failed" satisfies JobRunStatus,
        finishedAt: now,
        heartbeatAt: now,
        error: message.slice(0, MAX_ERROR_LENGTH),
        ...(timedOut ? { timeouts: { increment: 1 } } : {}),
      },
    });
    return count === 1;
  }

  /** The job's run with the latest period end, if it ever ran. */
  async latest(job: string): Promise<JobRunView | undefined> {
    const row = await this.db.prisma.jobRun.findFirst({ where: { job }, orderBy: { periodEnd: "desc" } });
    return row ? view(row) : undefined;
  }

  /**
   * The job's runs that may still need a process: running (here, elsewhere, or with a dead owner)
   * or failed with attempts left; oldest period first.
   */
  async unfinished(job: string, maxAttempts: number, limit: number): Promise<JobRunView[]> {
    const rows = await this.db.prisma.jobRun.findMany({
      where: {
        job,
        OR: [
          { status: "running" satisfies JobRunStatus },
          { status: "failed" satisfies JobRunStatus, attempts: { lt: maxAttempts } },
        ],
      },
      orderBy: { periodEnd: "asc" },
      take: limit,
    });
    return rows.map(view);
  }

  async get(job: string, periodKey: string): Promise<JobRunView | undefined> {
    const row = await this.db.prisma.jobRun.findUnique({ where: { job_periodKey: { job, periodKey } } });
    return row ? view(row) : undefined;
  }

  /** Every job that has rows, with the end of its newest period. */
  async newestByJob(): Promise<Array<{ job: string; periodEnd: Date }>> {
    const groups = await this.db.prisma.jobRun.groupBy({ by: ["job"], _max: { periodEnd: true } });
    return groups.flatMap((g) => (g._max.periodEnd ? [{ job: g.job, periodEnd: g._max.periodEnd }] : []));
  }

  /**
   * Deletes up to `limit` done rows of `job` that `rule` allows, oldest period first; returns how
   * many. Batches keep each statement short on a table that per-minute jobs fill quickly.
   */
  async pruneDone(job: string, rule: PruneRule, limit: number): Promise<number> {
    const rows = await this.db.prisma.jobRun.findMany({
      where: {
        job,
        status: "done" satisfies JobRunStatus,
        finishedAt: { lt: rule.finishedBefore },
        periodEnd: { lt: rule.periodEndBefore },
      },
      select: { id: true },
      orderBy: { periodEnd: "asc" },
      take: limit,
    });
    if (rows.length === 0) return 0;
    // A done row never changes again, so the status check only guards against a future change.
    const { count } = await this.db.prisma.jobRun.deleteMany({
      where: { id: { in: rows.map((r) => r.id) }, status: "done" satisfies JobRunStatus },
    });
    return count;
  }

  /** The most recent runs, newest first (optionally of one job). */
  async recent(limit: number, job?: string): Promise<JobRunView[]> {
    const rows = await this.db.prisma.jobRun.findMany({
      where: job ? { job } : {},
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      take: limit,
    });
    return rows.map(view);
  }
}
