import { expect, it } from "vitest";
import { describeConsole } from "#test/helpers/console.ts";

describeConsole(
  "moderators credit and debit through the console",
  (get) => {
    it("credits, shows the balance and history, and debits", async () => {
      const records = await get().run(`
        @bob /balance
        @alice /admin credit user:@bob amount:"1,000.5" token:USDC reason:"grant"
        @bob /balance
        @alice /admin debit user:@bob amount:0.5 token:usdc reason:"correction"
        @bob /history
      `);
      expect(records.map((r) => [r.user, r.code])).toEqual([
        ["bob", "ok"],
        ["alice", "ok"],
        ["bob", "ok"],
        ["alice", "ok"],
        ["bob", "ok"],
      ]);
      expect(records[2]!.data).toEqual({
        balances: [{ token: "USDC", purpose: "main", balance: "1000.5", reserved: "0", available: "1000.5" }],
      });
      expect(records[3]!.text).toContain("balance is now 1,000 USDC");
      const history = records[4]!.data as { lines: Array<{ amount: string; memo: string }> };
      expect(history.lines.map((l) => [l.amount, l.memo])).toEqual([
        ["-0.5", "correction"],
        ["1000.5", "grant"],
      ]);
    });
  },
  { moderators: ["alice"] },
);
