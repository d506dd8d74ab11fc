// The seam between payouts (pools) and ambassadors (referrals and staking tiers): the platform fee
// of a reward or a deposit is carved into commissions here, and the protocol keeps the rest
// (docs/economy.md section 6). Settlement asks inside its own transaction, so the tier read is the one
// in force at settlement; an implementation must lock what it reads (e.g. the ambassador's stake
// account) so that a concurrent unstake waits for, or is seen by, the settlement.
import type { Tx } from "#src/db/database.ts";

export type FeePolicy = "clones" | "forge";

export type CommissionRole = "farmer_ambassador" | "creator_ambassador";

export interface Commission {
  /** The ambassador paid. */
  userId: number;
  role: CommissionRole;
  /** The tier (1..5) in force at settlement, i.e. the rate in percent. */
  tier: number;
  amountAtoms: bigint;
}

export interface RewardFee {
  token: string;
  policy: FeePolicy;
  farmerUserId: number;
  creatorUserId: number;
  /** The quality-adjusted reward, before the fee. */
  grossAtoms: bigint;
  /** The platform fee charged on it (0 under the forge policy). */
  feeAtoms: bigint;
}

export interface DepositFee {
  token: string;
  creatorUserId: number;
  /** The gross deposit into a forge-policy pool. */
  depositAtoms: bigint;
  /** The platform fee (20%) charged on it; the setup fee is not shared. */
  feeAtoms: bigint;
}

/**
 * Decides who shares a fee. Every amount is rounded down; the sum never exceeds the fee, and the
 * caller pays the protocol `fee - sum(commissions)`.
 */
export interface CommissionPolicy {
  onReward(tx: Tx, fee: RewardFee): Promise<Commission[]>;
  onDeposit(tx: Tx, fee: DepositFee): Promise<Commission[]>;
}

/** Ledger transfer codes for commissions (history labels, leaderboards). */
export const COMMISSION_CODES = {
  farmer_ambassador: "commission.farmer_ambassador",
  creator_ambassador: "commission.creator_ambassador",
} as const satisfies Record<CommissionRole, string>;
