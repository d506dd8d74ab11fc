// The background step after intake: the quality agent grades a queued submission, then it is
// settled, or handed to a person when the agent cannot grade it, keeping its reservation for as long
// as the person takes. Safe to run twice: only a queued row is graded, and settlement happens once.
import { settle } from "#src/economy/pools/settlement.ts";
import { lockSettlingSubmission } from "#src/economy/pools/settling-submission.ts";
import { type SubmissionStatus, submissionStatus } from "#src/economy/pools/statuses.ts";
import { type Payload, processedOf, recordOf } from "#src/economy/pools/submission-intake.ts";
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
  // One read, on the driver (outside Prisma): the row's state, its task and its payload, parsed
  // here once (as text, so no layer parses the JSON before this one does).
  const [row] = await db.statement<{
    status: string;
    farmer_user_id: number;
    payload: string;
    title: string;
    app: string;
    objectives: string;
  }>(
    `SELECT s.status, s.farmer_user_id, s.payload::text AS payload, t.title, t.app, t.objectives::text AS objectives
     FROM submissions s JOIN factory_tasks t ON t.id = s.task_id WHERE s.id = $1`,
    [submissionId],
  );
  if (!row || submissionStatus(row) !== "queued") return;
  const payload = JSON.parse(row.payload) as Payload;
  const task = { title: row.title, app: row.app, objectives: JSON.parse(row.objectives) as string[] };
  let outcome: GradeOutcome;
  try {
    if (!grader) throw new Error("no grader is installed");
    outcome = await grader.grade({
      demonstration: recordOf(payload.demonstration),
      processed: await processedOf(deps.blobs, payload),
      task,
    });
  } catch (error) {
    log.error({ err: error, submissionId }, "the grader failed; the submission goes to manual review");
    outcome = { kind: "manual_review", reason: "the quality agent could not grade it" };
  }
  if (outcome.kind === "manual_review") {
    // Waiting for a person never expires (docs/economy.md section 4): the reservation's deadline is
    // lifted with the hand-over, in one transaction, and only for a row still queued and unexpired.
    const moved = await db.transaction(async (tx) => {
      const sub = await lockSettlingSubmission(tx, submissionId);
      if (sub?.status !== "queued" || sub.expiresAt.getTime() <= tx.now.getTime()) return false;
      if (sub.reservationId !== null && !(await deps.ledger.keepReservation(tx, sub.reservationId)))
        return false;
      await tx.db.$executeRaw`
        UPDATE submissions SET status = ${"manual_review" satisfies SubmissionStatus} WHERE id = ${submissionId}`;
      return true;
    });
    if (moved)
      await deps.notifier.notifyUser(row.farmer_user_id, manualReviewNotice(submissionId, outcome.reason));
    return;
  }
  await settle(deps, submissionId, outcome.grade, { key: `grade:${submissionId}` });
}
