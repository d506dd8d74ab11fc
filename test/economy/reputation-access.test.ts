// Reputation, XP and access through the console (docs/economy.md section 5): reputation counts for a
// premium factory only after 5 graded demonstrations (a sixth attempt, one of the five still
// waiting for a person, is refused); speed is the recording time against the median of the task's
// accepted recordings; XP is the experience part, so a boost builds reputation faster; a level
// reached is announced; tiers follow the CLONES supply left after burns; the Playground admits only
// the month's top N farmers by quality. Grades come from a stub grader so scores are exact.
import { expect, it } from "vitest";
import type { Grade } from "#src/grading/types.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { type ConsoleHarness, describeConsole } from "#test/helpers/console.ts";
import { writeDemo } from "./demo-files.ts";

type Data = Record<string, unknown>;
const TASK = 'task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open; Build"';

describeConsole(
  "reputation, XP and access",
  (get) => {
    /** What the stub grader gives next: a score, or "manual" (waits for a person). */
    let next: number | "manual" = 70;
    let demos = 0;
    const useStubGrader = (h: ConsoleHarness) =>
      h.app.services.submissions.use({
        grader: {
          grade: async () =>
            next === "manual"
              ? { kind: "manual_review", reason: "test: a person decides" }
              : {
                  kind: "graded",
                  grade: {
                    score: next,
                    breakdown: {
                      outcome: Math.min(60, next),
                      process: Math.max(0, next - 60),
                      efficiency: 0,
                    },
                    reasons: ["test"],
                    flags: [],
                    grader: "external",
                  } satisfies Grade,
                },
        },
      });
    /** One new recording by `who` to `factory`, graded as `score`; its /submit reply. */
    const submit = async (who: string, factory: number, score: number | "manual", seconds = 11) => {
      const h = get();
      next = score;
      demos++;
      const r = await h.one(
        `@${who} /submit factory:${factory} ${writeDemo(`rep-${demos}`, { quest: { task_id: "task_1" }, meta: { duration_seconds: seconds } })}`,
      );
      await h.app.services.submissions.queue.idle();
      return r;
    };
    const reputationOf = async (who: string) => (await get().one(`@${who} /reputation`)).data as Data;
    const createFunded = async (extra: string) => {
      const h = get();
      const created = await h.one(
        `@cora /factory create name:F token:USDC bid:0.2 ${TASK} per_farmer_task:100 ${extra}`,
      );
      expect(created.code, created.text).toBe("ok");
      const id = (created.data as { factory: { id: number } }).factory.id;
      await h.run(`@cora /pool fund factory:${id} amount:20\n@cora /confirm`);
      return id;
    };

    let open = 0;
    let premium = 0;

    it("counts reputation for a premium factory only after 5 graded demonstrations", async () => {
      const h = get();
      h.clock.set("2026-06-10T12:00:00Z");
      await h.run("@cora /balance\n@mod /admin credit user:@cora amount:1000 token:USDC reason:grant");
      useStubGrader(h);
      open = await createFunded("");
      premium = await createFunded("min_reputation:60");
      expect((await submit("fay", open, 70)).code).toBe("ok");
      const one = await reputationOf("fay");
      // One 70-point demonstration: a reputation above the bar, but no track record yet.
      expect(one).toMatchObject({ graded: 1, countsForAccess: false });
      expect(one.reputation as number).toBeGreaterThanOrEqual(60);
      const early = await submit("fay", premium, 70);
      expect([early.code, early.text]).toEqual([
        "track_record_needed",
        `Factory #${premium} is premium: it needs reputation 60, yours is ${one.reputation} and counts only after 5 graded demonstrations; you have 1. Record for open factories first (/bids).`,
      ]);
      const bids = async () => ((await h.one("@fay /bids")).data as { pools: Data[] }).pools.map((p) => p.id);
      expect(await bids()).not.toContain(premium);
      for (let i = 0; i < 3; i++) expect((await submit("fay", open, 70)).code).toBe("ok");
      // The fifth recording waits for a person: five submitted, four graded.
      const waiting = await submit("fay", open, "manual");
      const waitingId = (waiting.data as { submissionId: number }).submissionId;
      const sixth = await submit("fay", premium, 70);
      expect([sixth.code, sixth.text]).toEqual([
        "track_record_needed",
        expect.stringContaining("you have 4"),
      ]);
      expect(await h.app.db.prisma.submission.count({ where: { factoryId: premium } })).toBe(0);
      expect((await h.one(`@mod /review score submission:${waitingId} score:70`)).code).toBe("ok");
      const five = await reputationOf("fay");
      expect(five).toMatchObject({ graded: 5, countsForAccess: true });
      expect(await bids()).toContain(premium);
      expect((await submit("fay", premium, 70)).code).toBe("ok");
    });

    it("scores speed against the median recording time of the task's accepted recordings", async () => {
      const task = await createFunded("");
      // Accepted recordings of this task: 100 s, 100 s, 200 s (median 100 s); a rejected 10 s one
      // does not move the median.
      expect((await submit("gus", task, 80, 100)).code).toBe("ok");
      expect((await submit("ivy", task, 80, 100)).code).toBe("ok");
      expect((await submit("hal", task, 80, 200)).code).toBe("ok");
      expect((await submit("jon", task, 10, 10)).code).toBe("ok");
      const gus = await reputationOf("gus");
      const hal = await reputationOf("hal");
      expect([(gus.parts as Data).speed, (hal.parts as Data).speed]).toEqual([100, 50]);
      expect(gus.reputation as number).toBeGreaterThan(hal.reputation as number);
      // Faster than the median is full marks, not more.
      expect((((await reputationOf("jon")).parts as Data).speed as number) <= 100).toBe(true);
      expect(((await reputationOf("jon")).parts as Data).speed).toBe(100);
    });

    it("feeds XP into reputation, so a boost builds it faster, and announces a level reached", async () => {
      const h = get();
      const task = await createFunded("");
      await h.run(`
        @kim /balance
        @lee /balance
        @mod /admin credit user:@lee amount:100 token:CLONES reason:grant
        @lee /xp boost
        @lee /confirm
      `);
      const noticesBefore = h.notices.length;
      expect((await submit("kim", task, 100)).code).toBe("ok");
      expect((await submit("lee", task, 100)).code).toBe("ok");
      const kim = await reputationOf("kim");
      const lee = await reputationOf("lee");
      // Same work; the boost (×10 here) gave lee 1,000 XP against kim's 100.
      expect([kim.xp, lee.xp]).toEqual(["100", "1000"]);
      expect([(kim.parts as Data).experience, (lee.parts as Data).experience]).toEqual([10, 100]);
      expect(lee.reputation as number).toBeGreaterThan(kim.reputation as number);
      expect([kim.level, lee.level]).toEqual([1, 2]);
      const levelNotices = h.notices.slice(noticesBefore).filter((n) => n.text.includes("You reached level"));
      expect(levelNotices.map((n) => [n.to, n.text])).toEqual([
        [
          expect.stringContaining("lee"),
          "Level 2\nYou reached level 2 with 1000 XP. XP adds to your reputation (its experience part); /reputation shows where you stand.",
        ],
      ]);
    });

    it("measures staking tiers against the CLONES supply left after burns", async () => {
      const h = get();
      // Tier 1 needs 0.1% of the supply: 1,000,000 CLONES of 1,000,000,000. lee burned 100 already.
      await h.run("@amy /balance\n@mod /admin credit user:@amy amount:1000000 token:CLONES reason:grant");
      const staked = await h.one("@amy /stake add amount:999999.8");
      expect(staked.data).toMatchObject({ tier: 0 });
      const before = (await h.one("@amy /stake status")).data as Data;
      expect(before).toMatchObject({ supply: "999999900", next: { tier: 1, threshold: "999999.9" } });
      // Another 100 CLONES burned for a boost: the supply falls to 999,999,800 and so does tier 1.
      await h.run(`
        @ben /balance
        @mod /admin credit user:@ben amount:100 token:CLONES reason:grant
        @ben /xp boost
        @ben /confirm
      `);
      const after = (await h.one("@amy /stake status")).data as Data;
      expect(after).toMatchObject({ supply: "999999800", tier: 1, staked: "999999.8" });
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });

    it("opens a Playground factory only to the month's top N farmers by quality", async () => {
      const h = get();
      const refusals = await h.run(`
        @cora /factory create name:P token:USDC bid:0.2 ${TASK} playground_top:5000
        @fay /factory edit factory:${open} playground_top:3
      `);
      expect(refusals.map((r) => r.code)).toEqual(["invalid_option", "forbidden"]);
      const playground = await createFunded("playground_top:1");
      const info = await h.one(`@fay /factory info factory:${playground}`);
      expect(info.text).toContain("the Playground: the month's top 1 farmer by quality");
      // mo: 5 graded at 90 this month, first; fay: 6 graded at 70, second; gus: 1 graded, unranked.
      for (let i = 0; i < 5; i++) expect((await submit("mo", open, 90)).code).toBe("ok");
      const fay = await submit("fay", playground, 70);
      expect([fay.code, fay.text]).toEqual([
        "playground_only",
        `Factory #${playground} is in the Playground: only the month's top 1 farmers by average quality may submit, and you are #2 this month. Raise your quality on open factories (/bids); /leaderboard farmers metric:quality period:month shows the ranking.`,
      ]);
      const gus = await submit("gus", playground, 70);
      expect([gus.code, gus.text]).toEqual([
        "playground_only",
        expect.stringContaining("you are not ranked this month: 1 graded demonstration(s), 5 needed"),
      ]);
      expect(await h.app.db.prisma.submission.count({ where: { factoryId: playground } })).toBe(0);
      expect((await submit("mo", playground, 90)).code).toBe("ok");
      expect((await h.one(`@cora /factory edit factory:${playground} playground_top:2`)).code).toBe("ok");
      expect((await submit("fay", playground, 70)).code).toBe("ok");
      // A new month starts a new ranking: nobody has 5 graded demonstrations in July yet.
      h.clock.set("2026-07-01T00:00:00Z");
      expect((await submit("mo", playground, 90)).code).toBe("playground_only");
      expect((await h.one(`@cora /factory edit factory:${playground} playground_top:0`)).code).toBe("ok");
      expect((await submit("gus", playground, 70)).code).toBe("ok");
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });
  },
  { moderators: ["mod"], env: { XP_BOOST_MULTIPLIER: "10" } },
);
