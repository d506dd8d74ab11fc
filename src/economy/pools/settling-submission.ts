// What a settlement reads of a submission, its factory and its task: one statement that locks the
// submission row (FOR UPDATE OF s, so the factory and task rows stay unlocked) and leaves the heavy
// payload and grade columns behind. Settlement, expiry and the notice need nothing more.
import type { Tx } from "#src/db/database.ts";
import { type SubmissionStatus, submissionStatus } from "#src/economy/pools/statuses.ts";

/** The parts of a submission, its factory and its task that paying it needs. */
export interface SettlingSubmission {
  id: number;
  factoryId: number;
  taskId: number;
  farmerUserId: number;
  contentHash: string;
  status: SubmissionStatus;
  bidAtoms: bigint;
  reservationId: bigint | null;
  expiresAt: Date;
  factory: {
    name: string;
    token: string;
    feePolicy: string;
    rewardFeePercent: string;
    qualityThreshold: number;
    creatorUserId: number;
  };
  task: { title: string };
}

interface Row {
  id: number;
  factory_id: number;
  task_id: number;
  farmer_user_id: number;
  content_hash: string;
  status: string;
  bid_atoms: string;
  reservation_id: string | null;
  expires_at: Date;
  factory_name: string;
  token: string;
  fee_policy: string;
  reward_fee_percent: string;
  quality_threshold: number;
  creator_user_id: number;
  task_title: string;
}

/** Locks submission `id` for the rest of `tx` and reads what settling it needs; undefined if none. */
export async function lockSettlingSubmission(tx: Tx, id: number): Promise<SettlingSubmission | undefined> {
  // Atoms and ids as text: exact whatever the driver makes of numeric and bigint.
  const [row] = await tx.db.$queryRaw<Row[]>`
    SELECT s.id, s.factory_id, s.task_id, s.farmer_user_id, s.content_hash, s.status,
           s.bid_atoms::text AS bid_atoms, s.reservation_id::text AS reservation_id, s.expires_at,
           f.name AS factory_name, f.token, f.fee_policy, f.reward_fee_percent, f.quality_threshold,
           f.creator_user_id, t.title AS task_title
    FROM submissions s JOIN factories f ON f.id = s.factory_id JOIN factory_tasks t ON t.id = s.task_id
    WHERE s.id = ${id}
    FOR UPDATE OF s`;
  if (!row) return undefined;
  return {
    id: row.id,
    factoryId: row.factory_id,
    taskId: row.task_id,
    farmerUserId: row.farmer_user_id,
    contentHash: row.content_hash,
    status: submissionStatus(row),
    bidAtoms: BigInt(row.bid_atoms),
    reservationId: row.reservation_id === null ? null : BigInt(row.reservation_id),
    expiresAt: row.expires_at,
    factory: {
      name: row.factory_name,
      token: row.token,
      feePolicy: row.fee_policy,
      rewardFeePercent: row.reward_fee_percent,
      qualityThreshold: row.quality_threshold,
      creatorUserId: row.creator_user_id,
    },
    task: { title: row.task_title },
  };
}
