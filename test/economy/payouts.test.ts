// docs/economy.md section 3 through the console: the payout table for both policies to the atom (scores
// typed by a moderator and an appointed reviewer on the manual-review path: the external grader is
// down and falls back to people), resubmissions paid on their own merit, overrides that raise (pay
// the difference) or lower (never claw back), appeals, and the ledger codes a leaderboard reads.
import { expect, it } from "vitest";
import { auditLedger } from "#src/ledger/audit.ts";
import { type ConsoleHarness, describeConsole } from "#test/helpers/console.ts";
import { writeDemo } from "./demo-files.ts";

// Nothing listens on port 1: every grade falls back to manual review, where people type the scores.
const MANUAL = {
  GRADER_URL: "http://127.0.0.1:1/grade",
  GRADER_FALLBACK: "manual",
  GRADER_TIMEOUT_MS: "1000",
};
const CREATE =
  '@cora /factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open the project; Implement the cart; Test" ref:task_2 per_farmer_task:3';

async function open(h: ConsoleHarness, policy: string) {
  const records = await h.run(`
    @cora /balance
    @mod /admin credit user:@cora amount:1000 token:USDC reason:grant
    ${CREATE}
    @cora /pool fund factory:1 amount:${policy === "forge" ? "1.25" : "1"}
    @cora /confirm
  `);
  expect(records.map((r) => r.code)).toEqual(["ok", "ok", "ok", "confirmation_required", "ok"]);
  // forge: 1.25 - 20% = 1 in the pool (the setup fee was set to zero for this table).
  expect((records[4]!.data as { factory: { balance: string } }).factory.balance).toBe("1");
}

async function submitAndWait(h: ConsoleHarness, user: string, demo: string) {
  const r = await h.one(`@${user} /submit factory:1 ${writeDemo(demo)}`);
  expect([r.code, r.text]).toEqual(["ok", expect.stringContaining("queued")]);
  await h.app.services.submissions.queue.idle();
  return (r.data as { submissionId: number }).submissionId;
}

const balanceOf = async (h: ConsoleHarness, user: string) => {
  const data = (await h.one(`@${user} /balance token:USDC`)).data as { balances: Array<{ balance: string }> };
  return data.balances[0]?.balance ?? "0";
};

const noticeTo = (h: ConsoleHarness, user: string, id: number) =>
  h.notices
    .filter((n) => n.to.includes(user) && (n.data as { submissionId?: number })?.submissionId === id)
    .at(-1);

describeConsole(
  "payouts, clones policy",
  (get) => {
    it("pays the table: quality 90, 50 and 49 on a 0.20 bid", async () => {
      const h = get();
      await open(h, "clones");
      const ids = [
        await submitAndWait(h, "fay", "fay-1"),
        await submitAndWait(h, "gus", "gus-1"),
        await submitAndWait(h, "hal", "hal-1"),
      ];
      expect(ids).toEqual([1, 2, 3]);
      const queue = await h.one("@mod /review queue");
      expect((queue.data as { items: unknown[] }).items).toHaveLength(3);
      // The creator pays, so her queue never shows her own factory's items.
      expect((await h.one("@cora /review queue")).data).toEqual({ items: [] });
      expect(noticeTo(h, "fay", 1)?.text).toContain("waiting for a reviewer");
      const info = await h.one("@cora /factory info factory:1");
      expect((info.data as { factory: object }).factory).toMatchObject({
        reserved: "0.6",
        available: "0.4",
        received: 3,
        paid: 0,
      });

      const scored = await h.run(`
        @mod /review score submission:1 score:90
        @rex /balance
        @mod /admin reviewer appoint user:@rex factory:1
        @rex /review score submission:2 score:50
        @mod /review score submission:3 score:49
      `);
      expect(scored.splice(1, 2).map((r) => r.code)).toEqual(["ok", "ok"]);
      expect(scored.map((r) => r.data)).toEqual([
        { kind: "settled", score: 90, farmer: "0.162", fee: "0.018", refund: "0.02" },
        { kind: "settled", score: 50, farmer: "0.09", fee: "0.01", refund: "0.1" },
        { kind: "settled", score: 49, farmer: "0", fee: "0", refund: "0.2" },
      ]);
      expect([await balanceOf(h, "fay"), await balanceOf(h, "gus"), await balanceOf(h, "hal")]).toEqual([
        "0.162",
        "0.09",
        "0",
      ]);
      const after = await h.one("@cora /factory info factory:1");
      expect((after.data as { factory: object }).factory).toMatchObject({
        balance: "0.72",
        reserved: "0",
        received: 3,
        paid: 2,
      });
      const fay = noticeTo(h, "fay", 1)!.text;
      expect(fay).toContain("scored 90/100");
      expect(fay).toContain("Reward: bid 0.2 USDC × 90% = 0.18 USDC.");
      expect(fay).toContain("Platform fee 10%: 0.018 USDC.");
      expect(fay).toContain("You receive 0.162 USDC; 0.02 USDC returns to the pool.");
      expect(noticeTo(h, "hal", 3)!.text).toContain(
        "nothing is paid, and the reserved 0.2 USDC returns to the pool",
      );

      const fees = await h.app.services.ledger.balance(h.app.db.prisma, {
        ownerType: "system",
        ownerId: "fees",
        token: "USDC",
        purpose: "fees",
      });
      expect(fees.balanceAtoms).toBe(28_000n);
      const codes = await h.app.db.prisma.transfer.findMany({
        where: { code: { startsWith: "payout." } },
        orderBy: { id: "asc" },
      });
      expect(codes.map((t) => [t.code, t.amount.toFixed(), t.meta])).toEqual([
        ["payout.farmer", "162000", { factoryId: 1, submissionId: 1 }],
        ["payout.fee", "18000", { factoryId: 1, submissionId: 1 }],
        ["payout.refund", "20000", { factoryId: 1, submissionId: 1 }],
        ["payout.farmer", "90000", { factoryId: 1, submissionId: 2 }],
        ["payout.fee", "10000", { factoryId: 1, submissionId: 2 }],
        ["payout.refund", "100000", { factoryId: 1, submissionId: 2 }],
        ["payout.refund", "200000", null],
      ]);
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });

    it("pays each resubmission of the same task on its own merit, its fee rounded on the cumulative gross", async () => {
      const h = get();
      const id = await submitAndWait(h, "fay", "fay-2");
      const r = await h.one(`@mod /review score submission:${id} score:95`);
      // reward 0.19, paid whole; fee floor((0.18 + 0.19) × 10%) - 0.018 = 0.019.
      expect(r.data).toMatchObject({ farmer: "0.171", fee: "0.019", refund: "0.01" });
      expect(noticeTo(h, "fay", id)!.text).toContain(
        "You receive 0.171 USDC; 0.01 USDC returns to the pool.",
      );
      expect(await balanceOf(h, "fay")).toBe("0.333");
      // A lower second try is still paid what it is worth: 0.16, fee floor(0.53 × 10%) - 0.037 = 0.016.
      const lower = await submitAndWait(h, "fay", "fay-3");
      const paid = await h.one(`@mod /review score submission:${lower} score:80`);
      expect(paid.data).toMatchObject({ farmer: "0.144", fee: "0.016", refund: "0.04" });
      expect(await balanceOf(h, "fay")).toBe("0.477");
    });

    it("raises a score within 30 days by paying the difference, and lowers one without clawing back", async () => {
      const h = get();
      const raised = await h.one("@mod /review score submission:2 score:70");
      // gus: reward 0.14 over 0.10 paid: 0.04, fee floor(0.14 × 10%) - 0.01 = 0.004.
      expect(raised.data).toMatchObject({ kind: "raised", farmer: "0.036", fee: "0.004" });
      expect(await balanceOf(h, "gus")).toBe("0.126");
      const lowered = await h.one("@mod /review score submission:1 score:60");
      expect([lowered.data, lowered.text]).toEqual([
        { kind: "lowered", score: 60 },
        expect.stringContaining("never claws money back"),
      ]);
      expect(await balanceOf(h, "fay")).toBe("0.477");
      expect(await h.one("@gus /review score submission:1 score:100")).toMatchObject({ code: "forbidden" });
      h.clock.advance(31 * 86_400_000);
      expect(await h.one("@mod /review score submission:2 score:99")).toMatchObject({
        code: "review_window_closed",
      });
      expect(await h.one('@gus /review appeal submission:2 reason:"too low"')).toMatchObject({
        code: "review_window_closed",
      });
      h.clock.advance(-31 * 86_400_000);
    });

    it("takes an appeal to the review queue, where a score settles it", async () => {
      const h = get();
      expect(await h.one('@gus /review appeal submission:3 reason:"mine"')).toMatchObject({
        code: "forbidden",
      });
      expect(await h.one('@hal /review appeal submission:3 reason:"I did every objective"')).toMatchObject({
        code: "ok",
      });
      expect(await h.one('@hal /review appeal submission:3 reason:"again"')).toMatchObject({
        code: "invalid_state",
      });
      const queue = await h.one("@mod /review queue");
      expect(queue.data).toEqual({
        items: [{ id: 3, factoryId: 1, status: "settled", score: 49, appeal: "I did every objective" }],
      });
      const settled = await h.one("@mod /review score submission:3 score:75");
      expect(settled.data).toMatchObject({ kind: "raised", farmer: "0.135", fee: "0.015" });
      expect((await h.one("@mod /review queue")).data).toEqual({ items: [] });
      const payouts = await h.one("@hal /payouts");
      expect((payouts.data as { items: object[] }).items[0]).toMatchObject({
        id: 3,
        score: 75,
        farmer: "0.135",
      });
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
  "payouts, forge policy",
  (get) => {
    it("pays the table: quality 85 and 40 on a 0.20 bid, no fee", async () => {
      const h = get();
      await open(h, "forge");
      await submitAndWait(h, "fay", "forge-fay");
      await submitAndWait(h, "gus", "forge-gus");
      const scored = await h.run(`
        @mod /review score submission:1 score:85
        @mod /review score submission:2 score:40
      `);
      expect(scored.map((r) => r.data)).toEqual([
        { kind: "settled", score: 85, farmer: "0.17", fee: "0", refund: "0.03" },
        { kind: "settled", score: 40, farmer: "0", fee: "0", refund: "0.2" },
      ]);
      expect([await balanceOf(h, "fay"), await balanceOf(h, "gus")]).toEqual(["0.17", "0"]);
      const info = await h.one("@cora /factory info factory:1");
      expect((info.data as { factory: object }).factory).toMatchObject({ balance: "0.83", reserved: "0" });
      expect(noticeTo(h, "fay", 1)!.text).not.toContain("Platform fee");
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });
  },
  {
    kinds: ["pglite"],
    moderators: ["mod"],
    env: { ...MANUAL, FEE_POLICY: "forge", FORGE_SETUP_FEE_WEB2: "0 USDC" },
  },
);

describeConsole(
  "replays",
  (get) => {
    it("a replayed submit or score (same event key) returns the first result and moves nothing", async () => {
      const h = get();
      await open(h, "clones");
      const { services, db } = h.app;
      const cora = await db.prisma.platformAccount.findFirstOrThrow({ where: { username: "cora" } });
      const actor = {
        userId: cora.userId,
        displayName: "cora",
        isModerator: true,
        platform: "console" as const,
        platformUserId: "cora",
      };
      const { fixtureLog, fixtureMetaJson, text } = await import("#test/grading/fixture.ts");
      const files = [
        { name: "meta.json", bytes: text(JSON.stringify({ ...fixtureMetaJson, id: "replayed" })) },
        { name: "input_log.jsonl", bytes: fixtureLog },
      ];
      const first = await services.submissions.submit({ actor, key: "event-1", factoryId: 1, files });
      const again = await services.submissions.submit({ actor, key: "event-1", factoryId: 1, files });
      expect(again).toEqual(first);
      expect(await db.prisma.submission.count()).toBe(1);
      await services.submissions.queue.idle();
      // The payer never judges: a moderator who did not create the factory scores it.
      const mod = await db.prisma.platformAccount.findFirstOrThrow({ where: { username: "mod" } });
      const reviewer = { ...actor, userId: mod.userId, displayName: "mod", platformUserId: "mod" };
      const scored = await services.submissions.review({
        actor: reviewer,
        key: "event-2",
        submissionId: first.submissionId,
        score: 90,
      });
      const replayed = await services.submissions.review({
        actor: reviewer,
        key: "event-2",
        submissionId: first.submissionId,
        score: 90,
      });
      expect(replayed).toEqual(scored);
      // 1,000 granted, 1 funded, 0.162 earned as the farmer of her own pool.
      expect(await balanceOf(h, "cora")).toBe("999.162");
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });
  },
  {
    kinds: ["pglite"],
    moderators: ["mod"],
    env: { ...MANUAL, FEE_POLICY: "clones" },
  },
);
