// docs/economy.md section 10.6 through the console: the bundle worked example (three datasets with
// 30, 50 and 20 accepted demonstrations, t = 200), the bundle burn that opens every dataset in it,
// and governance: a proposal, stake-weighted votes, the vote job launching it exactly once, a
// proposal below the quorum rejected, a moderator's veto, and members refused moderator powers.
import { expect, it } from "vitest";
import { DAY, HOUR } from "#src/core/clock.ts";
import { hasBurnAccess } from "#src/dataset-tokens/access.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { describeConsole } from "#test/helpers/console.ts";
import { credit, factoryWithDataset } from "./harness.ts";

const launch = async (h: Parameters<typeof credit>[0], creator: string, factory: number, symbol: string) => {
  await credit(h, creator, "500");
  await credit(h, creator, "0.05", "SOL");
  await h.one(`@${creator} /dataset launch factory:${factory} symbol:${symbol} threshold:100`);
  const r = await h.one(`@${creator} /confirm`);
  if (r.code !== "ok") throw new Error(`launch refused: ${r.code} ${r.text}`);
};

describeConsole(
  "bundles and their governance (10.6)",
  (get) => {
    const ids: number[] = [];
    const userId = async (name: string) =>
      (await get().app.services.identity.ensureUser({ platform: "console", id: name, displayName: name }))
        .userId;
    const clonesOf = async (name: string) =>
      (
        await get().app.services.ledger.balance(
          get().app.db.prisma,
          accounts.user(await userId(name), "CLONES"),
        )
      ).balanceAtoms;
    const tokensOf = async (name: string, symbol: string) =>
      (
        await get().app.services.ledger.balance(
          get().app.db.prisma,
          accounts.user(await userId(name), symbol),
        )
      ).balanceAtoms;

    it("reproduces the bundle example: A_b 6,000,000 / 10,000,000 / 4,000,000 and the fee of a 777 CLONES buy", async () => {
      const h = get();
      ids.push(await factoryWithDataset(h, "cora", 30));
      ids.push(await factoryWithDataset(h, "dan", 50));
      ids.push(await factoryWithDataset(h, "eve", 20));
      await launch(h, "cora", ids[0]!, "DSONE");
      await launch(h, "dan", ids[1]!, "DSTWO");
      await launch(h, "eve", ids[2]!, "DSTHREE");
      const before = { cora: await clonesOf("cora"), dan: await clonesOf("dan"), eve: await clonesOf("eve") };

      // A member may not create one; a moderator does, without a launch fee.
      const refused = await h.one(
        `@ann /admin bundle create name:Carts symbol:CARTS factories:${ids.join(",")} threshold:200`,
      );
      expect(refused.code).toBe("forbidden");
      const preview = await h.one(
        `@mod /admin bundle create name:Carts symbol:CARTS factories:${ids.join(",")} threshold:200`,
      );
      expect(preview.code).toBe("confirmation_required");
      const created = await h.one("@mod /confirm");
      expect(created.code).toBe("ok");
      expect(created.data).toMatchObject({ bundle: { status: "launched", symbol: "CARTS" } });
      expect([
        await tokensOf("cora", "CARTS"),
        await tokensOf("dan", "CARTS"),
        await tokensOf("eve", "CARTS"),
      ]).toEqual([6_000_000_000_000n, 10_000_000_000_000n, 4_000_000_000_000n]);

      await credit(h, "ann", "10000");
      await h.one("@ann /dataset buy symbol:CARTS amount:777");
      const bought = await h.one("@ann /confirm");
      expect(bought.data).toMatchObject({ fee: "1.9425" });
      expect([
        (await clonesOf("cora")) - before.cora,
        (await clonesOf("dan")) - before.dan,
        (await clonesOf("eve")) - before.eve,
      ]).toEqual([582_750_000n, 971_250_000n, 388_500_000n]);

      // The bundle's burn threshold (2% = 20,000,000) opens every dataset in it, and only those.
      await h.one("@ann /dataset buy symbol:CARTS amount:2000");
      await h.one("@ann /confirm");
      const annId = await userId("ann");
      for (const id of ids) expect(await hasBurnAccess(h.app.db.prisma, annId, id)).toBe(false);
      await h.one("@ann /dataset bundle burn bundle:1");
      const burned = await h.one("@ann /confirm");
      expect(burned.data).toMatchObject({ burnedNow: "20000000", circulating: "980000000" });
      for (const id of ids) expect(await hasBurnAccess(h.app.db.prisma, annId, id)).toBe(true);
      expect((await h.one("@ann /dataset bundle burn bundle:1")).code).toBe("already_burned");
      expect((await auditLedger(h.app.db)).problems).toEqual([]);
    }, 600_000); // 100 real demonstrations are submitted and graded first

    it("runs a proposal through stake-weighted votes and the job, exactly once", async () => {
      const h = get();
      h.clock.set(new Date("2026-12-01T00:00:00Z"));
      await credit(h, "sam", "10000000");
      await credit(h, "sue", "2000000");
      await h.one("@sam /stake add amount:8000000");
      await h.one("@sue /stake add amount:2000000");

      const proposed = await h.one(
        `@ann /dataset bundle propose name:"Two carts" symbol:TWOCART factories:${ids[0]},${ids[1]} threshold:100`,
      );
      expect(proposed.data).toMatchObject({ id: 2, status: "voting" });
      // Not a staker: refused. Stakers vote; a vote may change.
      expect((await h.one("@ann /dataset bundle vote bundle:2 yes:true")).code).toBe("not_a_staker");
      await h.one("@sam /dataset bundle vote bundle:2 yes:false");
      await h.one("@sam /dataset bundle vote bundle:2 yes:true");
      await h.one("@sue /dataset bundle vote bundle:2 yes:false");
      // The symbol is held while the vote runs.
      expect(
        (await h.one(`@mod /admin bundle create name:X symbol:TWOCART factories:${ids[0]},${ids[2]}`)).code,
      ).toBe("symbol_taken");

      // A second proposal below the quorum (only sue's 2,000,000 of the 10,000,000 needed).
      await h.one(`@ann /dataset bundle propose name:Small symbol:SMALL factories:${ids[1]},${ids[2]}`);
      await h.one("@sue /dataset bundle vote bundle:3 yes:true");
      // A third, vetoed; members cannot veto, and a veto needs a reason.
      await h.one(`@ann /dataset bundle propose name:Vetoed symbol:VETOED factories:${ids[0]},${ids[2]}`);
      expect((await h.one('@ann /admin bundle veto bundle:4 reason:"no"')).code).toBe("forbidden");
      const vetoed = await h.one('@mod /admin bundle veto bundle:4 reason:"duplicate of #1"');
      expect(vetoed.data).toMatchObject({ status: "vetoed", outcome: "duplicate of #1" });

      // Before the 7 days are over the job closes nothing.
      h.clock.advance(6 * DAY);
      const [early] = await h.app.services.scheduler.tick("bundle-votes");
      expect(early).toMatchObject({ outcome: "ran", run: { data: { launched: 0, rejected: 0 } } });
      h.clock.advance(DAY + HOUR);
      const [report] = await h.app.services.scheduler.tick("bundle-votes");
      expect(report).toMatchObject({
        outcome: "ran",
        run: { status: "done", data: { launched: 1, rejected: 1 } },
      });
      const list = await h.one("@ann /dataset bundle list");
      const bundles = (list.data as { bundles: Array<Record<string, unknown>> }).bundles;
      expect(bundles.find((b) => b.id === 2)).toMatchObject({
        status: "launched",
        yes: "8000000",
        no: "2000000",
      });
      expect(bundles.find((b) => b.id === 3)).toMatchObject({ status: "rejected" });
      expect(String(bundles.find((b) => b.id === 3)!.outcome)).toContain("quorum");

      // The allocation went to the two creators by accepted demonstrations (30 : 50 of 10,000,000).
      expect(await tokensOf("cora", "TWOCART")).toBe(3_750_000_000_000n);
      expect(await tokensOf("dan", "TWOCART")).toBe(6_250_000_000_000n);
      // Ticking again, and running the same period again, changes nothing.
      h.clock.advance(HOUR);
      const [again] = await h.app.services.scheduler.tick("bundle-votes");
      expect(again).toMatchObject({ run: { data: { launched: 0, rejected: 0 } } });
      expect(await h.app.db.prisma.datasetToken.count({ where: { symbol: "TWOCART" } })).toBe(1);
      expect(await tokensOf("cora", "TWOCART")).toBe(3_750_000_000_000n);
      expect((await auditLedger(h.app.db)).problems).toEqual([]);
    });
  },
  { moderators: ["mod"], env: { QUALITY_THRESHOLD: "0" } },
);
