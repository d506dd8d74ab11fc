import { EXPERIENCE_FULL_XP, TRACK_RECORD_MIN_GRADED } from "#src/economy/pools/reputation.ts";
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
    const track =
      r.graded >= TRACK_RECORD_MIN_GRADED
        ? "It counts for premium factories."
        : `It counts for premium factories after ${TRACK_RECORD_MIN_GRADED} graded demonstrations (you have ${r.graded}).`;
    return {
      title: `Reputation ${r.reputation}/100`,
      text:
        `Quality (recent first): ${r.parts.quality}/100 — 40% of it\n` +
        `Accepted: ${r.accepted} of ${r.graded} graded (${r.parts.acceptance}%) — 20%\n` +
        `Consistency (${r.activeDays} active days this month, longest streak ${r.streakDays}): ${r.parts.consistency}/100 — 15%\n` +
        `Speed (recording time against the task's median, ${r.timed} compared): ${r.parts.speed}/100 — 15%\n` +
        `Experience (XP, full at ${EXPERIENCE_FULL_XP}): ${r.parts.experience}/100 — 10%\n` +
        `Inactivity factor: ${r.parts.decay} (reputation decays after a week without submissions)\n` +
        `XP: ${formatCount(r.xp)}, level ${r.level}${boost}\n${track}`,
      data: {
        reputation: r.reputation,
        parts: r.parts,
        xp: r.xp.toString(),
        graded: r.graded,
        countsForAccess: r.graded >= TRACK_RECORD_MIN_GRADED,
        level: r.level,
        accepted: r.accepted,
      },
    };
  },
});
