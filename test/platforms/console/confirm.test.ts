// Issue 11 on the console: /confirm and /cancel answer the member's latest preview only; asking
// again replaces an older preview, a cancel ends it, a refused confirm ends it for good, and a
// preview for money the member does not have is refused before anything is offered.
import { expect, it } from "vitest";
import { describeConsole } from "#test/helpers/console.ts";

const CREATE =
  '@cora /factory create name:"Shop carts" token:USDC bid:1 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open; Implement; Test"';

describeConsole(
  "confirmations on the console",
  (get) => {
    const pool = async () =>
      ((await get().one("@cora /factory info factory:1")).data as { factory: { balance: string } }).factory
        .balance;
    const usdc = async () =>
      ((await get().one("@cora /balance token:USDC")).data as { balances: Array<{ balance: string }> })
        .balances[0]?.balance ?? "0";

    it("confirms nothing after fund 100, fund 10, /cancel (the issue's script)", async () => {
      await get().run(`
        @cora /balance
        @mod /admin credit user:@cora amount:200 token:USDC reason:grant
        ${CREATE}
      `);
      const records = await get().run(`
        @cora /pool fund factory:1 amount:100
        @cora /pool fund factory:1 amount:10
        @cora /cancel
        @cora /confirm
      `);
      expect(records.map((r) => r.code)).toEqual([
        "confirmation_required",
        "confirmation_required",
        "cancelled",
        "nothing_to_confirm",
      ]);
      expect(await pool()).toBe("0");
      expect(await usdc()).toBe("200");
    });

    it("confirms the latest preview, never an older one it replaced", async () => {
      const records = await get().run(`
        @cora /pool fund factory:1 amount:100
        @cora /pool fund factory:1 amount:10
        @cora /confirm
        @cora /confirm
      `);
      expect(records.map((r) => r.code)).toEqual([
        "confirmation_required",
        "confirmation_required",
        "ok",
        "nothing_to_confirm",
      ]);
      expect(await pool()).toBe("10");
      expect(await usdc()).toBe("190");
    });

    it("ends a preview whose confirm was refused: it cannot be confirmed once the money is there", async () => {
      const preview = await get().one("@cora /pool fund factory:1 amount:150");
      expect(preview.code).toBe("confirmation_required");
      await get().one("@mod /admin debit user:@cora amount:100 token:USDC reason:correction");
      const refused = await get().one("@cora /confirm");
      expect(refused.code).toBe("insufficient_funds");
      await get().one("@mod /admin credit user:@cora amount:100 token:USDC reason:grant");
      expect((await get().one("@cora /confirm")).code).toBe("nothing_to_confirm");
      expect(await pool()).toBe("10");
      expect(await usdc()).toBe("190");
    });

    it("refuses a preview for more than the balance, saying what the member has", async () => {
      const fund = await get().one("@cora /pool fund factory:1 amount:500");
      expect(fund.code).toBe("insufficient_funds");
      expect(fund.text).toBe(
        "Insufficient funds: 190 USDC available, 500 USDC needed. Funding needs 500 USDC; nothing was moved.",
      );
      const boost = await get().one("@cora /xp boost");
      expect(boost.code).toBe("insufficient_funds");
      expect(boost.text).toBe(
        "An XP boost burns 100 CLONES. Insufficient funds: 0 CLONES available, 100 CLONES needed.",
      );
      expect((await get().one("@cora /confirm")).code).toBe("nothing_to_confirm");
      expect(await usdc()).toBe("190");
    });

    it("a refused preview also replaces the older one", async () => {
      const records = await get().run(`
        @cora /pool fund factory:1 amount:5
        @cora /pool fund factory:1 amount:500
        @cora /confirm
      `);
      expect(records.map((r) => r.code)).toEqual([
        "confirmation_required",
        "insufficient_funds",
        "nothing_to_confirm",
      ]);
      expect(await pool()).toBe("10");
    });
  },
  { env: { FEE_POLICY: "clones" }, moderators: ["mod"] },
);
