import { literal } from "#src/core/markup.ts";
import { submissionStatus } from "#src/economy/pools/statuses.ts";
import { decimalString, formatMoney, formatTime } from "./_format.ts";
import { type Ctx, command, paging } from "./_kit.ts";

/** /scores and /payouts: the same list, told as grades or as money. */
export async function submissionsPage(ctx: Ctx, as: "scores" | "payouts") {
  const { submissions, tokens, db } = ctx.services;
  const paged = paging(ctx);
  const { items, total } = await submissions.listFor(db.prisma, ctx.actor.userId, paged.window);
  if (items.length === 0)
    return {
      text: paged.empty("You have submitted no demonstrations yet. /bids shows where to start."),
      data: { items: [] },
    };
  const lines = items.map((s) => {
    const token = tokens.get(s.factory.token);
    const atoms = (d: { toFixed(): string } | null) => (d ? BigInt(d.toFixed()) : 0n);
    const head = `#${s.id} ${formatTime(s.createdAt)} factory #${s.factoryId} "${literal(s.factory.name)}", task "${literal(s.task.title)}"`;
    if (submissionStatus(s) !== "settled") return `${head}: ${s.status.replace("_", " ")}`;
    if (as === "scores") {
      const g = s.grade as {
        breakdown?: { outcome: number; process: number; efficiency: number };
        grader?: string;
      } | null;
      const parts = g?.breakdown
        ? ` (outcome ${g.breakdown.outcome}/60, process ${g.breakdown.process}/30, efficiency ${g.breakdown.efficiency}/10, ${g.grader})`
        : "";
      return `${head}: **${s.score}/100**${parts}`;
    }
    return `${head}: paid ${formatMoney(atoms(s.farmerAtoms), token)} (reward ${formatMoney(atoms(s.rewardAtoms), token)}, fee ${formatMoney(atoms(s.feeAtoms), token)}, ${formatMoney(atoms(s.refundAtoms), token)} back to the pool)`;
  });
  return {
    ...paged.of(total, `Your ${as}`),
    text: lines.join("\n"),
    data: {
      items: items.map((s) => {
        const token = tokens.get(s.factory.token);
        const d = (v: { toFixed(): string } | null) => (v ? decimalString(BigInt(v.toFixed()), token) : null);
        return {
          id: s.id,
          factoryId: s.factoryId,
          status: s.status,
          score: s.score,
          token: s.factory.token,
          reward: d(s.rewardAtoms),
          fee: d(s.feeAtoms),
          farmer: d(s.farmerAtoms),
          refund: d(s.refundAtoms),
        };
      }),
    },
  };
}

/**
 * Notices no platform could deliver (a grade after the interaction expired and with DMs closed, a
 * moderator's credit, a refund) come first on the first page of /scores, and are then marked seen.
 */
async function withUnseenNotices(ctx: Ctx, page: Awaited<ReturnType<typeof submissionsPage>>) {
  if (ctx.page > 1) return page;
  const unseen = await ctx.services.notices.takeUnseen(ctx.services.db.prisma, ctx.actor.userId, ctx.now);
  if (unseen.length === 0) return page;
  const lines = unseen.map(
    (n) => `• ${formatTime(n.createdAt)} ${n.title ? `**${literal(n.title)}**: ` : ""}${n.text}`,
  );
  const heading = `**Not seen yet** (${unseen.length === 1 ? "a message" : `${unseen.length} messages`} we could not deliver):`;
  return {
    ...page,
    text: `${heading}\n${lines.join("\n")}\n\n${page.text}`,
    data: {
      ...page.data,
      unseen: unseen.map((n) => ({ id: n.id, title: n.title, text: n.text, at: n.createdAt.toISOString() })),
    },
  };
}

export default command({
  name: "scores",
  description: "Your demonstrations and their quality scores, and messages you have not seen",
  category: "Factories",
  personal: true,
  handler: async (ctx) => withUnseenNotices(ctx, await submissionsPage(ctx, "scores")),
});
