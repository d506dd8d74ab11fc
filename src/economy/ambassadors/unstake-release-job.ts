// Every ten minutes: unstaked CLONES whose cooldown is over go back to their owners' balances,
// each exactly once (Staking.releaseDue). Until then they still count for the owner's tier.

import { countOf } from "#src/core/counts.ts";
import { STAKE_TOKEN } from "#src/economy/ambassadors/tiers.ts";
import { defineJob } from "#src/job-kit.ts";
import { formatMoney } from "#src/ledger/amount.ts";

export const unstakeReleaseJob = defineJob({
  name: "unstake-releases",
  description: "Returns unstaked CLONES to members' balances once their cooldown is over",
  defaultSchedule: "*/10 * * * *",
  defaultTimeoutSeconds: 10 * 60,
  async run(ctx) {
    const { staking, tokens } = ctx.services;
    const { released, atoms } = await staking.releaseDue(ctx.now, { signal: ctx.signal });
    return {
      summary: `${countOf(released, "unstake")} released, ${formatMoney(atoms, tokens.get(STAKE_TOKEN))} in all.`,
      data: { released, atoms: atoms.toString() },
    };
  },
});
