import { requireOwner } from "#src/economy/pools/factory-access.ts";
import type { FundingBreakdown } from "#src/economy/pools/pool-math.ts";
import { POOL_CODES, poolWithdrawalAtoms } from "#src/economy/pools/pool-money.ts";
import { PAYOUT_CODES } from "#src/economy/pools/settlement.ts";
import { parsePositiveAmount } from "#src/ledger/amount.ts";
import type { Services } from "#src/services.ts";
import { COMMISSION_LABELS, countOf, decimalString, formatMoney, registerTransferLabels } from "./_format.ts";
import { type Ctx, commandGroup, requestOf, subcommand } from "./_kit.ts";
import { factoryData } from "./_pools.ts";
import { suggestFactories } from "./_suggest.ts";

registerTransferLabels({
  [POOL_CODES.fund]: "factory pool funded",
  [POOL_CODES.fee]: "platform fee on a pool deposit",
  [POOL_CODES.setupFee]: "factory setup fee",
  [POOL_CODES.withdraw]: "withdrawn from a factory pool",
  [POOL_CODES.reserve]: "bid reserved for a demonstration",
  [PAYOUT_CODES.farmer]: "reward for a demonstration",
  [PAYOUT_CODES.fee]: "platform fee on a reward",
  [PAYOUT_CODES.refund]: "unpaid part of a bid, back to the pool",
  ...COMMISSION_LABELS,
});

const options = {
  factory: {
    type: "integer",
    description: "The factory's number, e.g. 3",
    required: true,
    minValue: 1,
    autocomplete: suggestFactories,
  },
  amount: { type: "amount", description: "How much to deposit, in the factory's token", required: true },
} as const;

function breakdownLines(services: Services, token: string, b: FundingBreakdown, bidAtoms: bigint): string[] {
  const t = services.tokens.get(token);
  const m = (atoms: bigint) => formatMoney(atoms, t);
  const lines = [`Deposit: ${m(b.depositAtoms)} from your balance`];
  if (b.setupFeeFromDepositAtoms > 0n)
    lines.push(`Setup fee (once): ${m(b.setupFeeFromDepositAtoms)}, taken from the deposit`);
  if (b.setupFeeSeparate)
    lines.push(
      `Setup fee (once): ${formatMoney(b.setupFeeSeparate.atoms, services.tokens.get(b.setupFeeSeparate.token))}, charged separately from your ${b.setupFeeSeparate.token} balance`,
    );
  if (b.platformFeeAtoms > 0n) lines.push(`Platform fee: ${m(b.platformFeeAtoms)}`);
  lines.push(
    `Into the pool: **${m(b.poolAtoms)}** = ${countOf(bidAtoms > 0n ? b.poolAtoms / bidAtoms : 0n, "demonstration")} at the ${m(bidAtoms)} bid`,
  );
  return lines;
}

function breakdownData(services: Services, token: string, b: FundingBreakdown) {
  const t = services.tokens.get(token);
  return {
    token,
    deposit: decimalString(b.depositAtoms, t),
    setupFee: b.setupFeeSeparate
      ? {
          amount: decimalString(b.setupFeeSeparate.atoms, services.tokens.get(b.setupFeeSeparate.token)),
          token: b.setupFeeSeparate.token,
          separate: true,
        }
      : { amount: decimalString(b.setupFeeFromDepositAtoms, t), token, separate: false },
    platformFee: decimalString(b.platformFeeAtoms, t),
    pool: decimalString(b.poolAtoms, t),
  };
}

const fund = subcommand({
  description: "Fund (or top up) your factory's pool from your balance",
  options,
  async confirm(ctx: Ctx, args) {
    const { factories, db, tokens } = ctx.services;
    const f = await factories.find(db.prisma, args.factory);
    const amountAtoms = parsePositiveAmount(args.amount, tokens.get(f.token));
    const { factory, breakdown } = await factories.fundPreview(db.prisma, {
      actor: ctx.actor,
      factoryId: f.id,
      amountAtoms,
    });
    return {
      title: `Fund factory #${factory.id}?`,
      text: `${breakdownLines(ctx.services, factory.token, breakdown, factory.bidAtoms).join("\n")}\nPolicy: ${factory.terms.policy}. Fees are not refunded.`,
      data: {
        breakdown: breakdownData(ctx.services, factory.token, breakdown),
        demonstrations: (breakdown.poolAtoms / factory.bidAtoms).toString(),
      },
    };
  },
  async handler(ctx: Ctx, args) {
    const { factories, db, tokens } = ctx.services;
    const f = await factories.find(db.prisma, args.factory);
    const amountAtoms = parsePositiveAmount(args.amount, tokens.get(f.token));
    const { breakdown, factory } = await factories.fund({
      ...requestOf(ctx),
      factoryId: f.id,
      amountAtoms,
    });
    return {
      title: `Factory #${factory.id} funded`,
      text: `${breakdownLines(ctx.services, factory.token, breakdown, factory.bidAtoms).join("\n")}\nThe pool now holds ${formatMoney(factory.balanceAtoms, tokens.get(factory.token))}: ${countOf(factory.fundedDemonstrations, "demonstration")} at the current bid.`,
      tone: "success",
      data: {
        breakdown: breakdownData(ctx.services, factory.token, breakdown),
        factory: factoryData(ctx.services, factory),
      },
    };
  },
});

const withdraw = subcommand({
  description: "Take back the unreserved balance of your paused or closed factory",
  options: {
    factory: options.factory,
    amount: { type: "amount", description: "How much (default: everything unreserved)" },
  },
  async confirm(ctx: Ctx, args) {
    const { factories, db, tokens } = ctx.services;
    const f = await factories.view(db.prisma, args.factory);
    requireOwner(ctx.actor, f, "withdraw from");
    const token = tokens.get(f.token);
    // Offer to confirm only what the pool can give back now.
    const amountAtoms = poolWithdrawalAtoms(
      { id: f.id, live: f.status === "live" || f.status === "out_of_funds" },
      f.availableAtoms,
      args.amount ? parsePositiveAmount(args.amount, token) : undefined,
      token,
    );
    return {
      title: `Withdraw from factory #${f.id}?`,
      text: `Move ${formatMoney(amountAtoms, token)} from factory #${f.id}'s pool to the creator's balance? Reserved bids (${formatMoney(f.reservedAtoms, token)}) stay until they are graded or expire.`,
      data: { amount: decimalString(amountAtoms, token), token: f.token },
    };
  },
  async handler(ctx: Ctx, args) {
    const { factories, db, tokens } = ctx.services;
    const f = await factories.find(db.prisma, args.factory);
    const token = tokens.get(f.token);
    const { amountAtoms, factory } = await factories.withdraw({
      ...requestOf(ctx),
      factoryId: f.id,
      ...(args.amount ? { amountAtoms: parsePositiveAmount(args.amount, token) } : {}),
    });
    return {
      title: `Withdrawn from factory #${factory.id}`,
      text: `${formatMoney(amountAtoms, token)} moved to the creator's balance; the pool keeps ${formatMoney(factory.balanceAtoms, token)} (${formatMoney(factory.reservedAtoms, token)} reserved).`,
      tone: "success",
      data: { amount: decimalString(amountAtoms, token), factory: factoryData(ctx.services, factory) },
    };
  },
});

export default commandGroup({
  name: "pool",
  description: "Fund your factory's pool, or withdraw what is unreserved",
  category: "Factories",
  subcommands: { fund, withdraw },
});
