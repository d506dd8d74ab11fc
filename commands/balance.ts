import { decimalString, formatMoney } from "./_format.ts";
import { command } from "./_kit.ts";

export default command({
  name: "balance",
  description: "Show your balances",
  category: "Money",
  personal: true,
  options: {
    token: { type: "token", description: "Only this token" },
  },
  async handler(ctx, args) {
    const { funds, tokens } = ctx.services;
    const all = await funds.balances(ctx.services.db.prisma, ctx.actor.userId);
    const shown = all.filter(
      (a) =>
        (!args.token || a.token === args.token.symbol) && (a.balanceAtoms !== 0n || a.pendingAtoms !== 0n),
    );
    if (shown.length === 0) {
      return {
        text: args.token ? `You hold no ${args.token.symbol}.` : "You have no balance yet.",
        data: { balances: [] },
      };
    }
    const lines = shown.map((a) => {
      const token = tokens.get(a.token);
      const purpose = a.purpose === "main" ? "" : ` (${a.purpose})`;
      const reserved = a.pendingAtoms > 0n ? `, ${formatMoney(a.pendingAtoms, token)} reserved` : "";
      return `${formatMoney(a.balanceAtoms, token)}${purpose}${reserved}`;
    });
    return {
      title: "Your balances",
      text: lines.join("\n"),
      data: {
        balances: shown.map((a) => {
          const token = tokens.get(a.token);
          return {
            token: a.token,
            purpose: a.purpose,
            balance: decimalString(a.balanceAtoms, token),
            reserved: decimalString(a.pendingAtoms, token),
            available: decimalString(a.availableAtoms, token),
          };
        }),
      },
    };
  },
});
