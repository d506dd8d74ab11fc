// What members read: the task list, one task's nodes and validators, and a member's rewards.
import { Decimal } from "decimal.js";
import type { TxClient } from "#src/db/database.ts";
import { requireTask } from "./checks.ts";
import {
  type EpochStatus,
  type ParticipantRole,
  type ParticipantView,
  type RewardLine,
  type TaskInfo,
  type TaskView,
  toTaskView,
} from "./types.ts";

export async function listTasks(
  db: TxClient,
  page: { limit: number; offset: number },
): Promise<{ items: Array<TaskView & { stakeAtoms: bigint; participants: number }>; total: number }> {
  const [rows, total] = await Promise.all([
    db.arenaTask.findMany({ orderBy: { id: "desc" }, skip: page.offset, take: page.limit }),
    db.arenaTask.count(),
  ]);
  const ids = rows.map((r) => r.id);
  const stakes =
    ids.length === 0
      ? []
      : await db.$queryRawUnsafe<Array<{ task_id: number; stake: string; participants: number }>>(
          `SELECT p.task_id, COALESCE(SUM(s.amount), 0)::text AS stake, COUNT(DISTINCT p.id)::int AS participants
           FROM arena_participants p LEFT JOIN arena_stakes s ON s.participant_id = p.id AND s.withdrawn_at IS NULL
           WHERE p.task_id = ANY($1::int[]) GROUP BY p.task_id`,
          ids,
        );
  const byTask = new Map(stakes.map((s) => [s.task_id, s]));
  return {
    items: rows.map((row) => ({
      ...toTaskView(row),
      stakeAtoms: BigInt(byTask.get(row.id)?.stake ?? "0"),
      participants: byTask.get(row.id)?.participants ?? 0,
    })),
    total,
  };
}

export async function taskInfo(db: TxClient, taskId: number): Promise<TaskInfo> {
  const task = await requireTask(db, taskId);
  const rows = await db.$queryRawUnsafe<
    Array<{
      id: number;
      user_id: number;
      role: string;
      sigma: string;
      own: string;
      delegated: string;
      delegators: number;
    }>
  >(
    `SELECT p.id, p.user_id, p.role, p.sigma::text AS sigma,
            COALESCE(SUM(s.amount) FILTER (WHERE s.kind = 'own'), 0)::text AS own,
            COALESCE(SUM(s.amount) FILTER (WHERE s.kind = 'delegation'), 0)::text AS delegated,
            COUNT(DISTINCT s.user_id) FILTER (WHERE s.kind = 'delegation')::int AS delegators
     FROM arena_participants p LEFT JOIN arena_stakes s ON s.participant_id = p.id AND s.withdrawn_at IS NULL
     WHERE p.task_id = $1 GROUP BY p.id ORDER BY p.id`,
    taskId,
  );
  const views = rows.map(
    (r): ParticipantView => ({
      participantId: r.id,
      userId: r.user_id,
      role: r.role as ParticipantRole,
      ownAtoms: BigInt(r.own),
      delegatedAtoms: BigInt(r.delegated),
      delegators: r.delegators,
      shareRatio: new Decimal(1).minus(r.sigma).toString(),
    }),
  );
  const active = (v: ParticipantView) => v.ownAtoms + v.delegatedAtoms > 0n;
  return {
    ...toTaskView(task),
    nodes: views.filter((v) => v.role === "node" && active(v)),
    validators: views.filter((v) => v.role === "validator" && active(v)),
    stakeAtoms: views.reduce((s, v) => s + v.ownAtoms + v.delegatedAtoms, 0n),
  };
}

/** A member's rewards in one epoch (by period key; the latest they earned in by default). */
export async function rewardsOf(
  db: TxClient,
  userId: number,
  periodKey?: string,
): Promise<
  | {
      epoch: {
        id: number;
        periodKey: string;
        token: string;
        emissionAtoms: bigint;
        undistributedAtoms: bigint;
        status: EpochStatus;
      };
      /** Per task the member earned in: R0 and the node/validator split, exact, in atoms. */
      tasks: Array<{ taskId: number; taskShare: string; nodesShare: string; validatorsShare: string }>;
      lines: RewardLine[];
      totalAtoms: bigint;
    }
  | undefined
> {
  const epoch = periodKey
    ? await db.arenaEpoch.findFirst({ where: { periodKey }, orderBy: { id: "desc" } })
    : await db.arenaEpoch.findFirst({
        where: { rewards: { some: { userId } } },
        orderBy: [{ periodEnd: "desc" }, { id: "desc" }],
      });
  if (!epoch) return undefined;
  const rows = await db.arenaReward.findMany({
    where: { epochId: epoch.id, userId },
    orderBy: [{ taskId: "asc" }, { id: "asc" }],
  });
  const lines = rows.map(
    (r): RewardLine => ({
      taskId: r.taskId,
      participantId: r.participantId,
      role: r.role as RewardLine["role"],
      amountAtoms: BigInt(r.amount.toFixed(0)),
      paid: r.paid,
      breakdown: (r.breakdown ?? undefined) as RewardLine["breakdown"],
    }),
  );
  return {
    epoch: {
      id: epoch.id,
      periodKey: epoch.periodKey,
      token: epoch.token,
      emissionAtoms: BigInt(epoch.emission.toFixed(0)),
      undistributedAtoms: BigInt(epoch.undistributed?.toFixed(0) ?? "0"),
      status: epoch.status as EpochStatus,
    },
    lines,
    tasks: (
      (epoch.tasks ?? []) as Array<{
        taskId: number;
        taskShare: string;
        nodesShare: string;
        validatorsShare: string;
      }>
    )
      .filter((t) => lines.some((l) => l.taskId === t.taskId))
      .map(({ taskId, taskShare, nodesShare, validatorsShare }) => ({
        taskId,
        taskShare,
        nodesShare,
        validatorsShare,
      })),
    totalAtoms: lines.reduce((s, l) => s + l.amountAtoms, 0n),
  };
}
