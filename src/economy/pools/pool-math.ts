// The arithmetic of pools, kept pure so every worked example of docs/economy.md sections 2 and 3 can be
// checked on its own: what a deposit puts in the pool under each fee policy, and how a graded
// demonstration's reserved bid splits between farmer, fee and pool. Rates are decimal strings
// computed with decimal.js; every conversion to atoms rounds down and names where the rest goes.
import { Decimal } from "decimal.js";
import type { FeePolicy } from "#src/economy/ambassadors/commissions.ts";

const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_DOWN });

/** floor(atoms * percent / 100), exactly. */
export function percentOf(atoms: bigint, percent: string): bigint {
  return BigInt(new D(atoms.toString()).mul(new D(percent)).div(100).floor().toFixed(0));
}

/** The terms frozen on a pool when it is created. */
export interface PoolTerms {
  policy: FeePolicy;
  /** forge: percent of every deposit kept as fee. */
  depositFeePercent: string;
  /** forge: the one-time setup fee and its token; deducted when it is the pool's token. */
  setupFeeAtoms: bigint;
  setupFeeToken: string;
  /** clones: percent of each reward kept as fee. */
  rewardFeePercent: string;
}

export interface FundingBreakdown {
  /** What leaves the creator's balance in the pool's token. */
  depositAtoms: bigint;
  /** The platform fee on the deposit (forge), in the pool's token. */
  platformFeeAtoms: bigint;
  /** The setup fee taken out of the deposit (forge, same token). */
  setupFeeFromDepositAtoms: bigint;
  /** The setup fee charged separately in another token (forge, e.g. 1 SOL). */
  setupFeeSeparate?: { token: string; atoms: bigint };
  /** What lands in the pool. */
  poolAtoms: bigint;
}

/**
 * How a deposit splits. The first funding of a forge pool also pays the setup fee; top-ups pay the
 * deposit fee again but no second setup fee. clones: everything goes in.
 */
export function fundingBreakdown(
  terms: PoolTerms,
  poolToken: string,
  depositAtoms: bigint,
  setupFeeDue: boolean,
): FundingBreakdown {
  if (terms.policy === "clones") {
    return { depositAtoms, platformFeeAtoms: 0n, setupFeeFromDepositAtoms: 0n, poolAtoms: depositAtoms };
  }
  const platformFeeAtoms = percentOf(depositAtoms, terms.depositFeePercent);
  const setupDue = setupFeeDue && terms.setupFeeAtoms > 0n;
  const fromDeposit = setupDue && terms.setupFeeToken === poolToken ? terms.setupFeeAtoms : 0n;
  const separate =
    setupDue && terms.setupFeeToken !== poolToken
      ? { token: terms.setupFeeToken, atoms: terms.setupFeeAtoms }
      : undefined;
  return {
    depositAtoms,
    platformFeeAtoms,
    setupFeeFromDepositAtoms: fromDeposit,
    ...(separate ? { setupFeeSeparate: separate } : {}),
    poolAtoms: depositAtoms - platformFeeAtoms - fromDeposit,
  };
}

export interface RewardSplit {
  /** floor(bid * q / 100), or 0 below the threshold. */
  rewardAtoms: bigint;
  /**
   * What is paid now: the reward less what this same recording was already paid (an override of its
   * score), never below 0. A settlement pays the whole reward: every recording is paid on its own
   * merit, whatever the farmer's other recordings of the task earned (docs/economy.md section 3).
   */
  paidGrossAtoms: bigint;
  feeAtoms: bigint;
  farmerAtoms: bigint;
  /** Back to the pool: bid - paid gross. */
  refundAtoms: bigint;
}

/** The quality-adjusted reward of a score (0 below the threshold). */
export function rewardFor(bidAtoms: bigint, score: number, threshold: number): bigint {
  if (!Number.isInteger(score) || score < 0 || score > 100) throw new RangeError(`score ${score}`);
  if (score < threshold) return 0n;
  return (bidAtoms * BigInt(score)) / 100n;
}

/**
 * The fee on a farmer's new gross, rounded down on the cumulative gross per token and rate minus
 * fees already charged (the CLONES reward contract's rule): the fees charged over many payouts
 * always equal floor(total gross * rate), whatever the order.
 */
export function cumulativeFee(
  tally: { grossAtoms: bigint; feeAtoms: bigint },
  newGrossAtoms: bigint,
  percent: string,
): { feeAtoms: bigint; grossAtoms: bigint; totalFeeAtoms: bigint } {
  const grossAtoms = tally.grossAtoms + newGrossAtoms;
  const totalFeeAtoms = percentOf(grossAtoms, percent);
  return { feeAtoms: totalFeeAtoms - tally.feeAtoms, grossAtoms, totalFeeAtoms };
}

/** Settlement of one reserved bid, or an override's difference given what the recording was already paid. */
export function splitReward(input: {
  policy: FeePolicy;
  bidAtoms: bigint;
  score: number;
  threshold: number;
  /** 0 when the recording is first settled; what it was already paid when an override raises its score. */
  alreadyPaidAtoms: bigint;
  rewardFeePercent: string;
  tally: { grossAtoms: bigint; feeAtoms: bigint };
}): RewardSplit & { tallyAfter: { grossAtoms: bigint; feeAtoms: bigint } } {
  const rewardAtoms = rewardFor(input.bidAtoms, input.score, input.threshold);
  const difference = rewardAtoms - input.alreadyPaidAtoms;
  const paidGrossAtoms = difference > 0n ? difference : 0n;
  let feeAtoms = 0n;
  let tallyAfter = input.tally;
  if (input.policy === "clones" && paidGrossAtoms > 0n) {
    const fee = cumulativeFee(input.tally, paidGrossAtoms, input.rewardFeePercent);
    feeAtoms = fee.feeAtoms;
    tallyAfter = { grossAtoms: fee.grossAtoms, feeAtoms: fee.totalFeeAtoms };
  }
  return {
    rewardAtoms,
    paidGrossAtoms,
    feeAtoms,
    farmerAtoms: paidGrossAtoms - feeAtoms,
    refundAtoms: input.bidAtoms - paidGrossAtoms,
    tallyAfter,
  };
}
