// docs/economy.md section 10.5, through the console as members type it: a launch with t = 100 and
// C0 = 30,000 CLONES, two buys, a sell, a burn; every figure to the atom, from the replies and from
// the ledger's balances, and the books still balance.
import { expect, it } from "vitest";
import { datasetAccounts } from "#src/dataset-tokens/accounts.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { describeConsole } from "#test/helpers/console.ts";
import { credit, factoryWithDataset } from "./harness.ts";

type Data = Record<string, unknown>;

describeConsole(
  "the dataset token worked example (10.5)",
  (get) => {
    it("launches, trades, burns and ends exactly as the table says", async () => {
      const h = get();
      const factory = await factoryWithDataset(h, "cora", 10);
      await credit(h, "cora", "500");
      await credit(h, "cora", "0.05", "SOL");
      await credit(h, "ann", "1000");
      await credit(h, "ben", "2500");

      const preview = await h.one(`@cora /dataset launch factory:${factory} symbol:WEBNAV threshold:100`);
      expect(preview.code).toBe("confirmation_required");
      expect(preview.text).toContain("You receive 10,000,000 WEBNAV");
      expect(preview.text).toContain("starting at 0.0000242424242424 CLONES per token");
      const launched = await h.one("@cora /confirm");
      expect(launched.code).toBe("ok");
      expect(launched.data).toMatchObject({
        symbol: "WEBNAV",
        allocation: "10000000",
        curveTokens: "990000000",
        tokens: "1237500000",
        clones: "30000",
        fees: [
          { token: "CLONES", amount: "500" },
          { token: "SOL", amount: "0.05" },
        ],
      });

      await h.one("@ann /dataset buy symbol:WEBNAV amount:1000");
      const buy1 = await h.one("@ann /confirm");
      expect(buy1.data).toMatchObject({
        fee: "2.5",
        received: "39822767.965158",
        clones: "30997.5",
        tokens: "1197677232.034842",
      });
      await h.one("@ben /dataset buy symbol:WEBNAV amount:2500");
      const buy2 = await h.one("@ben /confirm");
      expect(buy2.data).toMatchObject({
        fee: "6.25",
        received: "89178743.623689",
        clones: "33491.25",
        tokens: "1108498488.411153",
      });
      await h.one("@ann /dataset sell symbol:WEBNAV amount:39822767.965158");
      const sell = await h.one("@ann /confirm");
      expect(sell.data).toMatchObject({
        fee: "2.903617499",
        received: "1158.543381942",
        clones: "32329.803000559",
        tokens: "1148321256.376311",
        curveClones: "2329.803000559",
        curveTokens: "900821256.376311",
      });

      const burn = await h.one(`@ben /dataset burn factory:${factory}`);
      expect(burn.code).toBe("confirmation_required");
      const burned = await h.one("@ben /confirm");
      expect(burned.data).toMatchObject({ burnedNow: "10000000", circulating: "990000000" });

      // The ledger agrees: the creator's fees, the curve's accounts, the holders.
      const { ledger, db } = h.app.services;
      const bal = async (key: Parameters<typeof ledger.balance>[1]) =>
        (await ledger.balance(db.prisma, key)).balanceAtoms;
      const cora = await h.app.services.identity.ensureUser({
        platform: "console",
        id: "cora",
        displayName: "cora",
      });
      expect(await bal(accounts.user(cora.userId, "CLONES"))).toBe(11_653_617_499n);
      expect(await bal(datasetAccounts.curveClones("WEBNAV"))).toBe(2_329_803_000_559n);
      expect(await bal(datasetAccounts.curveTokens("WEBNAV"))).toBe(900_821_256_376_311n);
      expect(await bal(datasetAccounts.burn("WEBNAV"))).toBe(10_000_000_000_000n);
      expect(await bal(accounts.fees("CLONES"))).toBe(500_000_000_000n);
      expect(await bal(accounts.fees("SOL"))).toBe(50_000_000n);

      // /balance and /history show the token like any other.
      const balance = await h.one("@ben /balance");
      expect((balance.data as { balances: Data[] }).balances).toContainEqual(
        expect.objectContaining({ token: "WEBNAV", balance: "79178743.623689" }),
      );
      const history = await h.one("@ann /history");
      expect(history.text).toContain("dataset token sold to its curve");
      // The market, the price card and the leaderboards.
      const market = await h.one("@ann /dataset market");
      expect((market.data as { tokens: Data[] }).tokens).toEqual([
        expect.objectContaining({
          symbol: "WEBNAV",
          marketCap: "27872.430988131",
          volume24h: "4661.446999441",
          price: "0.000028153970695",
          change24h: "+16.14%",
        }),
      ]);
      const card = await h.one("@ann /dataset price symbol:WEBNAV");
      expect(card.code).toBe("ok");
      expect((card.data as { points: Data[] }).points).toHaveLength(4);
      const volume = await h.one("@ann /leaderboard datasets metric:volume");
      expect(volume.text).toContain("WEBNAV (factory #1)");
      expect(volume.text).toContain("4,661.446999441 CLONES");
      const fees = await h.one("@ann /leaderboard datasets metric:creator_fees");
      expect(fees.text).toContain("cora");
      expect(fees.text).toContain("11.653617499 CLONES");
      const cap = await h.one("@cora /leaderboard datasets metric:marketcap");
      expect(cap.text).toContain("27,872.430988131 CLONES");

      const audit = await auditLedger(h.app.db);
      expect(audit.problems).toEqual([]);
      expect(audit.tokens.find((t) => t.token === "WEBNAV")).toMatchObject({ sumAtoms: 0n });
    }, 180_000);
  },
  { moderators: ["mod"], env: { QUALITY_THRESHOLD: "0" } },
);
