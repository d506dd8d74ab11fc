// A node's model for the epoch, and the validators' scores of it.
import type { Decimal } from "decimal.js";
import { UserError } from "#src/core/errors.ts";
import { runOnce } from "#src/core/idempotency.ts";
import { isFractionOfOne, openStake, requireParticipant } from "./checks.ts";
import { type ActionBase, type ArenaDeps, MAX_MODEL_REF_LENGTH } from "./types.ts";

/** Records the actor's node's model for this epoch (the latest one in an epoch is scored). */
export async function submit(
  arena: ArenaDeps,
  request: ActionBase & { taskId: number; modelRef: string },
): Promise<{ submissionId: number }> {
  const modelRef = request.modelRef.trim();
  if (!modelRef)
    throw new UserError("missing_option", 'Give your model\'s reference, e.g. model:"hf.co/alice/model@v3".');
  if (modelRef.length > MAX_MODEL_REF_LENGTH)
    throw new UserError("invalid_option", `A model reference is at most ${MAX_MODEL_REF_LENGTH} characters.`);
  const { result } = await arena.db.transaction((tx) =>
    runOnce(
      tx,
      {
        scope: "arena.submit",
        key: request.key,
        input: { userId: request.actor.userId, taskId: request.taskId, modelRef },
      },
      async () => {
        const node = await requireParticipant(tx.db, request.taskId, request.actor.userId, "node", true);
        if ((await openStake(tx.db, request.actor.userId, node.id, "own")) === 0n)
          throw new UserError(
            "not_staked",
            `Stake as a node first: /arena stake node task:${request.taskId} amount:100.`,
          );
        const row = await tx.db.arenaSubmission.create({
          data: { participantId: node.id, modelRef, submittedAt: request.now },
        });
        return { submissionId: row.id };
      },
    ),
  );
  return result;
}

/** The actor's validator scores a node's latest submission, 0 to 1; scoring again replaces it. */
export async function score(
  arena: ArenaDeps,
  request: ActionBase & { taskId: number; nodeUserId: number; score: Decimal },
): Promise<{ submissionId: number; modelRef: string; score: string }> {
  const { actor, taskId, score } = request;
  if (!isFractionOfOne(score))
    throw new UserError(
      "invalid_option",
      "score: write a number from 0 to 1 (at most 9 decimals), e.g. score:0.85.",
    );
  const { result } = await arena.db.transaction((tx) =>
    runOnce(
      tx,
      {
        scope: "arena.score",
        key: request.key,
        input: { userId: actor.userId, taskId, node: request.nodeUserId, score: score.toString() },
      },
      async () => {
        const validator = await requireParticipant(tx.db, taskId, actor.userId, "validator", true);
        if ((await openStake(tx.db, actor.userId, validator.id, "own")) === 0n)
          throw new UserError(
            "not_staked",
            `Stake as a validator first: /arena stake validator task:${taskId} amount:100.`,
          );
        const node = await requireParticipant(tx.db, taskId, request.nodeUserId, "node");
        const submission = await tx.db.arenaSubmission.findFirst({
          where: { participantId: node.id },
          orderBy: [{ submittedAt: "desc" }, { id: "desc" }],
        });
        if (!submission)
          throw new UserError("no_submission", "That node has not submitted a model yet: nothing to score.");
        // A validator re-scoring replaces its score. Insert-if-missing then update, so two scores
        // sent at once do not fail on the unique key: the later write wins.
        const scored = { score: score.toString(), scoredAt: request.now };
        const which = { submissionId: submission.id, validatorId: validator.id };
        await tx.db.arenaScore.createMany({ data: [{ ...which, ...scored }], skipDuplicates: true });
        await tx.db.arenaScore.update({ where: { submissionId_validatorId: which }, data: scored });
        return { submissionId: submission.id, modelRef: submission.modelRef, score: score.toString() };
      },
    ),
  );
  return result;
}
