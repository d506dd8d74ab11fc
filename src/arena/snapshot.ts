// What counts in an epoch, read from the live tables once, and stored compactly with the epoch so
// the rewards are always computed from the stored snapshot.
import type { TxClient } from "#src/db/database.ts";
import type { ArenaParams, EpochInput, ParticipantInput, TaskInput } from "./rewards.ts";

/**
 * What counts in the epoch of `period`: stakes made before it started and not withdrawn before it
 * started (a change takes effect at the next epoch), each node's latest submission inside the
 * period and the scores it got.
 */
export async function snapshotInput(
  db: TxClient,
  period: { start: Date; end: Date },
  emissionAtoms: bigint,
  params: ArenaParams,
): Promise<EpochInput> {
  const stakes = await db.$queryRaw<
    Array<{
      id: number;
      task_id: number;
      user_id: number;
      role: string;
      sigma: string;
      staker: number;
      kind: string;
      amount: string;
    }>
  >`SELECT p.id, p.task_id, p.user_id, p.role, p.sigma::text AS sigma, s.user_id AS staker, s.kind,
           SUM(s.amount)::text AS amount
    FROM arena_stakes s JOIN arena_participants p ON p.id = s.participant_id
    WHERE s.created_at < ${period.start} AND (s.withdrawn_at IS NULL OR s.withdrawn_at >= ${period.start})
    GROUP BY p.id, s.kind, s.user_id
    ORDER BY p.task_id, p.id, s.kind, s.user_id`;
  const scores = await db.$queryRaw<
    Array<{ task_id: number; validator_id: number; node_id: number; score: string }>
  >`
    WITH latest AS (
      SELECT DISTINCT ON (participant_id) id, participant_id FROM arena_submissions
      WHERE submitted_at >= ${period.start} AND submitted_at < ${period.end}
      ORDER BY participant_id, submitted_at DESC, id DESC)
    SELECT p.task_id, sc.validator_id, latest.participant_id AS node_id, sc.score::text AS score
    FROM latest JOIN arena_scores sc ON sc.submission_id = latest.id
    JOIN arena_participants p ON p.id = latest.participant_id
    ORDER BY latest.participant_id, sc.validator_id`;

  const tasks = new Map<number, TaskInput>();
  const taskOf = (id: number) => {
    let task = tasks.get(id);
    if (!task) {
      task = { id, nodes: [], validators: [], scores: [] };
      tasks.set(id, task);
    }
    return task;
  };
  let current: ParticipantInput | undefined;
  for (const row of stakes) {
    if (current?.id !== row.id) {
      current = { id: row.id, userId: row.user_id, ownAtoms: 0n, sigma: row.sigma, delegations: [] };
      const task = taskOf(row.task_id);
      (row.role === "node" ? task.nodes : task.validators).push(current);
    }
    if (row.kind === "own") current.ownAtoms += BigInt(row.amount);
    else current.delegations.push({ userId: row.staker, atoms: BigInt(row.amount) });
  }
  for (const row of scores) {
    const task = tasks.get(row.task_id);
    if (task) task.scores.push({ validatorId: row.validator_id, nodeId: row.node_id, score: row.score });
  }
  return { emissionAtoms, params, tasks: [...tasks.values()].sort((a, b) => a.id - b.id) };
}

// The snapshot is stored compactly (100,000 delegations are a few MB): participants as tuples.
type StoredParticipant = [
  id: number,
  userId: number,
  own: string,
  sigma: string,
  delegations: Array<[number, string]>,
];
interface StoredSnapshot {
  emission: string;
  params: ArenaParams;
  tasks: Array<{
    id: number;
    nodes: StoredParticipant[];
    validators: StoredParticipant[];
    scores: Array<[validatorId: number, nodeId: number, score: string]>;
  }>;
}

export function encodeSnapshot(input: EpochInput): StoredSnapshot {
  const participant = (p: ParticipantInput): StoredParticipant => [
    p.id,
    p.userId,
    p.ownAtoms.toString(),
    p.sigma,
    p.delegations.map((d) => [d.userId, d.atoms.toString()]),
  ];
  return {
    emission: input.emissionAtoms.toString(),
    params: input.params,
    tasks: input.tasks.map((t) => ({
      id: t.id,
      nodes: t.nodes.map(participant),
      validators: t.validators.map(participant),
      scores: t.scores.map((s) => [s.validatorId, s.nodeId, s.score]),
    })),
  };
}

export function decodeSnapshot(stored: unknown): EpochInput {
  const s = stored as StoredSnapshot;
  const participant = ([id, userId, own, sigma, delegations]: StoredParticipant): ParticipantInput => ({
    id,
    userId,
    ownAtoms: BigInt(own),
    sigma,
    delegations: delegations.map(([u, atoms]) => ({ userId: u, atoms: BigInt(atoms) })),
  });
  return {
    emissionAtoms: BigInt(s.emission),
    params: s.params,
    tasks: s.tasks.map((t) => ({
      id: t.id,
      nodes: t.nodes.map(participant),
      validators: t.validators.map(participant),
      scores: t.scores.map(([validatorId, nodeId, score]) => ({ validatorId, nodeId, score })),
    })),
  };
}
