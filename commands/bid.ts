import { parsePositiveAmount } from "#src/ledger/amount.ts";
import { countOf, formatMoney } from "./_format.ts";
import { type Ctx, commandGroup, requestOf, subcommand } from "./_kit.ts";
import { factoryData } from "./_pools.ts";
import { suggestFactories } from "./_suggest.ts";
import { bidHistoryText } from "./factory.ts";

const factoryOption = {
  factory: {
    type: "integer",
    description: "The factory's number, e.g. 3",
    required: true,
    minValue: 1,
    autocomplete: suggestFactories,
  },
} as const;

const set = subcommand({
  description: "Change your factory's bid (new submissions only)",
  options: {
    ...factoryOption,
    bid: { type: "amount", description: "The new most paid per demonstration, e.g. 0.3", required: true },
  },
  async handler(ctx: Ctx, args) {
    const { factories, db, tokens } = ctx.services;
    const found = await factories.find(db.prisma, args.factory);
    const token = tokens.get(found.token);
    const f = await factories.setBid({
      ...requestOf(ctx),
      factoryId: found.id,
      bidAtoms: parsePositiveAmount(args.bid, token),
    });
    return {
      title: `Factory #${f.id}: bid ${formatMoney(f.bidAtoms, token)}`,
      text: `New submissions reserve ${formatMoney(f.bidAtoms, token)}; those already queued keep their bid. The unreserved ${formatMoney(f.availableAtoms, token)} funds ${countOf(f.fundedDemonstrations, "demonstration")}.`,
      tone: "success",
      data: { factory: factoryData(ctx.services, f) },
    };
  },
});

const history = subcommand({
  description: "Every bid a factory has had",
  options: factoryOption,
  handler: (ctx: Ctx, args) => bidHistoryText(ctx, args.factory),
});

export default commandGroup({
  name: "bid",
  description: "Set your factory's bid and see its history",
  category: "Factories",
  subcommands: { set, history },
});
