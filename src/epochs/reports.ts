// What the scheduler reports: a run's outcome, a job's status for /epoch status, a pruning.
import type { Period } from "./job.ts";
import type { JobRunView } from "./runs.ts";

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
  timeoutMs: number;
  last?: JobRunView;
}

export interface PruneReport {
  /** How many done rows were deleted, in all and by job. */
  deleted: number;
  byJob: Record<string, number>;
  /** Rows whose period ended before this and that finished before it were candidates. */
  olderThan: Date;
}
