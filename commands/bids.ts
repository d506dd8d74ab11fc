import { literal } from "#src/core/markup.ts";
import { formatMoney } from "./_format.ts";
import { command } from "./_kit.ts";
import { accessWords, factoryData } from "./_pools.ts";

export default command({
  name: "bids",
  description: "Pools you can earn from now, best bid first",
  category: "Factories",
  async handler(ctx) {
    const { factories, reputation, db, tokens } = ctx.services;
    const rep = await reputation.of(db.prisma, ctx.actor.userId, ctx.now);
    const board = await factories.board(db.prisma, rep.accessReputation);
    if (board.length === 0)
      return {
        text: "No pool is open with money right now. Check again later.",
        data: { pools: [], reputation: rep.reputation },
      };
    const text = board
      .map((f) => {
        const token = tokens.get(f.token);
        const limits = [
          accessWords(f),
          f.limits.limitPerFarmerTask ? `${f.limits.limitPerFarmerTask} per task each` : "",
          f.limits.limitPerDay ? `${f.limits.limitPerDay}/day` : "",
        ].filter(Boolean);
        return (
          `#${f.id} **${literal(f.name)}**: up to ${formatMoney(f.bidAtoms, token)} per demonstration, ${f.fundedDemonstrations} left` +
          `${limits.length ? ` (${limits.join(", ")})` : ""}\n` +
          f.tasks.map((t) => `  • ${literal(t.ref)}: ${literal(t.title)} in ${literal(t.app)}`).join("\n")
        );
      })
      .join("\n");
    return {
      title: "Open pools",
      text: `${text}\nRecord a task, then /submit factory:<number> file:<your recording>. Your reputation: ${rep.reputation}.`,
      data: { pools: board.map((f) => factoryData(ctx.services, f)), reputation: rep.reputation },
    };
  },
});
