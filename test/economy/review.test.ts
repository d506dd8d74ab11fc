// Manual review as people type it (docs/economy.md sections 3 and 4): the payer never judges (a
// creator, even a moderator, is refused on their own factory; moderators appoint and remove
// reviewers, per factory or for all); a recording waiting for a person keeps its reservation past
// the TTL and is still paid when scored; moderators get the daily reminder; and resubmissions are
// paid on their own merit within the per-farmer-per-task limit, which counts only accepted ones.
import { expect, it } from "vitest";
import { reservationExpiryJob, reviewReminderJob } from "#src/economy/pools/pools-jobs.ts";
import type { jobs } from "#src/jobs.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { silentLogger } from "#src/log.ts";
import { type ConsoleHarness, describeConsole } from "#test/helpers/console.ts";
import { writeDemo } from "./demo-files.ts";

// Nothing listens on port 1: every grade falls back to manual review, where people type the scores.
const MANUAL = {
  GRADER_URL: "http://127.0.0.1:1/grade",
  GRADER_FALLBACK: "manual",
  GRADER_TIMEOUT_MS: "1000",
  FEE_POLICY: "clones",
};
const DAY = 86_400_000;

type Data = Record<string, unknown>;

const runJob = (h: ConsoleHarness, job: (typeof jobs)[number]) => {
  const now = h.clock.now();
  return job.run({
    period: { key: now.toISOString(), start: now, end: now },
    key: `${job.name}:${now.toISOString()}`,
    services: h.app.services,
    log: silentLogger,
    now,
  });
};

async function submitAndWait(h: ConsoleHarness, user: string, demo: string, factory = 1) {
  const r = await h.one(`@${user} /submit factory:${factory} ${writeDemo(demo)}`);
  expect([r.code, r.text]).toEqual(["ok", expect.stringContaining("queued")]);
  await h.app.services.submissions.queue.idle();
  return (r.data as { submissionId: number }).submissionId;
}

const factoryOf = async (h: ConsoleHarness, id: number) =>
  ((await h.one(`@mod /factory info factory:${id}`)).data as { factory: Data }).factory;

const balanceOf = async (h: ConsoleHarness, user: string) => {
  const data = (await h.one(`@${user} /balance token:USDC`)).data as { balances: Array<{ balance: string }> };
  return data.balances[0]?.balance ?? "0";
};

describeConsole(
  "the payer never judges",
  (get) => {
    it("refuses a creator scoring their own factory, even a creator who is a moderator", async () => {
      const h = get();
      const setup = await h.run(`
        @cora /balance
        @boss /balance
        @rex /balance
        @rita /balance
        @mod /admin credit user:@cora amount:10 token:USDC reason:grant
        @mod /admin credit user:@boss amount:10 token:USDC reason:grant
        @cora /factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:Flutter objectives:"Open; Build"
        @cora /pool fund factory:1 amount:1
        @cora /confirm
        @boss /factory create name:Boss token:USDC bid:0.2 task:"Implement shopping cart" app:Flutter objectives:"Open; Build"
        @boss /pool fund factory:2 amount:1
        @boss /confirm
      `);
      const funded = ["confirmation_required", "ok"];
      expect(setup.map((r) => r.code)).toEqual([...Array(7).fill("ok"), ...funded, "ok", ...funded]);
      const one = await submitAndWait(h, "fay", "judge-1");
      const two = await submitAndWait(h, "fay", "judge-2", 2);
      const refused = await h.run(`
        @cora /review score submission:${one} score:10
        @boss /review score submission:${two} score:10
        @fay /review score submission:${one} score:100
        @rex /review score submission:${one} score:90
      `);
      expect(refused.map((r) => r.code)).toEqual(Array(4).fill("forbidden"));
      expect(refused[0]!.text).toBe(
        "You created factory #1, so you pay for its demonstrations and may not judge them: moderators or the reviewers they appoint score them.",
      );
      expect(refused[1]!.text).toContain("You created factory #2");
      expect(refused[3]!.text).toBe(
        "Only moderators and the reviewers they appoint can score demonstrations of factory #1.",
      );
      // Nothing moved: both bids still reserved, nobody paid.
      expect(await factoryOf(h, 1)).toMatchObject({ reserved: "0.2", paid: 0 });
      expect(await factoryOf(h, 2)).toMatchObject({ reserved: "0.2", paid: 0 });
      expect(await balanceOf(h, "fay")).toBe("0");
      // The creator's queue never shows their own factory; boss (a moderator) sees only cora's.
      expect((await h.one("@cora /review queue")).data).toEqual({ items: [] });
      expect(((await h.one("@boss /review queue")).data as { items: Data[] }).items.map((i) => i.id)).toEqual(
        [one],
      );
      // Another moderator may: boss scores cora's factory, mod scores boss's.
      const ok = await h.run(`
        @boss /review score submission:${one} score:90
        @mod /review score submission:${two} score:85
      `);
      expect(ok.map((r) => (r.data as Data).kind)).toEqual(["settled", "settled"]);
      expect(await balanceOf(h, "fay")).toBe("0.315");
    });

    it("lets moderators appoint and remove reviewers, per factory or for all, never the creator", async () => {
      const h = get();
      const appoint = await h.run(`
        @rex /admin reviewer appoint user:@rita
        @mod /admin reviewer appoint user:@cora factory:1
        @mod /admin reviewer appoint user:@rex factory:1
        @mod /admin reviewer appoint user:@rex factory:1
        @mod /admin reviewer appoint user:@rita
        @mod /admin reviewer appoint user:@rex factory:99
      `);
      expect(appoint.map((r) => r.code)).toEqual([
        "forbidden",
        "invalid_option",
        "ok",
        "ok",
        "ok",
        "not_found",
      ]);
      expect(appoint[0]!.text).toContain("Only moderators can use /admin reviewer appoint");
      expect(appoint[1]!.text).toContain("created factory #1; its reviewer must be someone else");
      expect(appoint.slice(2, 5).map((r) => (r.data as Data).appointed)).toEqual([true, false, true]);
      const list = await h.one("@mod /admin reviewer list");
      expect(list.data).toEqual({
        reviewers: [
          { userId: expect.any(Number), factoryId: 1 },
          { userId: expect.any(Number), factoryId: null },
        ],
      });
      expect(list.text).toContain("rex: factory #1");
      expect(list.text).toContain("rita: every factory except the ones they create");
      expect((await h.one("@rex /admin reviewer list")).code).toBe("forbidden");

      const three = await submitAndWait(h, "gus", "judge-3");
      const four = await submitAndWait(h, "gus", "judge-4", 2);
      // rex reviews factory 1 only; rita reviews both.
      expect(((await h.one("@rex /review queue")).data as { items: Data[] }).items.map((i) => i.id)).toEqual([
        three,
      ]);
      const scored = await h.run(`
        @rex /review score submission:${four} score:90
        @rex /review score submission:${three} score:60 reason:"two objectives of three"
        @rita /review score submission:${four} score:70
      `);
      expect(scored.map((r) => r.code)).toEqual(["forbidden", "ok", "ok"]);
      const row = await h.app.db.prisma.submission.findUniqueOrThrow({ where: { id: three } });
      expect((row.grade as { reasons: string[] }).reasons).toEqual(["two objectives of three"]);

      // Removed, rex may no longer override; removing twice changes nothing.
      const removed = await h.run(`
        @rex /admin reviewer remove user:@rex factory:1
        @mod /admin reviewer remove user:@rex factory:1
        @mod /admin reviewer remove user:@rex factory:1
        @rex /review score submission:${three} score:95
      `);
      expect(removed.map((r) => r.code)).toEqual(["forbidden", "ok", "ok", "forbidden"]);
      expect(removed.slice(1, 3).map((r) => (r.data as Data).removed)).toEqual([true, false]);
      expect(removed[2]!.text).toContain("was not appointed");
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });

    it("keeps the creator out of appeals of their factory too", async () => {
      const h = get();
      const appealed = await h.one('@fay /review appeal submission:1 reason:"I did it all"');
      expect(appealed.code).toBe("ok");
      const r = await h.run(`
        @cora /review score submission:1 score:100
        @rita /review score submission:1 score:95
      `);
      expect(r.map((x) => x.code)).toEqual(["forbidden", "ok"]);
      expect((r[1]!.data as Data).kind).toBe("raised");
    });
  },
  { kinds: ["pglite", "postgres"], moderators: ["mod", "boss"], env: MANUAL },
);

describeConsole(
  "manual review never expires",
  (get) => {
    it("keeps the reservation past the TTL, pays when scored, and reminds moderators daily", async () => {
      const h = get();
      await h.run(`
        @cora /balance
        @mod /admin credit user:@cora amount:10 token:USDC reason:grant
        @cora /factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:Flutter objectives:"Open; Build"
        @cora /pool fund factory:1 amount:1
        @cora /confirm
      `);
      const id = await submitAndWait(h, "fay", "waits");
      const told = h.notices.filter((n) => n.to.includes("fay")).at(-1)!;
      expect(told.text).toContain("stays reserved for you until a reviewer scores it");
      // Under a day: nothing to remind.
      expect((await runJob(h, reviewReminderJob)).data).toEqual({ overdue: 0, reminded: 0 });
      h.clock.advance(8 * DAY);
      expect((await runJob(h, reservationExpiryJob)).data).toEqual({ expired: 0 });
      expect(await factoryOf(h, 1)).toMatchObject({ reserved: "0.2", available: "0.8" });
      const before = h.notices.length;
      expect((await runJob(h, reviewReminderJob)).data).toEqual({ overdue: 1, reminded: 1 });
      const reminder = h.notices.slice(before);
      expect(reminder.map((n) => n.to)).toEqual([expect.stringContaining("mod")]);
      expect(reminder[0]!.text).toContain(`#${id} factory #1: needs a score, waiting 8 days`);
      expect(reminder[0]!.data).toEqual({ overdue: 1, submissionIds: [id] });
      // Scored after eight days, it settles and pays as on the first day.
      const scored = await h.one(`@mod /review score submission:${id} score:90`);
      expect(scored.data).toMatchObject({ kind: "settled", farmer: "0.162", fee: "0.018", refund: "0.02" });
      // The farmer's notice carries the same decimals as the reply, never raw atoms.
      expect(h.notices.filter((n) => n.to.includes("fay")).at(-1)!.data).toEqual({
        submissionId: id,
        score: 90,
        token: "USDC",
        reward: "0.18",
        fee: "0.018",
        commissions: "0",
        farmer: "0.162",
        refund: "0.02",
      });
      expect((await runJob(h, reviewReminderJob)).data).toEqual({ overdue: 0, reminded: 0 });
      // An appeal left waiting over a day is in the reminder too.
      await h.one('@fay /review appeal submission:1 reason:"worth more"');
      h.clock.advance(2 * DAY);
      const appeal = await runJob(h, reviewReminderJob);
      expect(appeal.data).toEqual({ overdue: 1, reminded: 1 });
      expect(h.notices.at(-1)!.text).toContain("#1 factory #1: appeal waiting 2 days");
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });
  },
  { kinds: ["pglite", "postgres"], moderators: ["mod"], env: MANUAL },
);

describeConsole(
  "resubmissions: each accepted recording on its own merit, within the limit",
  (get) => {
    it("refuses an extra attempt once the default limit of one accepted recording is reached", async () => {
      const h = get();
      await h.run(`
        @cora /balance
        @mod /admin credit user:@cora amount:10 token:USDC reason:grant
        @cora /factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:Flutter objectives:"Open; Build"
        @cora /pool fund factory:1 amount:2
        @cora /confirm
      `);
      expect((await factoryOf(h, 1)).limits).toMatchObject({ limitPerFarmerTask: 1 });
      const first = await submitAndWait(h, "fay", "fay-a");
      // Waiting for a grade, it may yet be accepted: it counts.
      const waiting = await h.one(`@fay /submit factory:1 ${writeDemo("fay-b")}`);
      expect(waiting.code).toBe("limit_reached");
      await h.one(`@mod /review score submission:${first} score:90`);
      const extra = await h.one(`@fay /submit factory:1 ${writeDemo("fay-b")}`);
      expect([extra.code, extra.text]).toEqual([
        "limit_reached",
        "Factory #1 pays 1 accepted recording of a task per farmer, and 1 recording of yours for this task is accepted or waiting for a grade. Only a recording below the threshold, or expired, leaves room for another try; record another task.",
      ]);
      expect(await h.app.db.prisma.submission.count()).toBe(1);
    });

    it("lets a farmer try again after a recording below the threshold, and pays the new one in full", async () => {
      const h = get();
      const low = await submitAndWait(h, "gus", "gus-a");
      await h.one(`@mod /review score submission:${low} score:40`);
      const again = await submitAndWait(h, "gus", "gus-b");
      const paid = await h.one(`@mod /review score submission:${again} score:85`);
      // Paid on its own merit: 0.17 gross, 0.017 fee, nothing held back for the earlier try.
      expect(paid.data).toMatchObject({ kind: "settled", farmer: "0.153", fee: "0.017", refund: "0.03" });
      expect((await h.one(`@gus /submit factory:1 ${writeDemo("gus-c")}`)).code).toBe("limit_reached");
      // Raising the earlier try over the threshold would make a second accepted one: refused, nothing paid.
      const before = await balanceOf(h, "gus");
      const raised = await h.one(`@mod /review score submission:${low} score:70`);
      expect([raised.code, raised.text]).toEqual([
        "limit_reached",
        `Submission #${low} cannot become an accepted recording: its farmer already has 1 accepted (or waiting) recording of this task, and factory #1 pays 1. Its score stays below the threshold.`,
      ]);
      expect(await balanceOf(h, "gus")).toBe(before);
      // Within it, a below-threshold score may still change.
      expect((await h.one(`@mod /review score submission:${low} score:45`)).data).toMatchObject({
        kind: "raised",
      });
    });

    it("pays every accepted recording up to a higher limit, each in full", async () => {
      const h = get();
      await h.one("@cora /factory edit factory:1 per_farmer_task:2");
      const second = await submitAndWait(h, "fay", "fay-c");
      const r = await h.one(`@mod /review score submission:${second} score:75`);
      // 0.15 paid whole; fee floor((0.18 + 0.15) × 10%) - 0.018 = 0.015.
      expect(r.data).toMatchObject({ farmer: "0.135", fee: "0.015", refund: "0.05" });
      expect(await balanceOf(h, "fay")).toBe("0.297");
      expect((await h.one(`@fay /submit factory:1 ${writeDemo("fay-d")}`)).code).toBe("limit_reached");
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });
  },
  { kinds: ["pglite"], moderators: ["mod"], env: MANUAL },
);
