// The states a factory and a submission can be in: one union each, used wherever a status is
// compared or written, so a misspelt state fails to compile. The database holds the same lists
// as CHECK constraints (prisma/migrations/20261203110000_pool_status_checks), which is what makes
// reading a row's status as its union safe.

/** A factory row's status: live takes submissions, paused does not, closed is for good. */
export const FACTORY_STATUSES = ["live", "paused", "closed"] as const;
export type FactoryStatus = (typeof FACTORY_STATUSES)[number];

/** What a member sees: a live factory whose pool cannot pay its bid reads as out_of_funds (never stored). */
export type FactoryViewStatus = FactoryStatus | "out_of_funds";

/** A submission row's status: queued for the grader, with a person, paid (or not) once, or expired unpaid. */
export const SUBMISSION_STATUSES = ["queued", "manual_review", "settled", "expired"] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

/** Waiting for a grade with its bid reserved: what settlement and expiry resolve. */
export const AWAITING_GRADE = ["queued", "manual_review"] as const satisfies readonly SubmissionStatus[];

export const factoryStatus = (row: { status: string }): FactoryStatus => row.status as FactoryStatus;

export const submissionStatus = (row: { status: string }): SubmissionStatus => row.status as SubmissionStatus;

export const awaitsGrade = (status: SubmissionStatus): boolean =>
  (AWAITING_GRADE as readonly SubmissionStatus[]).includes(status);
