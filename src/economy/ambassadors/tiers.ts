// Staking tiers and commission amounts (docs/economy.md section 6): pure arithmetic, no database.
// Tier N (1..5) needs a stake of at least N x 0.1% of the CLONES supply; its commission rate is N%.
// Both are exact integer ratios, so bigint arithmetic computes them exactly (no rate is ever
// approximated): thresholds round UP (a stake must reach the exact share), commissions round DOWN
// (the payee never gets an atom more than its rate; the remainder stays with the protocol's fee).

export const MAX_TIER = 5;

/** The stake token: tiers are measured in CLONES only. */
export const STAKE_TOKEN = "CLONES";
/** The token staked to register and pay in one's own token (docs/economy.md section 2). */
export const OWN_TOKEN_STAKE_TOKEN = "VIRAL";
/** What /stake takes. */
export type StakeToken = typeof STAKE_TOKEN | typeof OWN_TOKEN_STAKE_TOKEN;

/** Atoms of stake tier `tier` needs: ceil(supply x tier / 1000). Tier 0 needs nothing. */
export function tierThreshold(supplyAtoms: bigint, tier: number): bigint {
  if (tier <= 0) return 0n;
  const numerator = supplyAtoms * BigInt(tier);
  return (numerator + 999n) / 1000n;
}

/** The tier a stake earns: the highest N whose threshold it reaches, 0 below tier 1. */
export function tierFor(stakeAtoms: bigint, supplyAtoms: bigint): number {
  let tier = 0;
  for (let n = 1; n <= MAX_TIER; n++) if (stakeAtoms >= tierThreshold(supplyAtoms, n)) tier = n;
  return tier;
}

/** A tier's commission on an amount: floor(amount x tier / 100). */
export function commissionAtoms(amountAtoms: bigint, tier: number): bigint {
  if (tier <= 0 || amountAtoms <= 0n) return 0n;
  return (amountAtoms * BigInt(Math.min(tier, MAX_TIER))) / 100n;
}

/**
 * Progress toward the next tier, the one measure /stake status and /profile both show: how far the
 * counted stake has come from this tier's threshold to the next one's, as `partAtoms` of
 * `wholeAtoms` (clamped to 0..whole). Undefined at the highest tier.
 */
export function tierProgress(stake: {
  countedAtoms: bigint;
  thisTierAtoms: bigint;
  nextTierAtoms?: bigint;
}): { partAtoms: bigint; wholeAtoms: bigint } | undefined {
  if (stake.nextTierAtoms === undefined) return undefined;
  const wholeAtoms = stake.nextTierAtoms - stake.thisTierAtoms;
  if (wholeAtoms <= 0n) return { partAtoms: 1n, wholeAtoms: 1n };
  const part = stake.countedAtoms - stake.thisTierAtoms;
  return { partAtoms: part < 0n ? 0n : part > wholeAtoms ? wholeAtoms : part, wholeAtoms };
}
