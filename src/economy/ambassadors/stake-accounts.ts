// The vocabulary of stakes (docs/economy.md sections 2 and 6): the accounts a stake lives in, the
// ledger codes of its moves, the figures views show, and the turn a member's stake changes wait for.
//
// Fairness: before the rows, each member's stake lock, a transaction-scoped advisory lock (shared
// to read, exclusive to change), taken in user id order. Row locks alone starve a writer: a new
// FOR SHARE joins the current readers without queueing behind a waiting FOR UPDATE, so a steady
// stream of settlements kept an unstake waiting until the stream ended (29 s). Advisory locks
// queue: once an unstake waits, later settlements wait behind it, and it runs as soon as the
// settlements already holding the stake commit.
import type { Tx } from "#src/db/database.ts";
import { STAKE_TOKEN, type StakeToken } from "#src/economy/ambassadors/tiers.ts";
import { type AccountKey, accounts } from "#src/ledger/accounts.ts";

export const STAKE_CODES = {
  add: "stake.add",
  unstake: "stake.unstake",
  release: "stake.release",
  cancel: "stake.cancel",
} as const;

export const stakeAccount = (userId: number, token: StakeToken = STAKE_TOKEN): AccountKey =>
  accounts.userPurpose(userId, token, "stake");
export const cooldownAccount = (userId: number, token: StakeToken = STAKE_TOKEN): AccountKey =>
  accounts.userPurpose(userId, token, "cooldown");

export interface StakeAmounts {
  /** Staked and not leaving. */
  stakedAtoms: bigint;
  /** Leaving: in the cooldown account until released. */
  coolingAtoms: bigint;
  /** What the tier counts: staked + cooling. */
  countedAtoms: bigint;
  tier: number;
}

export interface CoolingUnstake {
  id: number;
  token: StakeToken;
  amountAtoms: bigint;
  requestedAt: Date;
  releaseAt: Date;
}

export interface StakeStatus extends StakeAmounts {
  /** The next tier and the stake it needs (undefined at the top tier). */
  next?: { tier: number; thresholdAtoms: bigint; missingAtoms: bigint };
  /** The current tier's threshold (0 at tier 0). */
  thresholdAtoms: bigint;
  cooling: CoolingUnstake[];
  /** The CLONES supply the tiers are measured against: CLONES_SUPPLY less what was burned. */
  supplyAtoms: bigint;
  /** VIRAL staked for an own token, and what is cooling down of it. */
  viral: { stakedAtoms: bigint; coolingAtoms: bigint };
}

export interface StakeChange {
  amountAtoms: bigint;
  after: StakeAmounts;
  /** For an unstake that cools down: when it returns. */
  releaseAt?: Date;
  unstakeId?: number;
}

/** The advisory lock space of stake locks (the other key is the member's id). */
const STAKE_LOCK_SPACE = 5_060_503;

/** Waits its turn for a member's stake, in arrival order (see "Fairness" above). */
export async function lockStakeTurn(tx: Tx, userId: number, mode: "share" | "update"): Promise<void> {
  if (mode === "share")
    await tx.db.$executeRaw`SELECT pg_advisory_xact_lock_shared(${STAKE_LOCK_SPACE}::int, ${userId}::int)`;
  else await tx.db.$executeRaw`SELECT pg_advisory_xact_lock(${STAKE_LOCK_SPACE}::int, ${userId}::int)`;
}
