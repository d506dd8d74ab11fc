// Money into a task: a node's or validator's own stake, a delegation to one, and the share of its
// rewards a node or validator gives its delegators. Stake money moves from the member's main
// balance to their arena stake account; it counts from the next epoch on.
import { Decimal } from "decimal.js";
import { DAY } from "#src/core/clock.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce } from "#src/core/idempotency.ts";
import type { Tx } from "#src/db/database.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { isFractionOfOne, openStake, requireParticipant, requirePositive, requireTask } from "./checks.ts";
import {
  type ActionBase,
  ARENA_CODES,
  type ArenaDeps,
  DEFAULT_SHARE_RATIO,
  type ParticipantRole,
  SHARE_COOLDOWN_DAYS,
  type StakeKind,
  stakeAccount,
} from "./types.ts";

/** Stakes `amountAtoms` as the actor's node or validator on a task (joining it the first time). */
export async function stake(
  arena: ArenaDeps,
  request: ActionBase & { taskId: number; role: ParticipantRole; amountAtoms: bigint },
): Promise<{ participantId: number; ownAtoms: bigint; balanceAtoms: bigint }> {
  const { actor, taskId, role, amountAtoms } = request;
  requirePositive(amountAtoms);
  const { result } = await arena.db.transaction((tx) =>
    runOnce(
      tx,
      {
        scope: "arena.stake",
        key: request.key,
        input: { userId: actor.userId, taskId, role, amountAtoms },
      },
      async () => {
        await requireTask(tx.db, taskId);
        // Insert-if-missing (ON CONFLICT DO NOTHING), then read: a first stake sent twice at once
        // must not fail on the participant's unique key.
        await tx.db.arenaParticipant.createMany({
          data: [
            {
              taskId,
              userId: actor.userId,
              role,
              sigma: new Decimal(1).minus(DEFAULT_SHARE_RATIO).toString(),
              createdAt: request.now,
            },
          ],
          skipDuplicates: true,
        });
        const participant = await tx.db.arenaParticipant.findUniqueOrThrow({
          where: { taskId_userId_role: { taskId, userId: actor.userId, role } },
        });
        await moveIn(arena, tx, request, participant.id, "own", `arena task ${taskId}, ${role} stake`);
        const own = await openStake(tx.db, actor.userId, participant.id, "own");
        const balance = await arena.ledger.balance(tx.db, accounts.user(actor.userId, arena.token));
        return { participantId: participant.id, ownAtoms: own, balanceAtoms: balance.balanceAtoms };
      },
    ),
  );
  return result;
}

/** Delegates to another member's node or validator on a task. */
export async function delegate(
  arena: ArenaDeps,
  request: ActionBase & { taskId: number; role: ParticipantRole; toUserId: number; amountAtoms: bigint },
): Promise<{ participantId: number; delegatedAtoms: bigint; balanceAtoms: bigint }> {
  const { actor, taskId, role, toUserId, amountAtoms } = request;
  requirePositive(amountAtoms);
  if (toUserId === actor.userId)
    throw new UserError(
      "invalid_option",
      `You cannot delegate to yourself: use /arena stake ${role} to add to your own stake.`,
    );
  const { result } = await arena.db.transaction((tx) =>
    runOnce(
      tx,
      {
        scope: "arena.delegate",
        key: request.key,
        input: { userId: actor.userId, taskId, role, toUserId, amountAtoms },
      },
      async () => {
        const participant = await requireParticipant(tx.db, taskId, toUserId, role);
        await moveIn(arena, tx, request, participant.id, "delegation", `arena task ${taskId}, delegation`);
        const delegated = await openStake(tx.db, actor.userId, participant.id, "delegation");
        const balance = await arena.ledger.balance(tx.db, accounts.user(actor.userId, arena.token));
        return {
          participantId: participant.id,
          delegatedAtoms: delegated,
          balanceAtoms: balance.balanceAtoms,
        };
      },
    ),
  );
  return result;
}

/** Sets the reward-sharing ratio (1 - sigma) of the actor's node or validator; once per 30 days. */
export async function setShare(
  arena: ArenaDeps,
  request: ActionBase & { taskId: number; role: ParticipantRole; ratio: Decimal },
): Promise<{ shareRatio: string; nextChangeAt: Date }> {
  const { actor, taskId, role, ratio } = request;
  if (!isFractionOfOne(ratio))
    throw new UserError(
      "invalid_option",
      "ratio: write the share for your delegators between 0 and 1 (at most 9 decimals), e.g. ratio:0.6 for 60%.",
    );
  const { result } = await arena.db.transaction((tx) =>
    runOnce(
      tx,
      {
        scope: "arena.share",
        key: request.key,
        input: { userId: actor.userId, taskId, role, ratio: ratio.toString() },
      },
      async () => {
        const participant = await requireParticipant(tx.db, taskId, actor.userId, role, true);
        if (participant.sigmaSetAt) {
          const next = new Date(participant.sigmaSetAt.getTime() + SHARE_COOLDOWN_DAYS * DAY);
          if (next > request.now)
            throw new UserError(
              "too_soon",
              `The sharing ratio changes at most once per ${SHARE_COOLDOWN_DAYS} days; you can change it again from ${next.toISOString().slice(0, 16).replace("T", " ")} UTC.`,
              { nextChangeAt: next.toISOString() },
            );
        }
        await tx.db.arenaParticipant.update({
          where: { id: participant.id },
          data: { sigma: new Decimal(1).minus(ratio).toString(), sigmaSetAt: request.now },
        });
        return {
          shareRatio: ratio.toString(),
          nextChangeAt: new Date(request.now.getTime() + SHARE_COOLDOWN_DAYS * DAY),
        };
      },
    ),
  );
  return result;
}

async function moveIn(
  arena: ArenaDeps,
  tx: Tx,
  request: ActionBase & { amountAtoms: bigint },
  participantId: number,
  kind: StakeKind,
  memo: string,
): Promise<void> {
  const userId = request.actor.userId;
  await arena.ledger.transfer(tx, {
    key: `arena.stake|${request.key}`,
    debit: accounts.user(userId, arena.token),
    credit: stakeAccount(userId, arena.token),
    token: arena.token,
    amountAtoms: request.amountAtoms,
    code: ARENA_CODES.stake,
    memo,
    meta: { participantId, kind },
  });
  await tx.db.arenaStake.create({
    data: { participantId, userId, kind, amount: request.amountAtoms.toString(), createdAt: request.now },
  });
}
