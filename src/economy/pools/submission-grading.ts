// The background step after intake: the quality agent grades a queued submission, then it is
// settled, or handed to a person when the agent cannot grade it, keeping its reservation for as long
// as the person takes. Safe to run twice: only a queued row is graded, and settlement happens once.
import { settle } from "#src/economy/pools/settlement.ts";
import { type SubmissionStatus, submissionStatus } from "#src/economy/pools/statuses.ts";
import { type Payload, recordOf } from "#src/economy/pools/submission-intake.ts";
import { manualReviewNotice } from "#src/economy/pools/submission-wording.ts";
import type { SubmissionDeps } from "#src/economy/pools/submissions.ts";
import type { GradeOutcome, Grader } from "#src/grading/types.ts";

/** The background step: grade, then settle (or hand to people). Safe to run twice. */
export async function gradeSubmission(
  deps: SubmissionDeps,
  grader: Grader | undefined,
  submissionId: number,
): Promise<void> {
  const { db, log } = deps;
  const row = await db.prisma.submission.findUnique({
    where: { id: submissionId },
    include: { task: true },
  });
  if (!row || submissionStatus(row) !== "queued") return;
  const payload = row.payload as unknown as Payload;
  let outcome: GradeOutcome;
  try {
    if (!grader) throw new Error("no grader is installed");
    outcome = await grader.grade({
      demonstration: recordOf(payload.demonstration),
      processed: payload.processed,
      task: { title: row.task.title, app: row.task.app, objectives: row.task.objectives as string[] },
    });
  } catch (error) {
    log.error({ err: error, submissionId }, "the grader failed; the submission goes to manual review");
    outcome = { kind: "manual_review", reason: "the quality agent could not grade it" };
  }
  if (outcome.kind === "manual_review") {
    // Waiting for a person never expires (docs/economy.md section 4): the reservation's deadline is
    // lifted with the hand-over, in one transaction, and only for a row still queued and unexpired.
    const moved = await db.transaction(async (tx) => {
      await tx.db.$queryRaw`SELECT id FROM submissions WHERE id = ${submissionId} FOR UPDATE`;
      const sub = await tx.db.submission.findUniqueOrThrow({ where: { id: submissionId } });
      if (submissionStatus(sub) !== "queued" || sub.expiresAt.getTime() <= tx.now.getTime()) return false;
      if (sub.reservationId !== null && !(await deps.ledger.keepReservation(tx, sub.reservationId)))
        return false;
      await tx.db.submission.update({
        where: { id: submissionId },
        data: { status: "manual_review" satisfies SubmissionStatus },
      });
      return true;
    });
    if (moved)
      await deps.notifier.notifyUser(row.farmerUserId, manualReviewNotice(submissionId, outcome.reason));
    return;
  }
  await settle(deps, submissionId, outcome.grade, { key: `grade:${submissionId}` });
}
