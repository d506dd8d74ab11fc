// Every refusal of /dataset says what would work and changes nothing: launches (not the creator,
// too few demonstrations, a bad or taken symbol, the fee missing, twice), buys (min_out, past the
// curve's tokens with the most that still buys, sold out, too little CLONES), sells (beyond what the
// curve sold), burns (the creator, not enough tokens, twice); quotes change nothing; a replayed
// event trades once. A small curve (C0 = 1 CLONES) so a sell-out is cheap.
import { expect, it } from "vitest";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import type { ConsoleHarness } from "#test/helpers/console.ts";
import { describeConsole } from "#test/helpers/console.ts";
import { credit, factoryWithDataset } from "./harness.ts";

/** Every balance, to show that a refusal moved nothing. */
const books = async (h: ConsoleHarness) =>
  (await h.app.db.prisma.account.findMany({ orderBy: { id: "asc" } })).map(
    (a) => `${a.id}:${a.balance.toFixed()}`,
  );

describeConsole(
  "/dataset refusals",
  (get) => {
    it("refuses what cannot work, says what would, and moves nothing", async () => {
      const h = get();
      const factory = await factoryWithDataset(h, "cora", 2);
      const small = await factoryWithDataset(h, "dan", 1);
      await credit(h, "ann", "100");

      // Launch refusals.
      let before = await books(h);
      const notCreator = await h.one(`@ann /dataset launch factory:${factory} symbol:ANNS`);
      expect(notCreator.code).toBe("forbidden");
      const tooFew = await h.one(`@dan /dataset launch factory:${small} symbol:DANS`);
      expect([tooFew.code, tooFew.text]).toEqual([
        "too_few_demonstrations",
        expect.stringContaining("1 more"),
      ]);
      expect((await h.one(`@cora /dataset launch factory:${factory} symbol:usdc`)).code).toBe("symbol_taken");
      expect((await h.one(`@cora /dataset launch factory:${factory} symbol:A-B`)).code).toBe(
        "invalid_symbol",
      );
      expect((await h.one(`@cora /dataset launch factory:${factory} symbol:ABC threshold:5`)).code).toBe(
        "invalid_option",
      );
      const noFee = await h.one(`@cora /dataset launch factory:${factory} symbol:CART`);
      expect(noFee.code).toBe("insufficient_funds");
      expect(noFee.text).toContain("500 CLONES (you have 0 CLONES) and 0.05 SOL (you have 0 SOL)");
      expect(await books(h)).toEqual(before);

      await credit(h, "cora", "500");
      await credit(h, "cora", "0.05", "SOL");
      await h.one(`@cora /dataset launch factory:${factory} symbol:CART`);
      expect((await h.one("@cora /confirm")).code).toBe("ok");
      await credit(h, "cora", "500");
      await credit(h, "cora", "0.05", "SOL");
      expect((await h.one(`@cora /dataset launch factory:${factory} symbol:CARTB`)).code).toBe(
        "already_launched",
      );

      // Quotes change nothing; sells before anything was sold are refused.
      before = await books(h);
      expect((await h.one("@ann /dataset quote symbol:CART side:buy amount:1")).code).toBe("ok");
      const nothingSold = await h.one("@cora /dataset sell symbol:CART amount:1");
      expect([nothingSold.code, nothingSold.text]).toEqual([
        "exceeds_sold",
        expect.stringContaining("sold nothing"),
      ]);
      const minOut = await h.one("@ann /dataset buy symbol:CART amount:1 min_out:900000000");
      expect(minOut.code).toBe("below_min_out");
      const tooMuch = await h.one("@ann /dataset buy symbol:CART amount:50");
      expect(tooMuch.code).toBe("exceeds_supply");
      expect(tooMuch.text).toMatch(
        /At most [\d.,]+ CLONES still buys: \/dataset buy symbol:CART amount:[\d.]+\./,
      );
      expect((await h.one("@ann /dataset buy symbol:CART amount:200")).code).toBe("exceeds_supply");
      expect((await h.one("@bob /dataset buy symbol:CART amount:1")).code).toBe("insufficient_funds");
      expect((await h.one("@ann /dataset burn factory:1")).code).toBe("insufficient_funds");
      expect((await h.one("@cora /dataset burn factory:1")).code).toBe("burn_not_needed");
      expect(await books(h)).toEqual(before);

      // The creator may buy their own token; the fee they would pay themself stays with them.
      const coraBefore = await h.app.services.ledger.balance(
        h.app.db.prisma,
        accounts.user(
          (await h.app.db.prisma.platformAccount.findFirstOrThrow({ where: { username: "cora" } })).userId,
          "CLONES",
        ),
      );
      await h.one("@cora /dataset buy symbol:CART amount:0.5");
      const ownBuy = await h.one("@cora /confirm");
      expect(ownBuy.code).toBe("ok");
      expect(ownBuy.data).toMatchObject({ paid: "0.5", fee: "0.00125" });
      const coraAfter = await h.app.services.ledger.balance(
        h.app.db.prisma,
        accounts.user(
          (await h.app.db.prisma.platformAccount.findFirstOrThrow({ where: { username: "cora" } })).userId,
          "CLONES",
        ),
      );
      expect(coraBefore.balanceAtoms - coraAfter.balanceAtoms).toBe(500_000_000n - 1_250_000n);

      // The most that still buys does buy; then the curve is sold out, and says so.
      const most = /amount:([\d.]+)\./.exec(
        (await h.one("@ann /dataset buy symbol:CART amount:50")).text,
      )![1]!;
      await h.one(`@ann /dataset buy symbol:CART amount:${most}`);
      const all = await h.one("@ann /confirm");
      expect(all.code).toBe("ok");
      const sold = all.data as { curveTokens: string; curveClones: string };
      expect(Number(sold.curveClones)).toBeLessThanOrEqual(4);
      if (sold.curveTokens === "0")
        expect((await h.one("@ann /dataset buy symbol:CART amount:1")).code).toBe("sold_out");

      // Selling more than the curve sold is refused with what it buys back.
      const over = await h.one("@cora /dataset sell symbol:CART amount:999999999");
      expect([over.code, over.text]).toEqual(["exceeds_sold", expect.stringContaining("at most")]);

      // The burn, once.
      await h.one("@ann /dataset burn factory:1");
      expect((await h.one("@ann /confirm")).code).toBe("ok");
      expect((await h.one("@ann /dataset burn factory:1")).code).toBe("already_burned");

      // A sell confirmed twice (the same action) runs once.
      await h.one("@ann /dataset sell symbol:CART amount:1000");
      expect((await h.one("@ann /confirm")).code).toBe("ok");
      const trades = await h.app.db.prisma.datasetTrade.count();
      expect((await h.one("@ann /confirm")).code).not.toBe("ok");
      expect(await h.app.db.prisma.datasetTrade.count()).toBe(trades);
      expect((await auditLedger(h.app.db)).problems).toEqual([]);
    }, 180_000);
  },
  {
    moderators: ["mod"],
    env: { QUALITY_THRESHOLD: "0", DATASET_CURVE_CLONES: "1", DATASET_MIN_DEMONSTRATIONS: "2" },
  },
);
