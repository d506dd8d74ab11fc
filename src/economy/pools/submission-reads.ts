// Reading submissions: one by its number (with the error a member sees for a bad one), and a
// farmer's own, newest first.
import { UserError } from "#src/core/errors.ts";
import type { TxClient } from "#src/db/database.ts";

export type SubmissionRow = Awaited<ReturnType<TxClient["submission"]["findUniqueOrThrow"]>>;

export async function findSubmission(db: TxClient, submissionId: number): Promise<SubmissionRow> {
  if (!Number.isSafeInteger(submissionId) || submissionId <= 0)
    throw new UserError("invalid_option", "A submission is named by its number, e.g. submission:12.");
  const row = await db.submission.findUnique({ where: { id: submissionId } });
  if (!row) throw new UserError("not_found", `There is no submission #${submissionId}. /scores lists yours.`);
  return row;
}

/** A farmer's submissions, newest first. */
export async function submissionsOf(
  db: TxClient,
  farmerUserId: number,
  options: { limit: number; offset: number },
) {
  const [items, total] = await Promise.all([
    db.submission.findMany({
      where: { farmerUserId },
      orderBy: { id: "desc" },
      take: options.limit,
      skip: options.offset,
      include: { factory: { select: { name: true, token: true } }, task: { select: { title: true } } },
    }),
    db.submission.count({ where: { farmerUserId } }),
  ]);
  return { items, total };
}
