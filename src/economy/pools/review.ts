// People scoring submissions (docs/economy.md section 4): a moderator or an appointed reviewer, never
// the factory's creator (the payer never judges, reviewers.ts), scores what the grader handed over,
// an appeal, or overrides a grade within 30 days. Raising a score pays the difference over what
// this recording was paid from the pool; lowering it never claws back what was paid.

import type { Actor } from "#src/core/context.ts";
import { countOf } from "#src/core/counts.ts";
import { forbidden, UserError } from "#src/core/errors.ts";
import { runOnce } from "#src/core/idempotency.ts";
import type { Reply } from "#src/core/reply.ts";
import type { Tx, TxClient } from "#src/db/database.ts";
import { judgedScope, requireJudge } from "#src/economy/pools/reviewers.ts";
import { pay, type SettlementView, settleTx, writeTally } from "#src/economy/pools/settlement.ts";
import {
  AWAITING_GRADE,
  awaitsGrade,
  type SubmissionStatus,
  submissionStatus,
} from "#src/economy/pools/statuses.ts";
import { findSubmission } from "#src/economy/pools/submission-reads.ts";
import type { SubmissionDeps } from "#src/economy/pools/submissions.ts";
import { splitByWeights } from "#src/grading/external.ts";
import type { Grade } from "#src/grading/types.ts";
import { decimalString, formatMoney } from "#src/ledger/amount.ts";

/** What a person must look at: recordings the grader handed over, and open appeals. */
export const WAITING_FOR_A_PERSON = {
  OR: [
    { status: "manual_review" satisfies SubmissionStatus },
    { status: "settled" satisfies SubmissionStatus, appealedAt: { not: null }, appealResolvedAt: null },
  ],
};

/** Appeals and manual overrides are taken this long after a submission is graded. */
export const REVIEW_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/** A moderator or an appointed reviewer (never the creator) scores a submission: a manual review, an appeal, an override. */
export async function reviewSubmission(
  deps: SubmissionDeps,
  request: {
    actor: Actor;
    key: string;
    submissionId: number;
    score: number;
    reason?: string;
  },
): Promise<{
  kind: "settled" | "raised" | "lowered" | "unchanged";
  view?: SettlementView;
  previous?: number;
}> {
  const { db, clock, tokens } = deps;
  if (!Number.isInteger(request.score) || request.score < 0 || request.score > 100)
    throw new UserError("invalid_option", "A score is a whole number from 0 to 100.");
  const now = clock.now();
  const sub = await findSubmission(db.prisma, request.submissionId);
  const factory = await deps.factories.find(db.prisma, sub.factoryId);
  await requireJudge(db.prisma, request.actor, factory);
  const grade: Grade = {
    score: request.score,
    breakdown: splitByWeights(request.score),
    reasons: [request.reason?.trim() || `scored by ${request.actor.displayName}`],
    flags: [],
    grader: "manual",
  };
  let notice: Reply | undefined;
  const outcome = await db.transaction(async (tx) => {
    // One key per scoring, whatever it turns out to be: a replay returns the first outcome.
    const { result } = await runOnce(
      tx,
      { scope: "review.score", key: request.key, input: { id: sub.id, score: request.score } },
      async () => {
        await tx.db.$queryRaw`SELECT id FROM submissions WHERE id = ${sub.id} FOR UPDATE`;
        const row = await tx.db.submission.findUniqueOrThrow({
          where: { id: sub.id },
          include: { factory: true, task: true },
        });
        if (awaitsGrade(submissionStatus(row))) {
          const done = await settleTx(deps, tx, row.id, grade, {
            key: `review:${request.key}`,
            reviewerUserId: request.actor.userId,
          });
          if (!done)
            throw new UserError(
              "invalid_state",
              `Submission #${row.id} expired before it was scored; its bid went back to the pool.`,
            );
          notice = done.notice;
          return { kind: "settled" as const, view: done.view };
        }
        if (submissionStatus(row) !== "settled")
          throw new UserError(
            "invalid_state",
            `Submission #${row.id} expired unpaid; its bid went back to the pool.`,
          );
        if (now.getTime() - (row.gradedAt ?? row.createdAt).getTime() > REVIEW_WINDOW_DAYS * DAY_MS)
          throw new UserError(
            "review_window_closed",
            `Submission #${row.id} was graded more than ${REVIEW_WINDOW_DAYS} days ago; its score is final.`,
          );
        const previous = row.score ?? 0;
        const wasAccepted = BigInt(row.rewardAtoms?.toFixed() ?? "0") > 0n;
        if (!wasAccepted && request.score >= row.factory.qualityThreshold)
          await requireRoomForAnotherAccepted(tx, row);
        const base = {
          score: request.score,
          grade: grade as never,
          reviewedByUserId: request.actor.userId,
          appealResolvedAt: row.appealedAt ? now : null,
        };
        if (request.score <= previous) {
          // Lowering never claws back what was paid: the record changes, the money does not.
          await tx.db.submission.update({ where: { id: row.id }, data: base });
          return {
            kind: request.score < previous ? ("lowered" as const) : ("unchanged" as const),
            previous,
          };
        }
        const { view, tally } = await pay(
          deps,
          tx,
          { ...row, bidAtoms: BigInt(row.bidAtoms.toFixed()) },
          grade,
          {
            key: `override:${request.key}`,
            now,
            alreadyPaidAtoms: BigInt(row.paidGrossAtoms?.toFixed() ?? "0"),
            fromPool: true,
          },
        );
        await writeTally(tx, tally);
        const atoms = (d: { toFixed(): string } | null) => BigInt(d?.toFixed() ?? "0");
        await tx.db.submission.update({
          where: { id: row.id },
          data: {
            ...base,
            rewardAtoms: (atoms(row.rewardAtoms) > view.rewardAtoms
              ? atoms(row.rewardAtoms)
              : view.rewardAtoms
            ).toString(),
            paidGrossAtoms: (atoms(row.paidGrossAtoms) + view.paidGrossAtoms).toString(),
            feeAtoms: (atoms(row.feeAtoms) + view.feeAtoms).toString(),
            farmerAtoms: (atoms(row.farmerAtoms) + view.farmerAtoms).toString(),
            settlements: { increment: 1 },
          },
        });
        const token = tokens.get(row.factory.token);
        notice = {
          title: `Submission #${row.id}: score raised to ${request.score}`,
          text:
            `A reviewer raised your score from ${previous} to ${request.score}. ` +
            (view.paidGrossAtoms > 0n
              ? `You receive the difference: ${formatMoney(view.farmerAtoms, token)}` +
                (view.feeAtoms > 0n ? ` (after a ${formatMoney(view.feeAtoms, token)} fee).` : ".")
              : `That is still below the pool's threshold of ${row.factory.qualityThreshold}, so nothing is due.`),
          data: {
            submissionId: row.id,
            score: request.score,
            token: token.symbol,
            farmer: decimalString(view.farmerAtoms, token),
            fee: decimalString(view.feeAtoms, token),
          },
        };
        return { kind: "raised" as const, view, previous };
      },
    );
    return result;
  });
  if (notice) await deps.notifier.notifyUser(sub.farmerUserId, notice);
  return outcome;
}

/**
 * Raising a recording over the threshold makes it accepted, so it must fit the per-farmer-per-task
 * limit like a new one (docs/economy.md section 3): the farmer's other accepted (or waiting)
 * recordings of the task may already fill it.
 */
async function requireRoomForAnotherAccepted(
  tx: Tx,
  row: {
    id: number;
    factoryId: number;
    taskId: number;
    farmerUserId: number;
    factory: { limitPerFarmerTask: number | null };
  },
): Promise<void> {
  const limit = row.factory.limitPerFarmerTask;
  if (limit === null) return;
  const others = await tx.db.submission.count({
    where: {
      factoryId: row.factoryId,
      taskId: row.taskId,
      farmerUserId: row.farmerUserId,
      id: { not: row.id },
      OR: [
        { status: { in: [...AWAITING_GRADE] } },
        { status: "settled" satisfies SubmissionStatus, rewardAtoms: { gt: 0 } },
      ],
    },
  });
  if (others >= limit)
    throw new UserError(
      "limit_reached",
      `Submission #${row.id} cannot become an accepted recording: its farmer already has ${countOf(others, "accepted (or waiting) recording")} of this task, and factory #${row.factoryId} pays ${limit}. Its score stays below the threshold.`,
    );
}

/** A farmer asks for a person to look again, within 30 days of the grade. */
export async function appealSubmission(
  deps: SubmissionDeps,
  request: { actor: Actor; key: string; submissionId: number; reason: string },
): Promise<void> {
  const { db, clock } = deps;
  const reason = request.reason.trim();
  if (!reason) throw new UserError("missing_option", 'Say why the score is wrong: reason:"…".');
  if (reason.length > 300) throw new UserError("invalid_option", "A reason is at most 300 characters.");
  const found = await findSubmission(db.prisma, request.submissionId);
  if (found.farmerUserId !== request.actor.userId)
    throw forbidden("You can appeal only your own submissions.");
  const now = clock.now();
  await db.transaction((tx) =>
    runOnce(tx, { scope: "review.appeal", key: request.key, input: { id: found.id, reason } }, async () => {
      // Inside the action: a replay of this appeal finds it waiting and must still succeed.
      await tx.db.$queryRaw`SELECT id FROM submissions WHERE id = ${found.id} FOR UPDATE`;
      const sub = await tx.db.submission.findUniqueOrThrow({ where: { id: found.id } });
      if (submissionStatus(sub) !== "settled")
        throw new UserError(
          "invalid_state",
          `Submission #${sub.id} has no score yet to appeal; it is ${sub.status}.`,
        );
      if (now.getTime() - (sub.gradedAt ?? sub.createdAt).getTime() > REVIEW_WINDOW_DAYS * DAY_MS)
        throw new UserError(
          "review_window_closed",
          `Appeals are taken for ${REVIEW_WINDOW_DAYS} days after the grade; submission #${sub.id}'s is final.`,
        );
      if (sub.appealedAt && !sub.appealResolvedAt)
        throw new UserError("invalid_state", `Submission #${sub.id} is already waiting for a reviewer.`);
      await tx.db.submission.update({
        where: { id: sub.id },
        data: { appealReason: reason, appealedAt: now, appealResolvedAt: null },
      });
      return true;
    }),
  );
}

/** What waits for a person: manual reviews and open appeals the actor may judge (never their own factories'). */
export async function reviewQueue(db: TxClient, actor: Actor) {
  const scope = await judgedScope(db, actor);
  return db.submission.findMany({
    where: {
      ...WAITING_FOR_A_PERSON,
      factory: {
        creatorUserId: { not: actor.userId },
        ...(scope.all ? {} : { id: { in: scope.factoryIds } }),
      },
    },
    orderBy: { id: "asc" },
    take: 50,
    include: { factory: { select: { name: true, token: true } }, task: { select: { title: true } } },
  });
}
