// What counts in an epoch, read from the live tables once, and stored compactly with the epoch so
// the rewards are always computed from the stored snapshot. The snapshot is built and stored by the
// database in one statement: 100,000 delegations never travel to the bot and back as rows.
import type { TxClient } from "#src/db/database.ts";
import type { ArenaParams, EpochInput, ParticipantInput } from "./rewards.ts";
import type { EpochStatus } from "./types.ts";

export interface SnapshotRow {
  key: string;
  period: { key: string; start: Date; end: Date };
  token: string;
  emissionAtoms: bigint;
  params: ArenaParams;
  now: Date;
}

/**
 * Stores the epoch `key` with its snapshot, unless it exists (a concurrent twin inserts nothing).
 * What counts in the epoch of `period`: stakes made before it started and not withdrawn before it
 * started (a change takes effect at the next epoch), each node's latest submission inside the
 * period and the scores it got. The stored form is StoredSnapshot below, in the order the rule
 * reads it: tasks by id, participants by id, delegations by delegator, scores by node then
 * validator; a participant counts once it has a stake, a task once it has a participant.
 */
export async function storeSnapshot(db: TxClient, epoch: SnapshotRow): Promise<void> {
  const { period } = epoch;
  const emission = epoch.emissionAtoms.toString();
  await db.$executeRaw`
    WITH stakes AS (
      SELECT p.id, p.task_id, p.user_id, p.role, p.sigma, s.user_id AS staker, s.kind, SUM(s.amount) AS amount
      FROM arena_stakes s JOIN arena_participants p ON p.id = s.participant_id
      WHERE s.created_at < ${period.start} AND (s.withdrawn_at IS NULL OR s.withdrawn_at >= ${period.start})
      GROUP BY p.id, s.kind, s.user_id),
    participants AS (
      SELECT id, task_id, role,
             jsonb_build_array(id, user_id, COALESCE(SUM(amount) FILTER (WHERE kind = 'own'), 0)::text, sigma::text,
               COALESCE(jsonb_agg(jsonb_build_array(staker, amount::text) ORDER BY staker)
                          FILTER (WHERE kind <> 'own'), '[]'::jsonb)) AS stored
      FROM stakes GROUP BY id, task_id, user_id, role, sigma),
    latest AS (
      SELECT DISTINCT ON (participant_id) id, participant_id FROM arena_submissions
      WHERE submitted_at >= ${period.start} AND submitted_at < ${period.end}
      ORDER BY participant_id, submitted_at DESC, id DESC),
    scores AS (
      SELECT p.task_id,
             jsonb_agg(jsonb_build_array(sc.validator_id, latest.participant_id, sc.score::text)
                       ORDER BY latest.participant_id, sc.validator_id) AS stored
      FROM latest JOIN arena_scores sc ON sc.submission_id = latest.id
      JOIN arena_participants p ON p.id = latest.participant_id
      GROUP BY p.task_id),
    tasks AS (
      SELECT pa.task_id AS id,
             jsonb_build_object(
               'id', pa.task_id,
               'nodes', COALESCE(jsonb_agg(pa.stored ORDER BY pa.id) FILTER (WHERE pa.role = 'node'), '[]'::jsonb),
               'validators', COALESCE(jsonb_agg(pa.stored ORDER BY pa.id) FILTER (WHERE pa.role <> 'node'), '[]'::jsonb),
               'scores', COALESCE((SELECT sc.stored FROM scores sc WHERE sc.task_id = pa.task_id), '[]'::jsonb)) AS stored
      FROM participants pa GROUP BY pa.task_id)
    INSERT INTO arena_epochs (key, period_key, period_start, period_end, token, emission, params, snapshot, status, created_at)
    SELECT ${epoch.key}, ${period.key}, ${period.start}, ${period.end}, ${epoch.token}, ${emission}::numeric,
           ${JSON.stringify(epoch.params)}::jsonb,
           jsonb_build_object('emission', ${emission}::text, 'params', ${JSON.stringify(epoch.params)}::jsonb,
                              'tasks', COALESCE((SELECT jsonb_agg(stored ORDER BY id) FROM tasks), '[]'::jsonb)),
           ${"snapshot" satisfies EpochStatus}, ${epoch.now}
    ON CONFLICT (key) DO NOTHING`;
}

// The snapshot is stored compactly (100,000 delegations are a few MB): participants as tuples.
// Amounts are decimal text (exact), as are sigma and the scores.
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
