// What the arena's actions check before they change anything: the task, the participant, the open
// stake, and figures in range.
import type { Decimal } from "decimal.js";
import { notFound, UserError } from "#src/core/errors.ts";
import type { TxClient } from "#src/db/database.ts";
import type { ParticipantRole, StakeKind } from "./types.ts";

/** A share ratio or a score: from 0 to 1, with at most 9 decimals (what is stored). */
export const isFractionOfOne = (value: Decimal): boolean =>
  !value.isNaN() && value.gte(0) && value.lte(1) && value.decimalPlaces() <= 9;

export function requirePositive(amountAtoms: bigint): void {
  if (amountAtoms <= 0n) throw new UserError("invalid_amount", "The amount must be more than zero.");
}

export async function openStake(
  db: TxClient,
  userId: number,
  participantId: number,
  kind: StakeKind,
): Promise<bigint> {
  const sum = await db.arenaStake.aggregate({
    where: { userId, participantId, kind, withdrawnAt: null },
    _sum: { amount: true },
  });
  return BigInt(sum._sum.amount?.toFixed(0) ?? "0");
}

export async function requireTask(db: TxClient, taskId: number) {
  const task = Number.isSafeInteger(taskId) ? await db.arenaTask.findUnique({ where: { id: taskId } }) : null;
  if (!task) throw notFound(`Task ${taskId}`, "See the open tasks with /arena task list.");
  return task;
}

export async function requireParticipant(
  db: TxClient,
  taskId: number,
  userId: number,
  role: ParticipantRole,
  self = false,
) {
  await requireTask(db, taskId);
  const participant = await db.arenaParticipant.findUnique({
    where: { taskId_userId_role: { taskId, userId, role } },
  });
  if (!participant)
    throw notFound(
      self ? `Your ${role} on task ${taskId}` : `That member's ${role} on task ${taskId}`,
      self
        ? `Stake first: /arena stake ${role} task:${taskId} amount:100.`
        : `See who takes part with /arena task info task:${taskId}.`,
    );
  return participant;
}
