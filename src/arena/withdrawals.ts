// Money out of a task: a withdrawn stake or delegation stops counting from the next epoch on; the
// money stays staked until the epoch job has settled the epoch it last counted in (emission.ts).
import { UserError } from "#src/core/errors.ts";
import { runOnce } from "#src/core/idempotency.ts";
import { requireParticipant } from "./checks.ts";
import type { ActionBase, ArenaDeps, ParticipantRole, StakeKind } from "./types.ts";

/** Withdraws the actor's whole own stake as node or validator; it stops counting next epoch. */
export function unstake(
  arena: ArenaDeps,
  request: ActionBase & { taskId: number; role: ParticipantRole },
): Promise<{ withdrawnAtoms: bigint }> {
  return withdraw(arena, request, request.actor.userId, "own");
}

/** Withdraws all the actor's delegation to one node or validator; it stops counting next epoch. */
export function undelegate(
  arena: ArenaDeps,
  request: ActionBase & { taskId: number; role: ParticipantRole; toUserId: number },
): Promise<{ withdrawnAtoms: bigint }> {
  return withdraw(arena, request, request.toUserId, "delegation");
}

async function withdraw(
  arena: ArenaDeps,
  request: ActionBase & { taskId: number; role: ParticipantRole },
  participantUserId: number,
  kind: StakeKind,
): Promise<{ withdrawnAtoms: bigint }> {
  const { actor, taskId, role } = request;
  const { result } = await arena.db.transaction((tx) =>
    runOnce(
      tx,
      {
        scope: `arena.withdraw.${kind}`,
        key: request.key,
        input: { userId: actor.userId, taskId, role, participantUserId },
      },
      async () => {
        const participant = await requireParticipant(tx.db, taskId, participantUserId, role, kind === "own");
        const open = await tx.db.arenaStake.findMany({
          where: { userId: actor.userId, participantId: participant.id, kind, withdrawnAt: null },
          select: { id: true, amount: true },
        });
        if (open.length === 0)
          throw new UserError(
            "not_staked",
            kind === "own"
              ? `You have no ${role} stake on task ${taskId} to withdraw.`
              : `You have no delegation to that ${role} on task ${taskId}.`,
          );
        await tx.db.arenaStake.updateMany({
          where: { id: { in: open.map((s) => s.id) } },
          data: { withdrawnAt: request.now },
        });
        return { withdrawnAtoms: open.reduce((s, r) => s + BigInt(r.amount.toFixed(0)), 0n) };
      },
    ),
  );
  return result;
}
