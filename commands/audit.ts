import { auditLedger } from "#src/ledger/audit.ts";
import { decimalString, formatMoney } from "./_format.ts";
import { command } from "./_kit.ts";

export default command({
  name: "audit",
  description: "Prove the ledger balances: every token sums to zero, every balance matches its entries",
  category: "Moderators",
  access: "moderator",
  async handler(ctx) {
    const report = await auditLedger(ctx.services.db);
    const tokenLines = report.tokens.map((t) => {
      const token = ctx.services.tokens.get(t.token);
      return `${t.token}: ${t.accounts} accounts, sum ${decimalString(t.sumAtoms, token)}, ${formatMoney(t.outsideAtoms, token)} entered from outside`;
    });
    return {
      title: report.ok ? "Ledger audit: clean" : "Ledger audit: PROBLEMS FOUND",
      text: [
        ...(tokenLines.length ? tokenLines : ["No accounts yet."]),
        ...report.problems.map((p) => `⚠ ${p}`),
      ].join("\n"),
      tone: report.ok ? "success" : "error",
      data: {
        ok: report.ok,
        problems: report.problems,
        tokens: report.tokens.map((t) => ({
          token: t.token,
          accounts: t.accounts,
          sum: t.sumAtoms.toString(),
        })),
      },
    };
  },
});
