// /stake: stake CLONES for an ambassador tier (commission N% at tier N), or VIRAL for a token of your
// own (section 2); unstake through a cooldown, and see where you stand (docs/economy.md section 6).
import { STAKE_CODES, type StakeAmounts, type StakeStatus } from "#src/economy/ambassadors/stake-accounts.ts";
import {
  MAX_TIER,
  OWN_TOKEN_STAKE_TOKEN,
  STAKE_TOKEN,
  type StakeToken,
  tierProgress,
} from "#src/economy/ambassadors/tiers.ts";
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
  amount: { type: "amount", description: "How many, e.g. 1,000,000", required: true },
  token: {
    type: "string",
    description: "CLONES (ambassador tier, the default) or VIRAL (for a token of your own)",
    choices: [
      { name: "CLONES", value: STAKE_TOKEN },
      { name: "VIRAL", value: OWN_TOKEN_STAKE_TOKEN },
    ],
  },
} as const;

const stakeToken = (token: StakeToken | undefined): StakeToken => token ?? STAKE_TOKEN;

/** What a VIRAL stake is for, after a change. */
const viralWords = (stakedAtoms: bigint, token: TokenInfo) =>
  `Your VIRAL stake: ${formatMoney(stakedAtoms, token)} (it backs a token of your own: /token register).`;

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
  description: "Stake CLONES to raise your ambassador tier, or VIRAL for a token of your own",
  personal: true,
  options: amountOption,
  async handler(ctx: Ctx, args) {
    const symbol = stakeToken(args.token);
    const token = ctx.services.tokens.get(symbol);
    const amountAtoms = parsePositiveAmount(args.amount, token);
    const { after } = await ctx.services.staking.add({ ...requestOf(ctx), amountAtoms, token: symbol });
    const standing =
      symbol === STAKE_TOKEN
        ? `Your stake counts ${formatMoney(after.countedAtoms, token)}: ${tierWords(after.tier)}.`
        : viralWords(after.stakedAtoms, token);
    return {
      title: "Staked",
      text: `You staked ${formatMoney(amountAtoms, token)}. ${standing}`,
      tone: "success",
      data: { token: symbol, amount: decimalString(amountAtoms, token), ...amountsData(after, token) },
    };
  },
});

const remove = subcommand({
  description: "Unstake CLONES or VIRAL: they return to your balance after the cooldown",
  personal: true,
  options: amountOption,
  async handler(ctx: Ctx, args) {
    const { staking, tokens } = ctx.services;
    const symbol = stakeToken(args.token);
    const token = tokens.get(symbol);
    const amountAtoms = parsePositiveAmount(args.amount, token);
    const change = await staking.remove({ ...requestOf(ctx), amountAtoms, token: symbol });
    const counting = symbol === STAKE_TOKEN ? " and count for your tier until then" : "";
    const when = change.releaseAt
      ? `They cool down until ${formatTime(change.releaseAt)}${counting}; then they return to your balance.`
      : "They are back in your balance.";
    const standing =
      symbol === STAKE_TOKEN
        ? `Your tier: ${tierWords(change.after.tier)}.`
        : viralWords(change.after.stakedAtoms, token);
    return {
      title: "Unstaking",
      text: `You unstaked ${formatMoney(amountAtoms, token)}. ${when} ${standing}`,
      tone: "success",
      data: {
        token: symbol,
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

function statusText(
  s: StakeStatus,
  token: TokenInfo,
  viral: TokenInfo,
  tokenOf: (symbol: string) => TokenInfo,
): string {
  const lines = [
    `Staked: ${formatMoney(s.stakedAtoms, token)}`,
    `Cooling down: ${formatMoney(s.coolingAtoms, token)}`,
    `Your tier: ${tierWords(s.tier)}, counting ${formatMoney(s.countedAtoms, token)}`,
  ];
  if (s.next) {
    lines.push(
      `Next: tier ${s.next.tier} at ${formatMoney(s.next.thresholdAtoms, token)} (0.${s.next.tier}% of the ${formatMoney(s.supplyAtoms, token)} supply left after burns): ` +
        `${stakeProgressBar(s)}, ${formatMoney(s.next.missingAtoms, token)} to go`,
    );
  } else lines.push(`You are at the top tier (${MAX_TIER}).`);
  if (s.viral.stakedAtoms > 0n || s.viral.coolingAtoms > 0n)
    lines.push(
      `VIRAL staked for a token of your own: ${formatMoney(s.viral.stakedAtoms, viral)}, cooling down: ${formatMoney(s.viral.coolingAtoms, viral)}`,
    );
  for (const c of s.cooling)
    lines.push(
      `• #${c.id}: ${formatMoney(c.amountAtoms, tokenOf(c.token))} returns to your balance at ${formatTime(c.releaseAt)}`,
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
      text: statusText(s, token, tokens.get(OWN_TOKEN_STAKE_TOKEN), (symbol) => tokens.get(symbol)),
      data: {
        ...amountsData(s, token),
        next: s.next
          ? {
              tier: s.next.tier,
              threshold: decimalString(s.next.thresholdAtoms, token),
              missing: decimalString(s.next.missingAtoms, token),
            }
          : null,
        supply: decimalString(s.supplyAtoms, token),
        viral: {
          staked: decimalString(s.viral.stakedAtoms, tokens.get(OWN_TOKEN_STAKE_TOKEN)),
          cooling: decimalString(s.viral.coolingAtoms, tokens.get(OWN_TOKEN_STAKE_TOKEN)),
        },
        unstakes: s.cooling.map((c) => ({
          id: c.id,
          token: c.token,
          amount: decimalString(c.amountAtoms, tokens.get(c.token)),
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
    // Per token: "400,000 CLONES (#3, #4)", and " and 10 VIRAL (#5)" when both were cooling.
    const which = [STAKE_TOKEN, OWN_TOKEN_STAKE_TOKEN]
      .map((symbol) => cancelled.filter((c) => c.token === symbol))
      .filter((group) => group.length > 0)
      .map((group) => {
        const total = group.reduce((sum, c) => sum + c.amountAtoms, 0n);
        return `${formatMoney(total, tokens.get(group[0]!.token))} (${group.map((c) => `#${c.id}`).join(", ")})`;
      })
      .join(" and ");
    return {
      title: "Unstake cancelled",
      text: `${which} ${cancelled.length === 1 ? "is" : "are"} back in your stake. Your tier: ${tierWords(after.tier)}.`,
      tone: "success",
      data: {
        cancelled: cancelled.map((c) => ({
          id: c.id,
          token: c.token,
          amount: decimalString(c.amountAtoms, tokens.get(c.token)),
        })),
        ...amountsData(after, token),
      },
    };
  },
});

export default commandGroup({
  name: "stake",
  description: "Stake CLONES for an ambassador tier (1-5% commission), or VIRAL for your own token",
  category: "Ambassadors",
  subcommands: { add, remove, cancel, status },
});
