// The background step after intake: the quality agent grades a queued submission, then it is
// settled, or handed to a person when the agent cannot grade it. Safe to run twice: only a
// queued row is graded, and settlement happens once.
import { settle } from "#src/economy/pools/settlement.ts";
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
      processed: await processedOf(deps.blobs, payload),
      task: { title: row.task.title, app: row.task.app, objectives: row.task.objectives as string[] },
    });
  } catch (error) {
    log.error({ err: error, submissionId }, "the grader failed; the submission goes to manual review");
    outcome = { kind: "manual_review", reason: "the quality agent could not grade it" };
  }
  if (outcome.kind === "manual_review") {
    const moved = await db.prisma.submission.updateMany({
      where: { id: submissionId, status: "queued" satisfies SubmissionStatus },
      data: { status: "manual_review" satisfies SubmissionStatus },
    });
    if (moved.count > 0)
      await deps.notifier.notifyUser(
        row.farmerUserId,
        manualReviewNotice(submissionId, outcome.reason, row.expiresAt),
      );
    return;
  }
  await settle(deps, submissionId, outcome.grade, { key: `grade:${submissionId}` });
}
