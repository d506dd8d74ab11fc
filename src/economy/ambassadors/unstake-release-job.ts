// Every ten minutes: unstaked CLONES (and VIRAL) whose cooldown is over go back to their owners'
// balances, each exactly once (Staking.releaseDue). Until then CLONES still count for the tier.

import { countOf } from "#src/core/counts.ts";
import { OWN_TOKEN_STAKE_TOKEN, STAKE_TOKEN } from "#src/economy/ambassadors/tiers.ts";
import { defineJob } from "#src/job-kit.ts";
import { formatMoney } from "#src/ledger/amount.ts";

export const unstakeReleaseJob = defineJob({
  name: "unstake-releases",
  description: "Returns unstaked CLONES and VIRAL to members' balances once their cooldown is over",
  defaultSchedule: "*/10 * * * *",
  defaultTimeoutSeconds: 10 * 60,
  async run(ctx) {
    const { staking, tokens } = ctx.services;
    const { released, atoms, byToken } = await staking.releaseDue(ctx.now, { signal: ctx.signal });
    const viral = byToken.get(OWN_TOKEN_STAKE_TOKEN);
    const viralWords = viral ? ` and ${formatMoney(viral, tokens.get(OWN_TOKEN_STAKE_TOKEN))}` : "";
    return {
      summary: `${countOf(released, "unstake")} released, ${formatMoney(atoms, tokens.get(STAKE_TOKEN))}${viralWords} in all.`,
      data: { released, atoms: atoms.toString() },
    };
  },
});
