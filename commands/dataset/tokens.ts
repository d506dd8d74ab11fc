// /dataset launch, quote, buy, sell, burn: a dataset's token on its bonding curve
// (docs/economy.md sections 10.2 to 10.4). Money moves only after a preview's Confirm.
import { DATASET_CODES, datasetTokenInfo } from "#src/dataset-tokens/accounts.ts";
import type { TradeResult } from "#src/dataset-tokens/dataset-tokens.ts";
import { priceOf, priceText } from "#src/dataset-tokens/figures.ts";
import type { DatasetTokenRow } from "#src/dataset-tokens/rows.ts";
import { parsePositiveAmount } from "#src/ledger/amount.ts";
import { decimalString, formatMoney, registerTransferLabels } from "../_format.ts";
import { type Ctx, requestOf, subcommand } from "../_kit.ts";

registerTransferLabels({
  [DATASET_CODES.launchFee]: "dataset token launch fee",
  [DATASET_CODES.mint]: "dataset token minted to its curve",
  [DATASET_CODES.allocation]: "dataset token allocation",
  [DATASET_CODES.buy]: "dataset token bought on its curve",
  [DATASET_CODES.sell]: "dataset token sold to its curve",
  [DATASET_CODES.fee]: "dataset token volume fee",
  [DATASET_CODES.feeRemainder]: "dataset token volume fee (rounding)",
  [DATASET_CODES.burn]: "dataset token burned for download access",
});

const symbolOption = {
  type: "string",
  description: "The token's symbol, e.g. WEBNAV (/dataset market lists them)",
  required: true,
  maxLength: 12,
} as const;

const tokenOf = (_ctx: Ctx, symbol: string) => datasetTokenInfo(symbol);
const clonesOf = (ctx: Ctx) => ctx.services.tokens.get("CLONES");
const bps = (value: number) => `${(value / 100).toFixed(2).replace(/\.?0+$/, "")}%`;

/** The curve's figures for `data`: C, T, R, price, burned. */
export function curveData(token: DatasetTokenRow) {
  return {
    symbol: token.symbol,
    clones: decimalString(token.state.clones, { decimals: 9 }),
    tokens: decimalString(token.state.tokens, { decimals: 6 }),
    curveTokens: decimalString(token.state.realTokens, { decimals: 6 }),
    curveClones: decimalString(token.state.clones - token.params.initialClones, { decimals: 9 }),
    burned: decimalString(token.burnedAtoms, { decimals: 6 }),
    price: priceText(priceOf(token.state)),
  };
}

export const launch = subcommand({
  description: "Launch your factory's dataset token on a bonding curve",
  personal: true,
  options: {
    factory: { type: "integer", description: "Your factory's number", required: true, minValue: 1 },
    symbol: {
      type: "string",
      description: "3 to 10 capital letters or digits, e.g. WEBNAV",
      required: true,
      maxLength: 12,
    },
    threshold: {
      type: "integer",
      description: "Burn-to-download threshold in basis points, 10 to 1000 (100 = 1%)",
      minValue: 10,
      maxValue: 1000,
    },
  },
  async confirm(ctx: Ctx, args) {
    const plan = await ctx.services.datasetTokens.launchPreview(ctx.services.db.prisma, ctx.actor, {
      factoryId: args.factory,
      symbol: args.symbol,
      thresholdBps: args.threshold ?? 100,
    });
    const clones = clonesOf(ctx);
    const t = { symbol: plan.symbol, decimals: 6 };
    const fees = plan.fees
      .map((f) => formatMoney(f.amountAtoms, ctx.services.tokens.get(f.token)))
      .join(" and ");
    return {
      title: `Launch ${plan.symbol}?`,
      text:
        `Launch ${plan.symbol} for factory #${plan.factoryId} (${plan.acceptedDemonstrations} accepted demonstrations)? ` +
        `The fee is ${fees || "nothing"}, to the protocol. Supply: 1,000,000,000 ${plan.symbol}, fixed. ` +
        `You receive ${formatMoney(plan.allocationAtoms, t)} (the burn threshold of ${bps(plan.thresholdBps)}: one download access); ` +
        `the curve sells the other ${formatMoney(plan.curveTokensAtoms, t)}, starting at ${priceText(priceOf({ clones: plan.initialClones, tokens: plan.initialTokens }))} CLONES per token. ` +
        `A first buy of ${formatMoney(plan.sampleBuy.payAtoms, clones)} would give ${formatMoney(plan.sampleBuy.tokensOut, t)}. ` +
        "You earn 0.25% of every trade, for good. A dataset launches once.",
    };
  },
  async handler(ctx: Ctx, args) {
    const { plan, token } = await ctx.services.datasetTokens.launch({
      ...requestOf(ctx),
      factoryId: args.factory,
      symbol: args.symbol,
      thresholdBps: args.threshold ?? 100,
    });
    const t = { symbol: token.symbol, decimals: 6 };
    return {
      title: `${token.symbol} launched`,
      text: `${token.symbol} is live on its curve at ${priceText(priceOf(token.state))} CLONES per token. ${formatMoney(plan.allocationAtoms, t)} are yours. Members buy with /dataset buy symbol:${token.symbol}.`,
      tone: "success",
      data: {
        ...curveData(token),
        factory: plan.factoryId,
        threshold: plan.thresholdBps,
        allocation: decimalString(plan.allocationAtoms, t),
        fees: plan.fees.map((f) => ({
          token: f.token,
          amount: decimalString(f.amountAtoms, ctx.services.tokens.get(f.token)),
        })),
      },
    };
  },
});

export const quote = subcommand({
  description: "What a buy or sell on a dataset token's curve would give now",
  options: {
    symbol: symbolOption,
    side: {
      type: "string",
      description: "buy (pay CLONES) or sell (give tokens)",
      required: true,
      choices: [
        { name: "buy", value: "buy" },
        { name: "sell", value: "sell" },
      ],
    },
    amount: { type: "amount", description: "CLONES to pay (buy) or tokens to sell", required: true },
  },
  async handler(ctx: Ctx, args) {
    const { datasetTokens, db } = ctx.services;
    const token = await datasetTokens.bySymbol(db.prisma, args.symbol);
    const t = tokenOf(ctx, token.symbol);
    const clones = clonesOf(ctx);
    if (args.side === "buy") {
      const payAtoms = parsePositiveAmount(args.amount, clones);
      const q = datasetTokens.requireBuy(token, payAtoms);
      return {
        title: `Quote: buy ${token.symbol}`,
        text: `${formatMoney(payAtoms, clones)} would buy ${formatMoney(q.tokensOut, t)} now (fee ${formatMoney(q.feeAtoms, clones)} to the creator). The price would move from ${priceText(priceOf(token.state))} to ${priceText(priceOf(q.after))} CLONES.`,
        data: {
          side: "buy",
          pay: decimalString(payAtoms, clones),
          fee: decimalString(q.feeAtoms, clones),
          receive: decimalString(q.tokensOut, t),
          priceAfter: priceText(priceOf(q.after)),
        },
      };
    }
    const tokensIn = parsePositiveAmount(args.amount, t);
    const q = datasetTokens.requireSell(token, tokensIn);
    return {
      title: `Quote: sell ${token.symbol}`,
      text: `${formatMoney(tokensIn, t)} would sell for ${formatMoney(q.proceedsAtoms, clones)} now (fee ${formatMoney(q.feeAtoms, clones)} to the creator). The price would move from ${priceText(priceOf(token.state))} to ${priceText(priceOf(q.after))} CLONES.`,
      data: {
        side: "sell",
        sell: decimalString(tokensIn, t),
        fee: decimalString(q.feeAtoms, clones),
        receive: decimalString(q.proceedsAtoms, clones),
        priceAfter: priceText(priceOf(q.after)),
      },
    };
  },
});

function tradeReply(ctx: Ctx, r: TradeResult) {
  const t = tokenOf(ctx, r.symbol);
  const clones = clonesOf(ctx);
  const price = priceText(priceOf(r.token.state));
  if (r.side === "buy")
    return {
      title: `Bought ${r.symbol}`,
      text: `You paid ${formatMoney(r.payAtoms, clones)} (fee ${formatMoney(r.feeAtoms, clones)}) and received ${formatMoney(r.tokensOut, t)}. Price now: ${price} CLONES.`,
      tone: "success" as const,
      data: {
        ...curveData(r.token),
        paid: decimalString(r.payAtoms, clones),
        fee: decimalString(r.feeAtoms, clones),
        received: decimalString(r.tokensOut, t),
      },
    };
  return {
    title: `Sold ${r.symbol}`,
    text: `You sold ${formatMoney(r.tokensIn, t)} and received ${formatMoney(r.proceedsAtoms, clones)} (fee ${formatMoney(r.feeAtoms, clones)}). Price now: ${price} CLONES.`,
    tone: "success" as const,
    data: {
      ...curveData(r.token),
      sold: decimalString(r.tokensIn, t),
      fee: decimalString(r.feeAtoms, clones),
      received: decimalString(r.proceedsAtoms, clones),
    },
  };
}

export const buy = subcommand({
  description: "Buy a dataset token with CLONES on its curve",
  personal: true,
  options: {
    symbol: symbolOption,
    amount: { type: "amount", description: "CLONES to pay, fee included", required: true },
    min_out: { type: "amount", description: "The fewest tokens you accept; less refuses the buy" },
  },
  async confirm(ctx: Ctx, args) {
    const clones = clonesOf(ctx);
    const payAtoms = parsePositiveAmount(args.amount, clones);
    const found = await ctx.services.datasetTokens.bySymbol(ctx.services.db.prisma, args.symbol);
    const t = tokenOf(ctx, found.symbol);
    const minOut = args.min_out === undefined ? undefined : parsePositiveAmount(args.min_out, t);
    const { quote: q } = await ctx.services.datasetTokens.buyPreview(ctx.services.db.prisma, ctx.actor, {
      symbol: found.symbol,
      payAtoms,
      ...(minOut === undefined ? {} : { minOut }),
    });
    return {
      title: `Buy ${found.symbol}?`,
      text:
        `Pay ${formatMoney(payAtoms, clones)} (fee ${formatMoney(q.feeAtoms, clones)} to the creator) for about ${formatMoney(q.tokensOut, t)}? ` +
        `The price moves from ${priceText(priceOf(found.state))} to ${priceText(priceOf(q.after))} CLONES. ` +
        (minOut === undefined
          ? "Add min_out to refuse the buy if the price moves against you first."
          : `It is refused if it would give less than ${formatMoney(minOut, t)}.`),
    };
  },
  async handler(ctx: Ctx, args) {
    const clones = clonesOf(ctx);
    const found = await ctx.services.datasetTokens.bySymbol(ctx.services.db.prisma, args.symbol);
    const minOut =
      args.min_out === undefined ? undefined : parsePositiveAmount(args.min_out, tokenOf(ctx, found.symbol));
    const r = await ctx.services.datasetTokens.buy({
      ...requestOf(ctx),
      symbol: found.symbol,
      payAtoms: parsePositiveAmount(args.amount, clones),
      ...(minOut === undefined ? {} : { minOut }),
    });
    return tradeReply(ctx, r);
  },
});

export const sell = subcommand({
  description: "Sell a dataset token back to its curve for CLONES",
  personal: true,
  options: {
    symbol: symbolOption,
    amount: { type: "amount", description: "Tokens to sell", required: true },
    min_out: { type: "amount", description: "The fewest CLONES you accept; less refuses the sell" },
  },
  async confirm(ctx: Ctx, args) {
    const clones = clonesOf(ctx);
    const found = await ctx.services.datasetTokens.bySymbol(ctx.services.db.prisma, args.symbol);
    const t = tokenOf(ctx, found.symbol);
    const tokensIn = parsePositiveAmount(args.amount, t);
    const minOut = args.min_out === undefined ? undefined : parsePositiveAmount(args.min_out, clones);
    const { quote: q } = await ctx.services.datasetTokens.sellPreview(ctx.services.db.prisma, ctx.actor, {
      symbol: found.symbol,
      tokensIn,
      ...(minOut === undefined ? {} : { minOut }),
    });
    return {
      title: `Sell ${found.symbol}?`,
      text:
        `Sell ${formatMoney(tokensIn, t)} for about ${formatMoney(q.proceedsAtoms, clones)} (fee ${formatMoney(q.feeAtoms, clones)} to the creator)? ` +
        `The price moves from ${priceText(priceOf(found.state))} to ${priceText(priceOf(q.after))} CLONES. ` +
        (minOut === undefined
          ? "Add min_out to refuse the sell if the price moves against you first."
          : `It is refused if it would give less than ${formatMoney(minOut, clones)}.`),
    };
  },
  async handler(ctx: Ctx, args) {
    const clones = clonesOf(ctx);
    const found = await ctx.services.datasetTokens.bySymbol(ctx.services.db.prisma, args.symbol);
    const minOut = args.min_out === undefined ? undefined : parsePositiveAmount(args.min_out, clones);
    const r = await ctx.services.datasetTokens.sell({
      ...requestOf(ctx),
      symbol: found.symbol,
      tokensIn: parsePositiveAmount(args.amount, tokenOf(ctx, found.symbol)),
      ...(minOut === undefined ? {} : { minOut }),
    });
    return tradeReply(ctx, r);
  },
});

/** Burns a token's threshold for download access: a dataset's (by factory) or a bundle's. */
export async function burnConfirm(ctx: Ctx, token: DatasetTokenRow, what: string) {
  const { amountAtoms } = await ctx.services.datasetBurns.preview(ctx.services.db.prisma, ctx.actor, token);
  return {
    title: `Burn ${token.symbol}?`,
    text: `Burn ${formatMoney(amountAtoms, tokenOf(ctx, token.symbol))} (gone for good) to download ${what}, every version present and future? One burn per member.`,
  };
}

export async function burnHandler(ctx: Ctx, token: DatasetTokenRow, what: string) {
  const r = await ctx.services.datasetBurns.burn({ ...requestOf(ctx), symbol: token.symbol });
  const t = tokenOf(ctx, token.symbol);
  return {
    title: "Download access granted",
    text: `${formatMoney(r.amountAtoms, t)} burned. You may download ${what} for good.`,
    tone: "success" as const,
    data: {
      ...curveData(r.token),
      burnedNow: decimalString(r.amountAtoms, t),
      circulating: decimalString(r.token.params.supplyAtoms - r.token.burnedAtoms, t),
    },
  };
}

export const burn = subcommand({
  description: "Burn a dataset's threshold of its token to download it for good",
  personal: true,
  options: { factory: { type: "integer", description: "The factory's number", required: true, minValue: 1 } },
  async confirm(ctx: Ctx, args) {
    const token = await ctx.services.datasetTokens.byFactory(ctx.services.db.prisma, args.factory);
    return burnConfirm(ctx, token, `factory #${args.factory}'s dataset`);
  },
  async handler(ctx: Ctx, args) {
    const token = await ctx.services.datasetTokens.byFactory(ctx.services.db.prisma, args.factory);
    return burnHandler(ctx, token, `factory #${args.factory}'s dataset`);
  },
});
