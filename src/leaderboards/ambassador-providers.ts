// The leaderboard providers the ambassadors feature answers: active referrals per ambassador (its
// own leaderboard query over the referrals table and the ledger) and each member's staking tier.
import { ambassadorLeaderboard } from "#src/economy/ambassadors/ambassador-views.ts";
import type { Staking } from "#src/economy/ambassadors/staking.ts";
import { STAKE_TOKEN } from "#src/economy/ambassadors/tiers.ts";
import type { ProfileSource, ReferralSource } from "./providers.ts";

export const ambassadorReferrals: ReferralSource = {
  async activeReferrals(db, window) {
    const standings = await ambassadorLeaderboard(db, {
      since: window.start ?? new Date(0),
      until: window.end,
      limit: Number.MAX_SAFE_INTEGER,
    });
    return standings.map((s) => ({ userId: s.userId, count: s.activeReferrals }));
  },
};

/** `profiles` (reputation, XP) with the member's staking tier and the stake toward the next. */
export function withStakingTier(profiles: ProfileSource | undefined, staking: Staking): ProfileSource {
  return {
    async standing(db, userId, now) {
      const base = (await profiles?.standing(db, userId, now)) ?? {};
      const status = await staking.status(db, userId);
      return {
        ...base,
        tier: {
          tier: status.tier,
          stakedAtoms: status.countedAtoms,
          thisTierAtoms: status.thresholdAtoms,
          ...(status.next ? { nextTierAtoms: status.next.thresholdAtoms } : {}),
          token: STAKE_TOKEN,
        },
      };
    },
  };
}
