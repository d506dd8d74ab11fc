// /submit as a farmer types it: the real recording is parsed, processed into actions, graded by the
// built-in rubric in the background and settled; damaged copies are refused with nothing reserved;
// duplicates, limits, paused and empty pools, premium pools; expiry of queued reservations never
// graded (also after a run stopped by its timeout); the XP boost. Manual review's own rules (never
// expires, the reminder, who may score) are in review.test.ts.
import { expect, it } from "vitest";
import { pendingGradesJob, reputationDecayJob, reservationExpiryJob } from "#src/economy/pools/pools-jobs.ts";
import { JobTimeoutError } from "#src/epochs/timeouts.ts";
import { jobs } from "#src/jobs.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { silentLogger } from "#src/log.ts";
import { type ConsoleHarness, describeConsole } from "#test/helpers/console.ts";
import { damagedDemos, FIXTURE_DIR, filesOf, writeDemo } from "./demo-files.ts";

type Data = Record<string, unknown>;
const factoryOf = async (h: ConsoleHarness, id = 1) =>
  ((await h.one(`@cora /factory info factory:${id}`)).data as { factory: Data }).factory;

const runJob = (h: ConsoleHarness, job: (typeof jobs)[number], signal?: AbortSignal) => {
  const now = h.clock.now();
  return job.run({
    period: { key: now.toISOString(), start: now, end: now },
    key: `${job.name}:${now.toISOString()}`,
    services: h.app.services,
    log: silentLogger,
    now,
    signal,
  });
};

describeConsole(
  "submitting demonstrations",
  (get) => {
    it("takes the real recording: queued with its actions, graded by the rubric, settled and told", async () => {
      const h = get();
      await h.run(`
        @cora /balance
        @mod /admin credit user:@cora amount:100 token:USDC reason:grant
        @cora /factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open Flutter E-Commerce project in your IDE; Implement state management for shopping cart; Ensure smooth transition between selection and checkout; Test functionality thoroughly" ref:task_2
        @cora /pool fund factory:1 amount:1
        @cora /confirm
      `);
      const queued = await h.one(`@fay /submit factory:1 ${filesOf(FIXTURE_DIR)}`);
      expect(queued.code).toBe("ok");
      expect(queued.text).toContain("queued for grading");
      expect(queued.text).toMatch(/What we saw: \d+ s recorded .*click/);
      expect(queued.data).toMatchObject({ submissionId: 1, reserved: "0.2", status: "queued" });
      await h.app.services.submissions.queue.idle();
      const row = await h.app.db.prisma.submission.findUniqueOrThrow({ where: { id: 1 } });
      expect(row.status).toBe("settled");
      const grade = row.grade as {
        score: number;
        breakdown: { outcome: number; process: number; efficiency: number };
        grader: string;
      };
      expect(grade.grader).toBe("rubric");
      expect(grade.score).toBe(
        grade.breakdown.outcome + grade.breakdown.process + grade.breakdown.efficiency,
      );
      const notice = h.notices.find((n) => n.to.includes("fay"))!;
      expect(notice.text).toContain(`scored ${grade.score}/100 — outcome ${grade.breakdown.outcome}/60`);
      // The money follows the grade exactly.
      const gross = grade.score >= 50 ? (200_000n * BigInt(grade.score)) / 100n : 0n;
      const fee = gross / 10n;
      expect([
        row.rewardAtoms?.toFixed(),
        row.feeAtoms?.toFixed(),
        row.farmerAtoms?.toFixed(),
        row.refundAtoms?.toFixed(),
      ]).toEqual([String(gross), String(fee), String(gross - fee), String(200_000n - gross)]);
      const scores = await h.one("@fay /scores");
      expect((scores.data as { items: Data[] }).items[0]).toMatchObject({
        id: 1,
        status: "settled",
        score: grade.score,
      });
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });

    it("refuses the same recording again, from anyone", async () => {
      const h = get();
      const again = await h.run(`
        @fay /submit factory:1 ${filesOf(FIXTURE_DIR)}
        @gus /submit factory:1 ${filesOf(FIXTURE_DIR)}
      `);
      expect(again.map((r) => r.code)).toEqual(["duplicate_demonstration", "duplicate_demonstration"]);
      expect(again[0]!.text).toContain("You already submitted this recording (submission #1)");
    });

    it("refuses every damaged copy with a clear message, reserving nothing", async () => {
      const h = get();
      const before = await factoryOf(h);
      for (const [what, damaged] of Object.entries(damagedDemos())) {
        const r = await h.one(`@gus /submit factory:1 ${damaged.options}`);
        expect([what, r.code]).toEqual([what, damaged.code]);
        expect(r.text.length).toBeGreaterThan(30);
      }
      expect(await factoryOf(h)).toEqual(before);
      expect(await h.app.db.prisma.submission.count()).toBe(1);
    });

    it("refuses bad input of every other kind", async () => {
      const h = get();
      const bad = await h.run(`
        @gus /submit factory:99 ${writeDemo("nowhere")}
        @gus /submit factory:0 ${writeDemo("zero")}
        @gus /submit factory:1 file:file:/does/not/exist.zip
        @gus /submit factory:1
        @gus /review score submission:1 score:50
        @gus /review score submission:999 score:50
        @mod /review score submission:1 score:101
        @gus /review appeal submission:1 reason:"not mine"
      `);
      expect(bad.map((r) => r.code)).toEqual([
        "not_found",
        "invalid_option",
        "invalid_option",
        "missing_option",
        "forbidden",
        "not_found",
        "invalid_option",
        "forbidden",
      ]);
    });

    it("refuses when the pool is out of funds, paused or closed", async () => {
      const h = get();
      // Nobody grades meanwhile, so each reservation stays and the pool runs dry at a known count.
      const grader = h.app.services.submissions.grader!;
      h.app.services.submissions.use({
        grader: { grade: async () => ({ kind: "manual_review", reason: "test" }) },
      });
      const f = await factoryOf(h);
      const demos = BigInt(String(f.fundedDemonstrations));
      for (let i = 0n; i < demos; i++) {
        expect((await h.one(`@u${i} /submit factory:1 ${writeDemo(`fill-${i}`)}`)).code).toBe("ok");
      }
      const empty = await h.one(`@gus /submit factory:1 ${writeDemo("empty-pool")}`);
      expect([empty.code, empty.text]).toEqual([
        "out_of_funds",
        expect.stringContaining("Nothing was reserved"),
      ]);
      expect((await factoryOf(h)).status).toBe("out_of_funds");
      await h.app.services.submissions.queue.idle();
      h.app.services.submissions.use({ grader });
      await h.run("@cora /pool fund factory:1 amount:10\n@cora /confirm\n@cora /factory pause factory:1");
      expect((await h.one(`@gus /submit factory:1 ${writeDemo("paused")}`)).code).toBe("factory_paused");
      expect((await h.one("@cora /bids")).data).toMatchObject({ pools: [] });
      await h.one("@cora /factory resume factory:1");
      expect(((await h.one("@gus /bids")).data as { pools: Data[] }).pools.map((p) => p.id)).toEqual([1]);
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });
  },
  { kinds: ["pglite"], moderators: ["mod"] },
);

describeConsole(
  "limits, premium pools, expiry and XP",
  (get) => {
    it("keeps each limit: per farmer per task, per UTC day, in total", async () => {
      const h = get();
      await h.run(`
        @cora /balance
        @mod /admin credit user:@cora amount:100 token:USDC reason:grant
        @cora /factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open; Build; Test" ref:task_2 per_farmer_task:1 per_day:2 total:3
        @cora /pool fund factory:1 amount:10
        @cora /confirm
      `);
      // Every recording is accepted (score 80), so each counts against the per-farmer-per-task limit.
      const grader = h.app.services.submissions.grader!;
      h.app.services.submissions.use({
        grader: {
          grade: async () => ({
            kind: "graded",
            grade: {
              score: 80,
              breakdown: { outcome: 48, process: 24, efficiency: 8 },
              reasons: ["test"],
              flags: [],
              grader: "rubric",
            },
          }),
        },
      });
      const r = await h.run(`
        @fay /submit factory:1 ${writeDemo("l1")}
        @fay /submit factory:1 ${writeDemo("l2")}
        @gus /submit factory:1 ${writeDemo("l3")}
        @hal /submit factory:1 ${writeDemo("l4")}
      `);
      h.app.services.submissions.use({ grader });
      expect(r.map((x) => x.code)).toEqual(["ok", "limit_reached", "ok", "limit_reached"]);
      expect(r[1]!.text).toContain("per farmer");
      expect(r[3]!.text).toContain("a day");
      h.clock.advance(24 * 3_600_000);
      expect((await h.one(`@hal /submit factory:1 ${writeDemo("l5")}`)).code).toBe("ok");
      const total = await h.one(`@ivy /submit factory:1 ${writeDemo("l6")}`);
      expect([total.code, total.text]).toEqual(["limit_reached", expect.stringContaining("all the 3")]);
      await h.app.services.submissions.queue.idle();
    });

    it("shows premium pools only above their reputation, and lets in only those", async () => {
      const h = get();
      await h.run(`
        @cora /factory create name:Premium token:USDC bid:1 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open; Build" min_reputation:90
        @cora /pool fund factory:2 amount:10
        @cora /confirm
      `);
      await h.run(`
        @cora /factory create name:Better token:USDC bid:0.5 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open; Build"
        @cora /pool fund factory:3 amount:1
        @cora /confirm
      `);
      // Best bid first; the premium one (bid 1) hidden below its bar.
      const board = await h.one("@newbie /bids");
      expect(
        (board.data as { pools: Data[] }).pools.map((p) => [p.id, p.bid, p.fundedDemonstrations]),
      ).toEqual([
        [3, "0.5", "2"],
        [1, "0.2", expect.any(String)],
      ]);
      expect(board.text).toContain("#3 Better: up to 0.5 USDC per demonstration, 2 left");
      const refused = await h.one(
        `@newbie /submit factory:2 ${writeDemo("p1", { quest: { task_id: "task_1" } })}`,
      );
      // No track record yet (docs/economy.md section 5): reputation does not count before 5 graded.
      expect([refused.code, refused.text]).toEqual([
        "track_record_needed",
        expect.stringContaining(
          "needs reputation 90, yours is 0 and counts only after 5 graded demonstrations",
        ),
      ]);
      const rep = await h.one("@fay /reputation");
      expect((rep.data as { reputation: number }).reputation).toBeGreaterThanOrEqual(0);
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });

    it("opens a premium-first factory to farmers above its bar for its head start, then to all", async () => {
      const h = get();
      const create = (extra: string) =>
        h.one(
          `@cora /factory create name:Early token:USDC bid:1 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open; Build" ${extra}`,
        );
      const factoriesBefore = await h.app.db.prisma.factory.count();
      const noBar = await create("premium_hours:24");
      expect([noBar.code, noBar.text]).toEqual(["invalid_option", expect.stringContaining("min_reputation")]);
      expect((await create("min_reputation:90 premium_hours:721")).code).not.toBe("ok");
      expect(await h.app.db.prisma.factory.count()).toBe(factoriesBefore);

      const created = await create("min_reputation:90 premium_hours:24");
      const id = (created.data as { factory: { id: number } }).factory.id;
      // The head start counts from the first funding: until then it is simply premium.
      expect(created.text).toContain("reputation ≥ 90 for 24 h after the first funding, then open to all");
      h.clock.set("2026-06-01T10:00:00Z");
      await h.run(`
        @cora /pool fund factory:${id} amount:5
        @cora /confirm
      `);
      h.clock.advance(12 * 3_600_000);
      await h.run(`@cora /pool fund factory:${id} amount:1\n@cora /confirm`); // a top-up moves nothing
      const listed = async () =>
        ((await h.one("@newbie /bids")).data as { pools: Data[] }).pools.map((p) => p.id);
      const submit = () =>
        h.one(`@newbie /submit factory:${id} ${writeDemo(`early${h.clock.now().getTime()}`)}`);

      h.clock.set("2026-06-02T09:59:00Z"); // one minute before the head start ends
      expect(await listed()).not.toContain(id);
      const early = await submit();
      expect([early.code, early.text]).toEqual([
        "track_record_needed",
        expect.stringContaining("It opens to everyone at 2026-06-02 10:00 UTC."),
      ]);
      const submissionsTo = () => h.app.db.prisma.submission.count({ where: { factoryId: id } });
      expect(await submissionsTo()).toBe(0);
      // Dropping the bar while the head start is set is refused: it would mean nothing.
      const drop = await h.one(`@cora /factory edit factory:${id} min_reputation:0`);
      expect([drop.code, drop.text]).toEqual(["invalid_option", expect.stringContaining("premium_hours:0")]);

      h.clock.set("2026-06-02T10:00:00Z");
      expect(await listed()).toContain(id);
      expect((await submit()).code).toBe("ok");
      expect(await submissionsTo()).toBe(1);
      const info = await h.one(`@newbie /factory info factory:${id}`);
      expect(info.text).toContain("premium first until 2026-06-02 10:00 UTC, now open to all");
      expect(info.data).toMatchObject({
        factory: { reputationBar: null, premiumUntil: "2026-06-02T10:00:00.000Z" },
      });
      await h.app.services.submissions.queue.idle();
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });

    it("returns a reservation never graded to the pool after the TTL, exactly once", async () => {
      const h = get();
      // The grader takes longer than the TTL: the submission stays queued until it answers.
      const grader = h.app.services.submissions.grader!;
      let answer: (outcome: Awaited<ReturnType<typeof grader.grade>>) => void = () => {};
      // The grader is asked only once the recording's actions are read back from the store, which
      // may come after the steps below: the late answer waits until it has been asked.
      let asked: () => void = () => {};
      const gradingStarted = new Promise<void>((resolve) => (asked = resolve));
      h.app.services.submissions.use({
        grader: {
          grade: () =>
            new Promise((resolve) => {
              answer = resolve;
              asked();
            }),
        },
      });
      try {
        await h.run("@cora /factory edit factory:1 per_farmer_task:0 per_day:0 total:0");
        const before = await factoryOf(h);
        const r = await h.one(`@jo /submit factory:1 ${writeDemo("slow")}`);
        expect((await factoryOf(h)).reserved).toBe("0.2");
        h.clock.advance(167 * 3_600_000);
        expect((await runJob(h, reservationExpiryJob)).data).toEqual({ expired: 0 });
        h.clock.advance(2 * 3_600_000);
        // A run that timed out before its first submission expires nothing and leaves it reserved.
        const timedOut = AbortSignal.abort(new JobTimeoutError(600_000));
        await expect(runJob(h, reservationExpiryJob, timedOut)).rejects.toBeInstanceOf(JobTimeoutError);
        expect((await factoryOf(h)).reserved).toBe("0.2");
        expect(await h.app.db.prisma.submission.count({ where: { status: "expired" } })).toBe(0);
        expect((await runJob(h, reservationExpiryJob)).data).toEqual({ expired: 1 });
        expect((await runJob(h, reservationExpiryJob)).data).toEqual({ expired: 0 });
        expect(await factoryOf(h)).toMatchObject({ reserved: "0", balance: before.balance });
        const id = (r.data as { submissionId: number }).submissionId;
        expect((await h.app.db.prisma.submission.findUniqueOrThrow({ where: { id } })).status).toBe(
          "expired",
        );
        expect(h.notices.at(-1)!.text).toContain("went back to the pool");
        // The late grade changes nothing, and a person cannot score it either.
        await gradingStarted;
        answer({ kind: "manual_review", reason: "too late" });
        await h.app.services.submissions.queue.idle();
        expect((await h.app.db.prisma.submission.findUniqueOrThrow({ where: { id } })).status).toBe(
          "expired",
        );
        expect(await h.one(`@mod /review score submission:${id} score:90`)).toMatchObject({
          code: "invalid_state",
        });
        expect((await auditLedger(h.app.db)).ok).toBe(true);
      } finally {
        h.app.services.submissions.use({ grader });
      }
    });

    it("registers its jobs, and the pending-grades job picks up what is queued", async () => {
      const h = get();
      expect(jobs).toEqual(
        expect.arrayContaining([reservationExpiryJob, pendingGradesJob, reputationDecayJob]),
      );
      expect((await runJob(h, pendingGradesJob)).data).toEqual({ queued: 0 });
      const decay = await runJob(h, reputationDecayJob);
      expect((decay.data as { farmers: number }).farmers).toBeGreaterThan(0);
    });

    it("burns CLONES for an XP boost, after a preview", async () => {
      const h = get();
      const poor = await h.run("@fay /xp boost\n@fay /confirm");
      expect(poor.map((r) => r.code)).toEqual(["insufficient_funds", "nothing_to_confirm"]);
      expect(poor[0]!.text).toMatch(/^An XP boost burns 100 CLONES\. Insufficient funds: 0 CLONES available/);
      await h.one("@mod /admin credit user:@fay amount:150 token:CLONES reason:grant");
      const bought = await h.run("@fay /xp boost\n@fay /confirm");
      expect(bought[1]).toMatchObject({ code: "ok", data: { burned: "100" } });
      const burn = await h.app.services.ledger.balance(h.app.db.prisma, {
        ownerType: "system",
        ownerId: "burn",
        token: "CLONES",
        purpose: "burn",
      });
      expect(burn.balanceAtoms).toBe(100n * 10n ** 9n);
      const rep = await h.one("@fay /reputation");
      expect(rep.text).toContain("XP boost: ×2");
    });
  },
  { kinds: ["pglite"], moderators: ["mod"] },
);

describeConsole(
  "the deployment's upload limit",
  (get) => {
    it("refuses an upload over the deployment's DEMO_MAX_BYTES, reserving nothing", async () => {
      const h = get();
      await h.run(`
        @mod /admin credit user:@cora amount:10 token:USDC reason:grant
        @cora /factory create name:Small token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open; Build" ref:task_2
        @cora /pool fund factory:1 amount:1
        @cora /confirm
      `);
      // The real recording is about 112 KB; this deployment takes 100,000 bytes.
      const refused = await h.one(`@fay /submit factory:1 ${filesOf(FIXTURE_DIR)}`);
      expect([refused.code, refused.text]).toEqual([
        "demo_too_large",
        "The upload is larger than the 97.7 KB a demonstration may take. Record a shorter session, or leave the video out.",
      ]);
      expect(await h.app.db.prisma.submission.count()).toBe(0);
      expect((await factoryOf(h)).reserved).toBe("0");
    });
  },
  { kinds: ["pglite"], moderators: ["mod"], env: { DEMO_MAX_BYTES: "100000" } },
);
