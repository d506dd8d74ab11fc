// /dataset bundle ...: bundles of tokenized datasets and their governance (docs/economy.md 10.6).

import { literal } from "#src/core/markup.ts";
import type { BundleView } from "#src/dataset-tokens/bundles.ts";
import { STAKE_TOKEN } from "#src/economy/ambassadors/tiers.ts";
import { decimalString, formatMoney, formatTime } from "../_format.ts";
import { type Ctx, paging, requestOf, subcommand } from "../_kit.ts";
import { burnConfirm, burnHandler, curveData } from "./tokens.ts";

const bundleOption = {
  type: "integer",
  description: "The bundle's number",
  required: true,
  minValue: 1,
} as const;

const bundleOptions = {
  name: { type: "string", description: "The bundle's name, e.g. Web agents", required: true, maxLength: 80 },
  symbol: {
    type: "string",
    description: "Its token's symbol: 3 to 10 capitals or digits",
    required: true,
    maxLength: 12,
  },
  factories: {
    type: "string",
    description: "The tokenized factories it holds, by number: 1,2,3",
    required: true,
    maxLength: 400,
  },
  threshold: {
    type: "integer",
    description: "Burn threshold in basis points, 10 to 1000 (100 = 1%)",
    minValue: 10,
    maxValue: 1000,
  },
} as const;

function describe(ctx: Ctx, b: BundleView): string {
  const clones = ctx.services.tokens.get(STAKE_TOKEN);
  const datasets = b.factoryIds.map((id) => `#${id}`).join(", ");
  const head = `Bundle #${b.id} ${literal(b.name)} (${b.symbol}, datasets ${datasets}, threshold ${b.thresholdBps} bps): ${b.status}`;
  if (b.status === "voting")
    return `${head}, ${b.votes} vote${b.votes === 1 ? "" : "s"} so far, voting ends ${formatTime(b.votingEndsAt!)}.`;
  const tally =
    b.yesAtoms === null
      ? ""
      : ` Yes ${formatMoney(b.yesAtoms, clones)}, no ${formatMoney(b.noAtoms!, clones)} staked.`;
  return `${head}${b.outcome ? ` (${literal(b.outcome)})` : ""}.${tally}`;
}

const bundleData = (ctx: Ctx, b: BundleView) => ({
  id: b.id,
  name: b.name,
  symbol: b.symbol,
  status: b.status,
  factories: b.factoryIds,
  threshold: b.thresholdBps,
  votes: b.votes,
  votingEndsAt: b.votingEndsAt?.toISOString() ?? null,
  outcome: b.outcome,
  yes: b.yesAtoms === null ? null : decimalString(b.yesAtoms, ctx.services.tokens.get(STAKE_TOKEN)),
  no: b.noAtoms === null ? null : decimalString(b.noAtoms, ctx.services.tokens.get(STAKE_TOKEN)),
});

const input = (args: {
  name: string;
  symbol: string;
  factories: string;
  threshold?: number | undefined;
}) => ({
  name: args.name,
  symbol: args.symbol,
  factories: args.factories,
  thresholdBps: args.threshold ?? 100,
});

export const create = subcommand({
  description: "Create a bundle of tokenized datasets and launch its token",
  access: "moderator",
  options: bundleOptions,
  async confirm(ctx: Ctx, args) {
    const checked = await ctx.services.datasetBundles.checkInput(ctx.services.db.prisma, input(args));
    return {
      title: `Launch bundle ${checked.symbol}?`,
      text: `Launch ${checked.symbol} for datasets ${checked.factoryIds.map((id) => `#${id}`).join(", ")}, without a launch fee? Its allocation is divided among their creators by accepted demonstrations, and so are its volume fees.`,
    };
  },
  async handler(ctx: Ctx, args) {
    const r = await ctx.services.datasetBundles.create({ ...requestOf(ctx), ...input(args) });
    return {
      title: `Bundle ${r.bundle.symbol} launched`,
      text: `${describe(ctx, r.bundle)} Trade it with /dataset buy symbol:${r.bundle.symbol}; burning its threshold opens every dataset in it.`,
      tone: "success",
      data: { bundle: bundleData(ctx, r.bundle), curve: curveData(r.token) },
    };
  },
});

export const propose = subcommand({
  description: "Propose a bundle of tokenized datasets for stakers to vote on",
  options: bundleOptions,
  async handler(ctx: Ctx, args) {
    const b = await ctx.services.datasetBundles.propose({ ...requestOf(ctx), ...input(args) });
    return {
      title: "Bundle proposed",
      text: `${describe(ctx, b)} CLONES stakers vote with /dataset bundle vote bundle:${b.id}.`,
      tone: "success",
      data: bundleData(ctx, b),
    };
  },
});

export const vote = subcommand({
  description: "Vote yes or no on a bundle proposal, weighted by your CLONES stake",
  personal: true,
  options: {
    bundle: bundleOption,
    yes: { type: "boolean", description: "true for yes, false for no", required: true },
  },
  async handler(ctx: Ctx, args) {
    const b = await ctx.services.datasetBundles.vote({
      ...requestOf(ctx),
      bundleId: args.bundle,
      yes: args.yes,
    });
    return {
      title: "Vote recorded",
      text: `You voted ${args.yes ? "yes" : "no"} on bundle #${b.id}; it weighs your stake when the vote closes (${formatTime(b.votingEndsAt!)}). Voting again replaces it.`,
      tone: "success",
      data: { ...bundleData(ctx, b), yourVote: args.yes },
    };
  },
});

export const veto = subcommand({
  description: "Veto a bundle proposal, with a reason",
  access: "moderator",
  options: {
    bundle: bundleOption,
    reason: { type: "string", description: "Why, for the members to read", required: true, maxLength: 300 },
  },
  async handler(ctx: Ctx, args) {
    const b = await ctx.services.datasetBundles.veto({
      ...requestOf(ctx),
      bundleId: args.bundle,
      reason: args.reason,
    });
    return { title: "Bundle vetoed", text: describe(ctx, b), tone: "success", data: bundleData(ctx, b) };
  },
});

export const list = subcommand({
  description: "Bundles: open proposals, launched, rejected and vetoed",
  async handler(ctx: Ctx) {
    const { window, empty, of } = paging(ctx);
    const { total, rows } = await ctx.services.datasetBundles.list(ctx.services.db.prisma, window);
    if (rows.length === 0)
      return {
        title: "Bundles",
        text: empty("No bundles yet. Propose one with /dataset bundle propose."),
        data: { bundles: [] },
      };
    return {
      ...of(total, "Bundles"),
      text: rows.map((b) => describe(ctx, b)).join("\n"),
      data: { bundles: rows.map((b) => bundleData(ctx, b)) },
    };
  },
});

export const burn = subcommand({
  description: "Burn a bundle's threshold to download every dataset in it",
  personal: true,
  options: { bundle: bundleOption },
  async confirm(ctx: Ctx, args) {
    const token = await ctx.services.datasetBundles.tokenOf(ctx.services.db.prisma, args.bundle);
    return burnConfirm(ctx, token, `every dataset in bundle #${args.bundle}`);
  },
  async handler(ctx: Ctx, args) {
    const token = await ctx.services.datasetBundles.tokenOf(ctx.services.db.prisma, args.bundle);
    return burnHandler(ctx, token, `every dataset in bundle #${args.bundle}`);
  },
});

/** The `bundle` group of /dataset. */
export const bundleGroup = {
  description: "Bundles of tokenized datasets: propose, vote, list, burn",
  subcommands: { propose, vote, list, burn },
};

/** What moderators do with bundles, under /admin bundle so Discord shows it only to them. */
export const bundleModeration = {
  description: "Create a bundle of tokenized datasets, or veto a proposal",
  subcommands: { create, veto },
};
