// /stake: stake CLONES for an ambassador tier (commission N% at tier N), unstake through a
// cooldown, and see where you stand (docs/economy.md section 6).
import { STAKE_CODES, type StakeAmounts, type StakeStatus } from "#src/economy/ambassadors/staking.ts";
import { MAX_TIER, STAKE_TOKEN, tierProgress } from "#src/economy/ambassadors/tiers.ts";
import { textBar } from "#src/leaderboards/progress.ts";
import { parsePositiveAmount, type TokenInfo } from "#src/ledger/amount.ts";
import { decimalString, formatMoney, formatTime, registerTransferLabels } from "./_format.ts";
import { type Ctx, commandGroup, requestOf, subcommand } from "./_kit.ts";

registerTransferLabels({
  [STAKE_CODES.add]: "staked",
  [STAKE_CODES.unstake]: "unstaking (cooldown)",
  [STAKE_CODES.release]: "unstaked",
  [STAKE_CODES.cancel]: "unstake cancelled (staked again)",
});

const amountOption = {
  amount: { type: "amount", description: "How many CLONES, e.g. 1,000,000", required: true },
} as const;

const tierWords = (tier: number) =>
  tier === 0 ? "no tier (no commission)" : `tier ${tier} (${tier}% commission)`;

function amountsData(a: StakeAmounts, token: TokenInfo) {
  return {
    staked: decimalString(a.stakedAtoms, token),
    cooling: decimalString(a.coolingAtoms, token),
    counted: decimalString(a.countedAtoms, token),
    tier: a.tier,
  };
}

const add = subcommand({
  description: "Stake CLONES from your balance to raise your ambassador tier",
  personal: true,
  options: amountOption,
  async handler(ctx: Ctx, args) {
    const token = ctx.services.tokens.get(STAKE_TOKEN);
    const amountAtoms = parsePositiveAmount(args.amount, token);
    const { after } = await ctx.services.staking.add({ ...requestOf(ctx), amountAtoms });
    return {
      title: "Staked",
      text: `You staked ${formatMoney(amountAtoms, token)}. Your stake counts ${formatMoney(after.countedAtoms, token)}: ${tierWords(after.tier)}.`,
      tone: "success",
      data: { amount: decimalString(amountAtoms, token), ...amountsData(after, token) },
    };
  },
});

const remove = subcommand({
  description: "Unstake CLONES: they return to your balance after the cooldown",
  personal: true,
  options: amountOption,
  async handler(ctx: Ctx, args) {
    const { staking, tokens } = ctx.services;
    const token = tokens.get(STAKE_TOKEN);
    const amountAtoms = parsePositiveAmount(args.amount, token);
    const change = await staking.remove({ ...requestOf(ctx), amountAtoms });
    const when = change.releaseAt
      ? `They cool down until ${formatTime(change.releaseAt)} and count for your tier until then; then they return to your balance.`
      : "They are back in your balance.";
    return {
      title: "Unstaking",
      text: `You unstaked ${formatMoney(amountAtoms, token)}. ${when} Your tier: ${tierWords(change.after.tier)}.`,
      tone: "success",
      data: {
        amount: decimalString(amountAtoms, token),
        releaseAt: change.releaseAt?.toISOString() ?? null,
        ...amountsData(change.after, token),
      },
    };
  },
});

/** From this tier's threshold to the next: the same measure as /profile's (tierProgress). */
function stakeProgressBar(s: StakeStatus): string {
  const p = tierProgress({
    countedAtoms: s.countedAtoms,
    thisTierAtoms: s.thresholdAtoms,
    ...(s.next ? { nextTierAtoms: s.next.thresholdAtoms } : {}),
  });
  return p ? textBar(p.partAtoms, p.wholeAtoms) : textBar(1n, 1n);
}

function statusText(s: StakeStatus, token: TokenInfo): string {
  const lines = [
    `Staked: ${formatMoney(s.stakedAtoms, token)}`,
    `Cooling down: ${formatMoney(s.coolingAtoms, token)}`,
    `Your tier: ${tierWords(s.tier)}, counting ${formatMoney(s.countedAtoms, token)}`,
  ];
  if (s.next) {
    lines.push(
      `Next: tier ${s.next.tier} at ${formatMoney(s.next.thresholdAtoms, token)} (0.${s.next.tier}% of supply): ` +
        `${stakeProgressBar(s)}, ${formatMoney(s.next.missingAtoms, token)} to go`,
    );
  } else lines.push(`You are at the top tier (${MAX_TIER}).`);
  for (const c of s.cooling)
    lines.push(
      `• #${c.id}: ${formatMoney(c.amountAtoms, token)} returns to your balance at ${formatTime(c.releaseAt)}`,
    );
  if (s.cooling.length > 0) lines.push("Changed your mind? /stake cancel keeps it staked.");
  return lines.join("\n");
}

const status = subcommand({
  description: "Your stake, your tier, the next tier and what is cooling down",
  personal: true,
  async handler(ctx: Ctx) {
    const { staking, tokens, db } = ctx.services;
    const token = tokens.get(STAKE_TOKEN);
    const s = await staking.status(db.prisma, ctx.actor.userId);
    return {
      title: "Your stake",
      text: statusText(s, token),
      data: {
        ...amountsData(s, token),
        next: s.next
          ? {
              tier: s.next.tier,
              threshold: decimalString(s.next.thresholdAtoms, token),
              missing: decimalString(s.next.missingAtoms, token),
            }
          : null,
        unstakes: s.cooling.map((c) => ({
          id: c.id,
          amount: decimalString(c.amountAtoms, token),
          releaseAt: c.releaseAt.toISOString(),
        })),
        cooldownDays: staking.cooldownDays,
      },
    };
  },
});

const cancel = subcommand({
  description: "Keep CLONES you are unstaking: they go back into your stake at once",
  personal: true,
  options: {
    unstake: {
      type: "integer",
      description: "Which unstake (its # in /stake status); all of them when left out",
      minValue: 1,
    },
  },
  async handler(ctx: Ctx, args) {
    const { staking, tokens } = ctx.services;
    const token = tokens.get(STAKE_TOKEN);
    const { cancelled, after } = await staking.cancel({
      ...requestOf(ctx),
      ...(args.unstake !== undefined ? { unstakeId: args.unstake } : {}),
    });
    const total = cancelled.reduce((sum, c) => sum + c.amountAtoms, 0n);
    const which = cancelled.map((c) => `#${c.id}`).join(", ");
    return {
      title: "Unstake cancelled",
      text: `${formatMoney(total, token)} (${which}) ${cancelled.length === 1 ? "is" : "are"} back in your stake. Your tier: ${tierWords(after.tier)}.`,
      tone: "success",
      data: {
        cancelled: cancelled.map((c) => ({ id: c.id, amount: decimalString(c.amountAtoms, token) })),
        ...amountsData(after, token),
      },
    };
  },
});

export default commandGroup({
  name: "stake",
  description: "Stake CLONES for an ambassador tier (1-5% commission on referrals)",
  category: "Ambassadors",
  subcommands: { add, remove, cancel, status },
});
