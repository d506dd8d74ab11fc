// Settlement and funding carve ambassadors' commissions out of the platform fee through the
// CommissionPolicy seam (src/economy/ambassadors/commissions.ts), inside their own transaction: the section 6
// table (clones, bid 0.20, quality 100, both referred at tier 5: farmer 0.18, each ambassador 0.01,
// protocol 0), and a forge deposit paying the creator's ambassador its rate of the deposit out of
// the deposit fee. The policy here is a fixed-tier one standing in for the ambassadors' feature.
import { expect, it } from "vitest";
import { COMMISSION_CODES, type CommissionPolicy } from "#src/economy/ambassadors/commissions.ts";
import { percentOf } from "#src/economy/pools/pool-math.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { type ConsoleHarness, describeConsole } from "#test/helpers/console.ts";
import { writeDemo } from "./demo-files.ts";

const MANUAL = {
  GRADER_URL: "http://127.0.0.1:1/grade",
  GRADER_FALLBACK: "manual",
  GRADER_TIMEOUT_MS: "1000",
};

/** Everyone referred, both ambassadors at tier 5, inside the caller's transaction. */
function tierFive(names: { farmerAmbassador: string; creatorAmbassador: string }): CommissionPolicy {
  const idOf = async (tx: Parameters<CommissionPolicy["onReward"]>[0], name: string) =>
    (await tx.db.platformAccount.findFirstOrThrow({ where: { platform: "console", username: name } })).userId;
  return {
    async onReward(tx, fee) {
      if (fee.policy !== "clones") return [];
      return [
        {
          userId: await idOf(tx, names.farmerAmbassador),
          role: "farmer_ambassador",
          tier: 5,
          amountAtoms: percentOf(fee.grossAtoms, "5"),
        },
        {
          userId: await idOf(tx, names.creatorAmbassador),
          role: "creator_ambassador",
          tier: 5,
          amountAtoms: percentOf(fee.grossAtoms, "5"),
        },
      ];
    },
    async onDeposit(tx, fee) {
      return [
        {
          userId: await idOf(tx, names.creatorAmbassador),
          role: "creator_ambassador",
          tier: 5,
          amountAtoms: percentOf(fee.depositAtoms, "5"),
        },
      ];
    },
  };
}

const balance = async (h: ConsoleHarness, user: string) =>
  ((await h.one(`@${user} /balance token:USDC`)).data as { balances: Array<{ balance: string }> }).balances[0]
    ?.balance ?? "0";

describeConsole(
  "commissions out of the fee",
  (get) => {
    it("clones, quality 100, both referred at tier 5: 0.18 / 0.01 / 0.01 / protocol 0", async () => {
      const h = get();
      await h.run("@amy /balance\n@abe /balance");
      h.app.services.commissions = tierFive({ farmerAmbassador: "amy", creatorAmbassador: "abe" });
      await h.run(`
        @cora /balance
        @mod /admin credit user:@cora amount:10 token:USDC reason:grant
        @cora /factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open; Build" ref:task_2
        @cora /pool fund factory:1 amount:1
        @cora /confirm
      `);
      await h.one(`@fay /submit factory:1 ${writeDemo("commission-1")}`);
      await h.app.services.submissions.queue.idle();
      const r = await h.one("@mod /review score submission:1 score:100");
      expect(r.data).toMatchObject({ farmer: "0.18", fee: "0.02", refund: "0" });
      expect([await balance(h, "fay"), await balance(h, "amy"), await balance(h, "abe")]).toEqual([
        "0.18",
        "0.01",
        "0.01",
      ]);
      const fees = await h.app.services.ledger.balance(h.app.db.prisma, {
        ownerType: "system",
        ownerId: "fees",
        token: "USDC",
        purpose: "fees",
      });
      expect(fees.balanceAtoms).toBe(0n);
      const paid = await h.app.db.prisma.transfer.findMany({
        where: { code: { startsWith: "commission." } },
        orderBy: { id: "asc" },
      });
      expect(paid.map((t) => [t.code, t.amount.toFixed(), t.meta])).toEqual([
        [COMMISSION_CODES.farmer_ambassador, "10000", { factoryId: 1, submissionId: 1, tier: 5 }],
        [COMMISSION_CODES.creator_ambassador, "10000", { factoryId: 1, submissionId: 1, tier: 5 }],
      ]);
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });
  },
  {
    kinds: ["pglite"],
    moderators: ["mod"],
    env: { ...MANUAL, FEE_POLICY: "clones" },
  },
);

describeConsole(
  "commissions on a forge deposit",
  (get) => {
    it("pays the creator's ambassador 5% of the deposit out of the 20% fee", async () => {
      const h = get();
      await h.run("@abe /balance");
      h.app.services.commissions = tierFive({ farmerAmbassador: "abe", creatorAmbassador: "abe" });
      const r = await h.run(`
        @cora /balance
        @mod /admin credit user:@cora amount:20000 token:USDC reason:grant
        @cora /factory create name:Carts token:USDC bid:0.2 task:t app:a objectives:o
        @cora /pool fund factory:1 amount:20000
        @cora /confirm
      `);
      expect((r[4]!.data as { factory: { balance: string } }).factory.balance).toBe("15750");
      expect(await balance(h, "abe")).toBe("1000");
      const fees = await h.app.services.ledger.balance(h.app.db.prisma, {
        ownerType: "system",
        ownerId: "fees",
        token: "USDC",
        purpose: "fees",
      });
      // 250 setup fee + 4,000 platform fee - 1,000 commission.
      expect(fees.balanceAtoms).toBe(3_250n * 1_000_000n);
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });
  },
  {
    kinds: ["pglite"],
    moderators: ["mod"],
    env: { FEE_POLICY: "forge" },
  },
);
