import { XP_BOOST_CODE } from "#src/economy/pools/reputation.ts";
import { decimalString, formatMoney, formatTime, registerTransferLabels } from "./_format.ts";
import { type Ctx, commandGroup, requestOf, subcommand } from "./_kit.ts";

registerTransferLabels({ [XP_BOOST_CODE]: "burned for an XP boost" });

const boost = subcommand({
  description: "Burn CLONES for an XP multiplier for a while",
  personal: true,
  async confirm(ctx: Ctx) {
    const { config, reputation, db } = ctx.services;
    await reputation.boostPreview(db.prisma, ctx.actor);
    return {
      title: "Buy an XP boost?",
      text: `Burn ${config.XP_BOOST_PRICE} CLONES (gone for good) for ×${config.XP_BOOST_MULTIPLIER} XP on accepted demonstrations for ${config.XP_BOOST_HOURS} hours? A boost bought while one runs extends it.`,
    };
  },
  async handler(ctx: Ctx) {
    const { reputation, tokens, config } = ctx.services;
    const r = await reputation.boost(requestOf(ctx));
    const clones = tokens.get("CLONES");
    return {
      title: "XP boost on",
      text: `${formatMoney(r.burnedAtoms, clones)} burned. Accepted demonstrations earn ×${config.XP_BOOST_MULTIPLIER} XP until ${formatTime(r.until)}.`,
      tone: "success",
      data: { burned: decimalString(r.burnedAtoms, clones), until: r.until.toISOString() },
    };
  },
});

export default commandGroup({
  name: "xp",
  description: "Experience points: boost them by burning CLONES",
  category: "Factories",
  subcommands: { boost },
});
