import { decimalString, formatMoney, formatTime, signedMoney, transferLabel } from "./_format.ts";
import { command } from "./_kit.ts";

const PAGE_SIZE = 10;

export default command({
  name: "history",
  description: "Show the movements of your balances, newest first",
  category: "Money",
  personal: true,
  options: {
    token: { type: "token", description: "Only this token" },
  },
  async handler(ctx, args) {
    const { funds, tokens } = ctx.services;
    const page = await funds.history(ctx.services.db.prisma, ctx.actor.userId, {
      limit: PAGE_SIZE,
      offset: (ctx.page - 1) * PAGE_SIZE,
      ...(args.token ? { token: args.token.symbol } : {}),
    });
    if (page.lines.length === 0) {
      return {
        text: ctx.page > 1 ? "There is nothing further back." : "Nothing has moved on your balances yet.",
        data: { lines: [] },
      };
    }
    const total = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
    return {
      title: `Your history${args.token ? ` (${args.token.symbol})` : ""} — page ${ctx.page} of ${total}`,
      text: page.lines
        .map((line) => {
          const token = tokens.get(line.token);
          const what = line.memo ? `${transferLabel(line.code)}: ${line.memo}` : transferLabel(line.code);
          return `${formatTime(line.createdAt)}  ${signedMoney(line.deltaAtoms, token)}  ${what}  (balance ${formatMoney(line.balanceAfterAtoms, token)})`;
        })
        .join("\n"),
      page: { current: ctx.page, total },
      data: {
        lines: page.lines.map((line) => {
          const token = tokens.get(line.token);
          return {
            at: line.createdAt.toISOString(),
            token: line.token,
            amount: decimalString(line.deltaAtoms, token),
            balanceAfter: decimalString(line.balanceAfterAtoms, token),
            code: line.code,
            memo: line.memo,
          };
        }),
      },
    };
  },
});
