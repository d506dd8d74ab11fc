import { formatCount, formatTime } from "./_format.ts";
import { command } from "./_kit.ts";

export default command({
  name: "reputation",
  description: "Your reputation (0-100), what it is made of, and your XP",
  category: "Factories",
  personal: true,
  options: { user: { type: "user", description: "Someone else's" } },
  async handler(ctx, args) {
    const userId = args.user?.userId ?? ctx.actor.userId;
    const r = await ctx.services.reputation.of(ctx.services.db.prisma, userId, ctx.now);
    const boost = r.boost ? `\nXP boost: ×${r.boost.multiplier} until ${formatTime(r.boost.until)}` : "";
    return {
      title: `Reputation ${r.reputation}/100`,
      text:
        `Quality (recent first): ${r.parts.quality}/100 — half of it\n` +
        `Accepted: ${r.accepted} of ${r.graded} graded (${r.parts.acceptance}%)\n` +
        `Consistency (active days this month): ${r.parts.consistency}/100\n` +
        `Speed (efficiency): ${r.parts.speed}/100\n` +
        `Inactivity factor: ${r.parts.decay} (reputation decays after a week without submissions)\n` +
        `XP: ${formatCount(r.xp)}${boost}`,
      data: {
        reputation: r.reputation,
        parts: r.parts,
        xp: r.xp.toString(),
        graded: r.graded,
        accepted: r.accepted,
      },
    };
  },
});
