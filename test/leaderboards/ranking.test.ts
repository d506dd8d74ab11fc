import { Decimal } from "decimal.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Leaderboards } from "#src/leaderboards/leaderboards.ts";
import { periodWindow } from "#src/leaderboards/periods.ts";
import { rank, topWithViewer } from "#src/leaderboards/ranking.ts";
import { boardText } from "#src/leaderboards/replies.ts";
import type { Board } from "#src/leaderboards/types.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { postgresAvailable } from "#test/helpers/db.ts";
import { LedgerSeed } from "./seed.ts";

const USDC = 1_000_000n;
const NOW = new Date("2026-11-25T12:00:00Z"); // a Wednesday

const names = (b: Board) => b.rows.map((r) => `${r.rank}:${r.name}`);

describe("periods (UTC)", () => {
  it("day, ISO week from Monday, calendar month, all time", () => {
    const iso = (d?: Date) => d?.toISOString();
    const day = periodWindow("day", NOW);
    expect([iso(day.start), iso(day.end)]).toEqual(["2026-11-25T00:00:00.000Z", "2026-11-26T00:00:00.000Z"]);
    const week = periodWindow("week", NOW);
    expect([iso(week.start), iso(week.end)]).toEqual([
      "2026-11-23T00:00:00.000Z",
      "2026-11-30T00:00:00.000Z",
    ]);
    // A Sunday belongs to the week that began the Monday before.
    expect(iso(periodWindow("week", new Date("2026-11-29T23:59:59Z")).start)).toBe(
      "2026-11-23T00:00:00.000Z",
    );
    const month = periodWindow("month", new Date("2026-12-31T23:59:59Z"));
    expect([iso(month.start), iso(month.end)]).toEqual([
      "2026-12-01T00:00:00.000Z",
      "2027-01-01T00:00:00.000Z",
    ]);
    expect(periodWindow("all", NOW).start).toBeUndefined();
  });
});

describe("rank (property)", () => {
  it("orders by value, equal values share a rank, the next rank skips, equals are ordered by id", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({ id: fc.integer({ min: 1, max: 500 }), score: fc.bigInt({ min: 0n, max: 5n }) }),
          {
            selector: (e) => e.id,
          },
        ),
        (entries) => {
          const ranked = rank(entries.map((e) => ({ id: String(e.id), score: e.score, item: null })));
          ranked.forEach((r, i) => {
            // rank = 1 + how many have a strictly higher value
            expect(r.rank).toBe(1 + entries.filter((e) => e.score > (r.score as bigint)).length);
            const next = ranked[i + 1];
            if (next) {
              expect(next.score <= r.score).toBe(true);
              if (next.score === r.score) expect(Number(next.id)).toBeGreaterThan(Number(r.id));
            }
          });
        },
      ),
    );
  });

  it("compares decimals exactly and shows the viewer outside the top", () => {
    const ranked = rank([
      { id: "1", score: new Decimal("0.9"), item: null },
      { id: "2", score: new Decimal("0.90"), item: null },
      { id: "3", score: new Decimal("0.9000000000000000000001"), item: null },
    ]);
    expect(ranked.map((r) => [r.id, r.rank])).toEqual([
      ["3", 1],
      ["1", 2],
      ["2", 2],
    ]);
    expect(topWithViewer(ranked, 1, "2").viewer?.rank).toBe(2);
    expect(topWithViewer(ranked, 1, "3").viewer).toBeUndefined();
    // Several ids (a creator's factories): the best-ranked of them, none if one is in the top.
    expect(topWithViewer(ranked, 1, new Set(["2", "1"])).viewer?.id).toBe("1");
    expect(topWithViewer(ranked, 1, new Set(["2", "3"])).viewer).toBeUndefined();
    expect(topWithViewer(ranked, 1, new Set<string>()).viewer).toBeUndefined();
  });
});

for (const kind of ["pglite", "postgres"] as const) {
  (kind === "postgres" && !postgresAvailable() ? describe.skip : describe)(
    `leaderboards on a seeded database [${kind}]`,
    () => {
      let test: TestApp;
      let boards: Leaderboards;
      const u: Record<string, number> = {};

      beforeAll(async () => {
        test = await createTestApp(kind);
        const { services } = test.app;
        boards = services.leaderboards;
        const seed = new LedgerSeed(services.db, services.ledger);
        for (const name of ["alice", "bob", "carol", "dave", "erin", "frank"])
          u[name] = await seed.user(name);
        const payout = (user: string, atoms: bigint, at: string, factoryId: number, submissionId: number) =>
          seed.pay(u[user]!, "payout.farmer", atoms, at, { meta: { factoryId, submissionId } });
        await payout("alice", 100n * USDC, "2026-11-25T09:00:00Z", 7, 1);
        await payout("bob", 100n * USDC, "2026-11-25T10:00:00Z", 7, 2);
        await payout("carol", 50n * USDC, "2026-11-25T08:00:00Z", 8, 3);
        await payout("carol", 500n * USDC, "2026-11-23T00:00:00Z", 8, 4);
        await payout("dave", 1000n * USDC, "2026-11-10T12:00:00Z", 8, 5);
        await payout("erin", 5000n * USDC, "2025-06-01T12:00:00Z", 9, 6);
        // Another token is another board.
        await seed.pay(u.frank!, "payout.farmer", 10n * 10n ** 9n, "2026-11-25T09:00:00Z", { token: "SOL" });
        // Earned on an account that /link later merged into frank's: it counts for frank.
        const frankOld = await seed.user("frank (old account)");
        await seed.pay(frankOld, "payout.farmer", 5n * 10n ** 9n, "2026-11-25T09:30:00Z", { token: "SOL" });
        await services.db.prisma.user.update({ where: { id: frankOld }, data: { mergedIntoId: u.frank! } });
        // A reservation posted later counts once posted, with the reservation's meta.
        await seed.reserveThenPost(u.carol!, "payout.farmer", 25n * USDC, "2026-11-25T11:00:00Z", {
          factoryId: 8,
          submissionId: 3,
        });
        await seed.pay(u.alice!, "commission.farmer_ambassador", 10n * USDC, "2026-11-25T09:00:00Z");
        await seed.pay(u.bob!, "commission.creator_ambassador", 20n * USDC, "2026-11-25T09:00:00Z");
        await seed.pay(u.carol!, "arena.reward", 30n * USDC, "2026-11-25T00:00:00Z", {
          meta: { taskId: 1, role: "node", epoch: "2026-11-25" },
        });
        await seed.pay(u.dave!, "arena.reward", 40n * USDC, "2026-11-25T00:00:00Z", {
          meta: { taskId: 1, role: "validator", epoch: "2026-11-25" },
        });
        await seed.pay(u.erin!, "arena.reward", 50n * USDC, "2026-11-25T00:00:00Z", {
          meta: { taskId: 1, role: "delegator", epoch: "2026-11-25" },
        });
        await seed.fund(7, 1000n * USDC, "2026-11-25T07:00:00Z");
        await seed.fund(8, 3000n * USDC, "2026-11-24T07:00:00Z");
      });
      afterAll(() => test?.close());

      const board = (q: Partial<Parameters<Leaderboards["board"]>[0]>) =>
        boards.board({ kind: "farmers", period: "day", now: NOW, ...q });

      it("ranks farmers by earnings per period, ties sharing a rank in user-id order", async () => {
        expect(names(await board({ period: "day" }))).toEqual(["1:alice", "1:bob", "3:carol"]);
        expect(names(await board({ period: "week" }))).toEqual(["1:carol", "2:alice", "2:bob"]);
        expect(names(await board({ period: "month" }))).toEqual(["1:dave", "2:carol", "3:alice", "3:bob"]);
        const all = await board({ period: "all" });
        expect(names(all)).toEqual(["1:erin", "2:dave", "3:carol", "4:alice", "4:bob"]);
        expect(all.rows[2]!.value).toBe("575 USDC");
        expect(all.rows[2]!.detail).toBe("3 payouts");
      });

      it("counts only the token asked for, and a merged account's earnings for the account kept", async () => {
        const sol = await board({ token: test.app.services.tokens.get("SOL") });
        expect(names(sol)).toEqual(["1:frank"]);
        expect(sol.rows[0]!.value).toBe("15 SOL");
        expect(sol.rows[0]!.detail).toBe("2 payouts");
      });

      it("shows the viewer's own rank when outside the top, or says why they are not ranked", async () => {
        const top2 = await board({ period: "all", limit: 2, viewerUserId: u.bob });
        expect(names(top2)).toEqual(["1:erin", "2:dave"]);
        expect(top2.viewer).toMatchObject({ rank: 4, name: "bob", isViewer: true, value: "100 USDC" });
        expect(top2.ranked).toBe(5);
        const inTop = await board({ period: "all", limit: 2, viewerUserId: u.dave });
        expect(inTop.viewer).toBeUndefined();
        expect(inTop.rows[1]!.isViewer).toBe(true);
        const absent = await board({ period: "all", viewerUserId: u.frank });
        expect(absent.viewer).toBeUndefined();
        expect(absent.viewerNote).toMatch(/not on this board/);
      });

      it("ranks ambassadors by commissions of both kinds", async () => {
        const b = await board({ kind: "ambassadors" });
        expect(names(b)).toEqual(["1:bob", "2:alice"]);
      });

      it("ranks arena nodes and validators apart, by the role in the reward's meta", async () => {
        expect(names(await board({ kind: "arena", metric: "nodes" }))).toEqual(["1:carol"]);
        expect(names(await board({ kind: "arena", metric: "validators" }))).toEqual(["1:dave"]);
      });

      it("ranks factories by demonstrations paid (distinct submissions) and by funds", async () => {
        const demos = await board({ kind: "factories", metric: "demonstrations", period: "day" });
        expect(demos.rows.map((r) => [r.rank, r.name, r.value])).toEqual([
          [1, "Factory #7", "2 paid"],
          [2, "Factory #8", "1 paid"],
        ]);
        const allDemos = await board({ kind: "factories", metric: "demonstrations", period: "all" });
        expect(allDemos.rows.map((r) => [r.name, r.value])).toEqual([
          ["Factory #8", "3 paid"],
          ["Factory #7", "2 paid"],
          ["Factory #9", "1 paid"],
        ]);
        expect(names(await board({ kind: "factories", metric: "funds", period: "day" }))).toEqual([
          "1:Factory #7",
        ]);
        expect(names(await board({ kind: "factories", metric: "funds", period: "week" }))).toEqual([
          "1:Factory #8",
          "2:Factory #7",
        ]);
      });

      it("ranks by average quality only farmers with the minimum count, saying so to the others", async () => {
        // Settled submissions as the pools feature records them: scores 0-100, graded at a time.
        const { db } = test.app.services;
        const mod = await db.prisma.user.create({
          data: { displayName: "creator", createdAt: test.clock.now() },
        });
        const factory = await db.prisma.factory.create({
          data: {
            creatorUserId: mod.id,
            name: "Quality factory",
            token: "USDC",
            bidAtoms: "1000000",
            feePolicy: "clones",
            depositFeePercent: "0",
            setupFeeAtoms: "0",
            setupFeeToken: "USDC",
            rewardFeePercent: "10",
            qualityThreshold: 50,
            createdAt: test.clock.now(),
          },
        });
        const task = await db.prisma.factoryTask.create({
          data: { factoryId: factory.id, ref: "t1", title: "Task", app: "app", objectives: [] },
        });
        let n = 0;
        const graded = async (
          user: string,
          scores: number[],
          at = "2026-11-25T10:00:00Z",
          status = "settled",
        ) => {
          for (const score of scores)
            await db.prisma.submission.create({
              data: {
                factoryId: factory.id,
                taskId: task.id,
                farmerUserId: u[user]!,
                contentHash: `hash-${n++}`,
                createdAt: new Date(at),
                status,
                bidAtoms: "1000000",
                expiresAt: new Date("2026-12-31T00:00:00Z"),
                payload: {},
                summary: {},
                score,
                gradedAt: new Date(at),
              },
            });
        };
        await graded("alice", [90, 90, 90, 90, 95, 85]); // 6 graded, average 0.9
        await graded("bob", [99, 99]); // too few to qualify
        await graded("carol", [100, 80, 90, 90, 90]); // 5 graded, average 0.9: ties with alice
        await graded("dave", [75, 75, 75, 75, 75, 75, 75]);
        await graded("dave", [100, 100, 100], "2026-11-01T10:00:00Z"); // earlier this month
        await graded("erin", [100, 100, 100, 100, 100], "2026-11-25T10:00:00Z", "manual_review"); // not settled

        const q = await board({ metric: "quality", viewerUserId: u.bob });
        expect(q.minimumCount).toBe(5);
        expect(q.rows.map((r) => [r.rank, r.name, r.value, r.detail])).toEqual([
          [1, "alice", "0.90", "6 graded"],
          [1, "carol", "0.90", "5 graded"],
          [3, "dave", "0.75", "7 graded"],
        ]);
        expect(q.viewerNote).toMatch(/2 graded demonstrations.*5 are needed/);
        const month = await board({ metric: "quality", period: "month" });
        expect(month.rows.map((r) => [r.rank, r.name, r.value])).toEqual([
          [1, "alice", "0.90"],
          [1, "carol", "0.90"],
          [3, "dave", "0.82"], // (7 x 75 + 3 x 100) / 10 = 82.5, shown rounded down
        ]);
      });

      it("says a board is unavailable when no feature records what it needs", async () => {
        const { db, ledger, tokens } = test.app.services;
        const bare = new Leaderboards(db, ledger, tokens, boards.settings);
        for (const metric of ["quality", "referrals"] as const) {
          const b = await bare.board({
            kind: metric === "quality" ? "farmers" : "ambassadors",
            metric,
            period: "all",
            now: NOW,
          });
          expect(b.rows).toEqual([]);
          expect(b.unavailable).toMatch(/not record/);
        }
      });

      it("shows a creator their best-ranked factory, counting factories of accounts merged into theirs", async () => {
        // Runs after the boards above: it names factories those tests show as "Factory #n".
        const { db } = test.app.services;
        const factory = (id: number, creatorUserId: number, name: string) =>
          db.prisma.factory.create({
            data: {
              id,
              creatorUserId,
              name,
              token: "USDC",
              bidAtoms: "1000000",
              feePolicy: "clones",
              depositFeePercent: "0",
              setupFeeAtoms: "0",
              setupFeeToken: "USDC",
              rewardFeePercent: "10",
              qualityThreshold: 50,
              createdAt: test.clock.now(),
            },
          });
        const carolOld = await db.prisma.user.create({
          data: { displayName: "carol (old account)", mergedIntoId: u.carol!, createdAt: test.clock.now() },
        });
        await factory(9, u.carol!, "Night shift 🌙");
        await factory(7, carolOld.id, "Alpha works");
        await factory(21, u.bob!, "Idle works");
        const factories = (metric: "demonstrations" | "funds", period: "all" | "week", q = {}) =>
          board({ kind: "factories", metric, period, ...q });

        // All time by demonstrations: #8 (3), #7 (2), #9 (1). Carol's best is #7, made by her old account.
        const top1 = await factories("demonstrations", "all", { limit: 1, viewerUserId: u.carol });
        expect(top1.rows.map((r) => [r.rank, r.name, r.isViewer])).toEqual([[1, "Factory #8", false]]);
        expect(top1.viewer).toMatchObject({
          rank: 2,
          id: "7",
          name: "Alpha works",
          value: "2 paid",
          isViewer: true,
        });
        // Within the top, her factories are marked and there is no separate row.
        const top3 = await factories("demonstrations", "all", { limit: 3, viewerUserId: u.carol });
        expect(top3.rows.map((r) => [r.rank, r.name, r.isViewer])).toEqual([
          [1, "Factory #8", false],
          [2, "Alpha works", true],
          [3, "Night shift 🌙", true],
        ]);
        expect(top3.viewer).toBeUndefined();
        expect(top3.viewerNote).toBeUndefined();
        // Another metric and period: this week's funds, #8 then #7.
        const funds = await factories("funds", "week", { limit: 1, viewerUserId: u.carol });
        expect(funds.viewer).toMatchObject({ rank: 2, name: "Alpha works", value: "1,000 USDC" });
        // A creator whose factory is not ranked, and a member who created none, are told which.
        expect((await factories("demonstrations", "all", { viewerUserId: u.bob })).viewerNote).toBe(
          "Your factory is not on this board yet for this period.",
        );
        const none = await factories("demonstrations", "all", { limit: 1, viewerUserId: u.alice });
        expect(none.viewer).toBeUndefined();
        expect(none.viewerNote).toBe("This board ranks factories, and you have not created one.");
        expect(boardText(top1)).toContain("Your rank: #2 Alpha works — 2 paid ← you");
      });

      it("refuses a metric of another board", async () => {
        await expect(board({ kind: "farmers", metric: "funds" })).rejects.toMatchObject({
          code: "invalid_metric",
        });
      });
    },
  );
}
