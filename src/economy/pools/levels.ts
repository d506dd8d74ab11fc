// XP levels (docs/economy.md section 5): level 1 from 0 XP, level 2 from 1,000, and so on. A
// settlement that lifts a farmer into a new level tells them (Reputation.award).

/** XP per level. */
export const XP_PER_LEVEL = 1000;

export function levelOf(xp: bigint): number {
  return Number(xp / BigInt(XP_PER_LEVEL)) + 1;
}
