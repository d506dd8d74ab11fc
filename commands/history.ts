import { decimalString, formatMoney, formatTime, signedMoney, transferLabel } from "./_format.ts";
import { command, paging } from "./_kit.ts";

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
    const paged = paging(ctx);
    const page = await funds.history(ctx.services.db.prisma, ctx.actor.userId, {
      ...paged.window,
      ...(args.token ? { token: args.token.symbol } : {}),
    });
    if (page.lines.length === 0) {
      return {
        text: paged.empty("Nothing has moved on your balances yet."),
        data: { lines: [] },
      };
    }
    return {
      ...paged.of(page.total, `Your history${args.token ? ` (${args.token.symbol})` : ""}`),
      text: page.lines
        .map((line) => {
          const token = tokens.get(line.token);
          const what = line.memo ? `${transferLabel(line.code)}: ${line.memo}` : transferLabel(line.code);
          return `${formatTime(line.createdAt)}  ${signedMoney(line.deltaAtoms, token)}  ${what}  (balance ${formatMoney(line.balanceAfterAtoms, token)})`;
        })
        .join("\n"),
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
