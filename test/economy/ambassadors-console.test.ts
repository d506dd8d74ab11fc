// docs/economy.md section 6 through the console, with the real pools: ambassadors stake, post their
// code, creators and farmers claim it before funding or submitting, and each reward settled by a
// reviewer's score pays the four worked examples to the atom, then a mixed case at quality 87.
import { expect, it } from "vitest";
import { DAY, MINUTE } from "#src/core/clock.ts";
import { ambassadorLeaderboard } from "#src/economy/ambassadors/ambassador-views.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { type ConsoleHarness, describeConsole } from "#test/helpers/console.ts";
import { writeDemo } from "./demo-files.ts";

// Nothing listens on port 1: every grade falls back to manual review, where a moderator scores.
const MANUAL = {
  GRADER_URL: "http://127.0.0.1:1/grade",
  GRADER_FALLBACK: "manual",
  GRADER_TIMEOUT_MS: "1000",
};

const factoryLine = (creator: string, name: string) =>
  `@${creator} /factory create name:${name} token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open the project; Implement the cart; Test" ref:task_2`;

async function ok(h: ConsoleHarness, script: string) {
  const records = await h.run(script);
  for (const r of records)
    expect([r.command, r.code, r.text]).toEqual([
      r.command,
      r.command.includes("/pool fund") ? "confirmation_required" : "ok",
      r.text,
    ]);
  return records;
}

async function usdc(h: ConsoleHarness, user: string): Promise<bigint> {
  const { identity, ledger, db } = h.app.services;
  const ref = await identity.findByUsername(db.prisma, "console", user);
  return (await ledger.balance(db.prisma, accounts.user(ref!.userId, "USDC"))).balanceAtoms;
}

const protocolFees = async (h: ConsoleHarness) =>
  (await h.app.services.ledger.balance(h.app.db.prisma, accounts.fees("USDC"))).balanceAtoms;

let demo = 0;
/** A farmer submits a fresh recording to a factory; a moderator scores it; returns the fee delta. */
async function submitAndScore(h: ConsoleHarness, farmer: string, factory: number, score: number) {
  const before = await protocolFees(h);
  const submitted = await h.one(
    `@${farmer} /submit factory:${factory} ${writeDemo(`amb-${farmer}-${++demo}`)}`,
  );
  expect([submitted.code, submitted.text]).toEqual(["ok", expect.stringContaining("queued")]);
  await h.app.services.submissions.queue.idle();
  const id = (submitted.data as { submissionId: number }).submissionId;
  const scored = await h.one(`@mod /review score submission:${id} score:${score}`);
  expect([scored.code, scored.text]).toEqual(["ok", scored.text]);
  return (await protocolFees(h)) - before;
}

const codeOf = async (h: ConsoleHarness, user: string) =>
  ((await h.one(`@${user} /referral link`)).data as { code: string }).code;

describeConsole(
  "ambassador commissions through the console (section 6)",
  (get) => {
    it("stakes the ambassadors to their tiers and records the referrals", async () => {
      const h = get();
      await ok(
        h,
        `
        @fa3 /stake status
        @fa5 /stake status
        @ca5 /stake status
        @mod /admin credit user:@fa3 amount:3000000 token:CLONES reason:grant
        @mod /admin credit user:@fa5 amount:5000000 token:CLONES reason:grant
        @mod /admin credit user:@ca5 amount:5000000 token:CLONES reason:grant
        @fa3 /stake add amount:3000000
        @fa5 /stake add amount:5000000
        @ca5 /stake add amount:5000000
      `,
      );
      for (const [who, tier] of [
        ["fa3", 3],
        ["fa5", 5],
        ["ca5", 5],
      ] as const)
        expect(((await h.one(`@${who} /stake status`)).data as { tier: number }).tier).toBe(tier);
      const [fa3, fa5, ca5] = [await codeOf(h, "fa3"), await codeOf(h, "fa5"), await codeOf(h, "ca5")];
      await ok(
        h,
        `
        @farmer2 /referral use code:${fa3}
        @creator2 /referral use code:${ca5}
        @farmer4 /referral use code:${fa5}
        @farmer5 /referral use code:${fa3}
        @farmer6 /referral use code:${fa3}
        @creator1 /balance
        @creator2 /balance
        @mod /admin credit user:@creator1 amount:10 token:USDC reason:grant
        @mod /admin credit user:@creator2 amount:10 token:USDC reason:grant
        ${factoryLine("creator1", "Plain")}
        ${factoryLine("creator2", "Referred")}
        @creator1 /pool fund factory:1 amount:5
        @creator1 /confirm
        @creator2 /pool fund factory:2 amount:5
        @creator2 /confirm
      `,
      );
    });

    it("no referrals: farmer 0.18, protocol keeps 0.02", async () => {
      const h = get();
      expect(await submitAndScore(h, "farmer1", 1, 100)).toBe(20_000n);
      expect(await usdc(h, "farmer1")).toBe(180_000n);
    });

    it("farmer referred, tier 3: farmer 0.18, ambassador 0.006, protocol 0.014", async () => {
      const h = get();
      expect(await submitAndScore(h, "farmer2", 1, 100)).toBe(14_000n);
      expect(await usdc(h, "farmer2")).toBe(180_000n);
      expect(await usdc(h, "fa3")).toBe(6_000n);
    });

    it("creator referred, tier 5: farmer 0.18, creator's ambassador 0.01, protocol 0.01", async () => {
      const h = get();
      expect(await submitAndScore(h, "farmer3", 2, 100)).toBe(10_000n);
      expect(await usdc(h, "farmer3")).toBe(180_000n);
      expect(await usdc(h, "ca5")).toBe(10_000n);
    });

    it("both referred, tier 5 + tier 5: farmer 0.18, 0.01 each, protocol 0.00", async () => {
      const h = get();
      expect(await submitAndScore(h, "farmer4", 2, 100)).toBe(0n);
      // The farmer's payout breakdown says where the fee went.
      const notice = h.notices.filter((n) => n.to.includes("farmer4")).at(-1)!;
      expect(notice.text).toContain(
        "Platform fee 10%: 0.02 USDC (0.02 USDC of it to ambassadors' commissions).",
      );
      expect(notice.data).toMatchObject({ token: "USDC", fee: "0.02", commissions: "0.02", farmer: "0.18" });
      expect(await usdc(h, "farmer4")).toBe(180_000n);
      expect(await usdc(h, "fa5")).toBe(10_000n);
      expect(await usdc(h, "ca5")).toBe(20_000n);
    });

    it("mixed, quality 87 (tier 3 farmer's ambassador, tier 5 creator's): every part rounded down", async () => {
      const h = get();
      // gross floor(0.2 x 87%) = 0.174; fee 0.0174; 3% of gross = 0.00522; 5% = 0.0087; rest 0.00348
      expect(await submitAndScore(h, "farmer5", 2, 87)).toBe(3_480n);
      expect(await usdc(h, "farmer5")).toBe(156_600n);
      expect(await usdc(h, "fa3")).toBe(6_000n + 5_220n);
      expect(await usdc(h, "ca5")).toBe(20_000n + 8_700n);
    });

    it("a tier boundary: one atom unstaked below tier 3 pays tier 2 (cooldown 0 in this deployment)", async () => {
      const h = get();
      await ok(h, "@fa3 /stake remove amount:0.000000001");
      expect(((await h.one("@fa3 /stake status")).data as { tier: number }).tier).toBe(2);
      // Another farmer fa3 referred: 2% of 0.2 = 0.004; protocol keeps 0.016
      expect(await submitAndScore(h, "farmer6", 1, 100)).toBe(16_000n);
      expect(await usdc(h, "fa3")).toBe(11_220n + 4_000n);
    });

    it("commissions show in the ambassador's /history and /referral stats, and the audit is clean", async () => {
      const h = get();
      const history = await h.one("@ca5 /history token:USDC");
      expect(history.text).toContain("commission: a creator you referred: on a reward for submission #");
      expect(history.text).toContain("+0.01 USDC");
      const fa3History = await h.one("@fa3 /history token:USDC");
      expect(fa3History.text).toContain("commission: a farmer you referred was paid");
      const stats = await h.one("@ca5 /referral stats");
      const data = stats.data as {
        referred: Array<{ name: string; activity: number }>;
        commissions: Array<{ token: string; period: string; amount: string; payments: number }>;
      };
      expect(data.referred).toEqual([expect.objectContaining({ name: "creator2", activity: 1 })]);
      expect(data.commissions).toContainEqual({
        token: "USDC",
        period: "all time",
        amount: "0.0287",
        payments: 3,
      });
      const fa3Stats = (await h.one("@fa3 /referral stats")).data as typeof data;
      expect(fa3Stats.referred.map((r) => [r.name, r.activity])).toEqual([
        ["farmer2", 1],
        ["farmer5", 1],
        ["farmer6", 1],
      ]);
      expect((await auditLedger(h.app.db)).problems).toEqual([]);
    });

    it("the ambassadors' leaderboard data: commissions by token and active referrals in a period", async () => {
      const h = get();
      const { db } = h.app.services;
      const now = h.clock.now().getTime();
      const period = { since: new Date(now - DAY), until: new Date(now + MINUTE) };
      const byUsdc = await ambassadorLeaderboard(db.prisma, { ...period, token: "USDC" });
      expect(byUsdc.map((s) => [s.displayName, s.commissions, s.activeReferrals, s.totalReferrals])).toEqual([
        ["ca5", [{ token: "USDC", atoms: 28_700n }], 1, 1],
        ["fa3", [{ token: "USDC", atoms: 15_220n }], 3, 3],
        ["fa5", [{ token: "USDC", atoms: 10_000n }], 1, 1],
      ]);
      const byActivity = await ambassadorLeaderboard(db.prisma, { ...period, limit: 1 });
      expect(byActivity.map((s) => s.displayName)).toEqual(["fa3"]);
      const before = await ambassadorLeaderboard(db.prisma, {
        since: new Date(0),
        until: new Date(now - DAY),
      });
      expect(before.every((s) => s.commissions.length === 0 && s.activeReferrals === 0)).toBe(true);
    });

    it("a referral is refused once the member has submitted", async () => {
      const h = get();
      const code = await codeOf(h, "fa5");
      const refused = await h.one(`@farmer1 /referral use code:${code}`);
      expect([refused.ok, refused.code]).toEqual([false, "referral_too_late"]);
      const creator = await h.one(`@creator1 /referral use code:${code}`);
      expect([creator.ok, creator.code]).toEqual([false, "referral_too_late"]);
    });
  },
  {
    kinds: ["pglite"],
    moderators: ["mod"],
    env: { ...MANUAL, UNSTAKE_COOLDOWN_DAYS: "0" },
  },
);

describeConsole(
  "ambassador commissions under the forge policy (section 6)",
  (get) => {
    it("the creator's ambassador earns its rate of the deposit out of the deposit fee; a farmer's earns nothing", async () => {
      const h = get();
      await ok(
        h,
        `
        @amb3 /stake status
        @amb5 /stake status
        @mod /admin credit user:@amb3 amount:3000000 token:CLONES reason:grant
        @mod /admin credit user:@amb5 amount:5000000 token:CLONES reason:grant
        @amb3 /stake add amount:3000000
        @amb5 /stake add amount:5000000
      `,
      );
      const [amb3, amb5] = [await codeOf(h, "amb3"), await codeOf(h, "amb5")];
      await ok(
        h,
        `
        @web2 /referral use code:${amb3}
        @worker /referral use code:${amb5}
        @mod /admin credit user:@web2 amount:20000 token:USDC reason:grant
        ${factoryLine("web2", "Enterprise")}
        @web2 /pool fund factory:1 amount:20000
        @web2 /confirm
      `,
      );
      // 20,000 USDC: 250 setup fee and 4,000 platform fee (20%); 3% of the deposit = 600 USDC to amb3.
      expect(await usdc(h, "amb3")).toBe(600n * 10n ** 6n);
      expect(await protocolFees(h)).toBe((250n + 4_000n - 600n) * 10n ** 6n);
      // Its history says what the commission was on: a deposit, not a reward.
      const history = await h.one("@amb3 /history token:USDC");
      expect(history.text).toContain("commission: a creator you referred: on a deposit into factory #1");
      expect(history.text).not.toContain("reward");
      // A forge reward carries no fee: the farmer gets the whole 0.17 at quality 85, amb5 nothing.
      expect(await submitAndScore(h, "worker", 1, 85)).toBe(0n);
      expect(await usdc(h, "worker")).toBe(170_000n);
      expect(await usdc(h, "amb5")).toBe(0n);
      expect((await auditLedger(h.app.db)).problems).toEqual([]);
    });
  },
  {
    kinds: ["pglite"],
    moderators: ["mod"],
    env: { ...MANUAL, FEE_POLICY: "forge" },
  },
);
