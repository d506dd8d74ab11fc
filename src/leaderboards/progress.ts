// Text progress bars for replies, where a picture is not sent or a glance is enough: a pool's funds
// left, progress to the next staking tier. Exact on bigint atoms (no float rounding near 0 or 100%).

import { tierProgress } from "#src/economy/ambassadors/tiers.ts";

/** "▓▓▓▓▓░░░░░ 50%": `part` of `whole`, clamped to 0..100%, rounded down. */
export function textBar(part: bigint, whole: bigint, width = 10): string {
  if (width < 1) throw new RangeError("a bar needs at least one cell");
  if (whole <= 0n) return `${"░".repeat(width)} 0%`;
  const clamped = part < 0n ? 0n : part > whole ? whole : part;
  const filled = Number((clamped * BigInt(width)) / whole);
  const percent = Number((clamped * 100n) / whole);
  return `${"▓".repeat(filled)}${"░".repeat(width - filled)} ${percent}%`;
}

/** "Funds left ▓▓▓▓▓▓░░░░ 60%": what is still available of all the pool ever held. */
export function fundsLeftBar(availableAtoms: bigint, totalAtoms: bigint, width = 10): string {
  return `Funds left ${textBar(availableAtoms, totalAtoms, width)}`;
}

/** "Tier 2 → 3 ▓▓▓░░░░░░░ 30%", or "Tier 5 (the highest)". */
export function tierProgressBar(
  tier: number,
  maxTier: number,
  stakedAtoms: bigint,
  thisTierAtoms: bigint,
  nextTierAtoms: bigint,
  width = 10,
): string {
  const progress = tierProgress({ countedAtoms: stakedAtoms, thisTierAtoms, nextTierAtoms });
  if (tier >= maxTier || !progress) return `Tier ${tier} (the highest)`;
  return `Tier ${tier} → ${tier + 1} ${textBar(progress.partAtoms, progress.wholeAtoms, width)}`;
}
