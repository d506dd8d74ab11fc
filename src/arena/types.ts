// The arena's vocabulary: roles, ledger codes, limits, and the shapes its actions and views return.
import type { Actor } from "#src/core/context.ts";
import type { Database } from "#src/db/database.ts";
import { accounts } from "#src/ledger/accounts.ts";
import type { Ledger } from "#src/ledger/ledger.ts";

// Each status-like column has one union here, and a CHECK in the database
// (migration 20261203110100_arena_status_checks) with the same values.
/** arena_participants.role */
export const PARTICIPANT_ROLES = ["node", "validator"] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];
/** arena_stakes.kind: a participant's own stake, or a member's delegation to it. */
export const STAKE_KINDS = ["own", "delegation"] as const;
export type StakeKind = (typeof STAKE_KINDS)[number];
/** arena_epochs.status: snapshot -> computed -> paid. */
export const EPOCH_STATUSES = ["snapshot", "computed", "paid"] as const;
export type EpochStatus = (typeof EPOCH_STATUSES)[number];
/** arena_rewards.role: who a reward line pays. */
export const REWARD_ROLES = ["node", "validator", "delegator"] as const;
export type RewardRole = (typeof REWARD_ROLES)[number];

export const ARENA_CODES = {
  stake: "arena.stake",
  release: "arena.unstake",
  reward: "arena.reward",
} as const;

/** The reward-sharing ratio (1 - sigma) of a new node or validator. */
export const DEFAULT_SHARE_RATIO = "0.5";
export const SHARE_COOLDOWN_DAYS = 30;
export const MAX_TITLE_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 500;
export const MAX_MODEL_REF_LENGTH = 300;

export const stakeAccount = (userId: number, token: string) =>
  accounts.userPurpose(userId, token, "arena_stake");

export interface TaskView {
  id: number;
  title: string;
  description: string | null;
  factoryId: number | null;
  creatorId: number;
  createdAt: Date;
}

export interface ParticipantView {
  participantId: number;
  userId: number;
  role: ParticipantRole;
  ownAtoms: bigint;
  delegatedAtoms: bigint;
  delegators: number;
  /** 1 - sigma, as members see it. */
  shareRatio: string;
}

export interface TaskInfo extends TaskView {
  nodes: ParticipantView[];
  validators: ParticipantView[];
  stakeAtoms: bigint;
}

export interface RewardLine {
  taskId: number;
  participantId: number;
  role: RewardRole;
  amountAtoms: bigint;
  paid: boolean;
  /** For nodes and validators: the stored breakdown (exact figures in atoms, as text). */
  breakdown?: {
    effectiveStake: string;
    consensusScore?: string;
    rank?: number;
    quality: string;
    share: string;
    own: string;
    delegators: string;
    ownAtoms: string;
    delegatorsAtoms: string;
  };
}

export interface ActionBase {
  actor: Actor;
  /** The event's idempotency key. */
  key: string;
  now: Date;
}

/** What the arena's actions work with: the database, the ledger, and the token staked and paid. */
export interface ArenaDeps {
  db: Database;
  ledger: Ledger;
  token: string;
}

export function toTaskView(row: {
  id: number;
  title: string;
  description: string | null;
  factoryId: number | null;
  creatorId: number;
  createdAt: Date;
}): TaskView {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    factoryId: row.factoryId,
    creatorId: row.creatorId,
    createdAt: row.createdAt,
  };
}
