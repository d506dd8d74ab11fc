// The arena-emission job on a real database: the seed's task staked through the services, one
// epoch paid exactly once (twice run, concurrently run), stakes withdrawn returned after the epoch.
import { Decimal } from "decimal.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arenaEmissionJob } from "#src/arena/emission-job.ts";
import { computeEpochRewards } from "#src/arena/rewards.ts";
import { decodeSnapshot } from "#src/arena/snapshot.ts";
import { stakeAccount } from "#src/arena/types.ts";
import type { Actor } from "#src/core/context.ts";
import type { DatabaseKind } from "#src/db/database.ts";
import type { JobContext } from "#src/job-kit.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { silentLogger } from "#src/log.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { ARENA_ENV, seedMembers, seedTask } from "#test/helpers/arena-seed.ts";
import { postgresAvailable } from "#test/helpers/db.ts";

const CLONES = 10n ** 9n;
const DAY0 = new Date("2026-03-01T00:00:00Z");
const DAY1 = new Date("2026-03-02T00:00:00Z");
const DAY2 = new Date("2026-03-03T00:00:00Z");

for (const kind of ["pglite", "postgres"] as DatabaseKind[]) {
  (kind === "postgres" && !postgresAvailable() ? describe.skip : describe)(`arena emission [${kind}]`, () => {
    let t: TestApp;
    const actors = new Map<string, Actor>();
    let keyNo = 0;
    const key = () => `test-${++keyNo}`;

    beforeAll(async () => {
      t = await createTestApp(kind, {
        env: { ...ARENA_ENV },
      });
      for (const [name, actor] of await seedMembers(t.app)) actors.set(name, actor);
    });
    afterAll(async () => {
      await t?.close();
    });

    const job = (period: { key: string; start: Date; end: Date }): JobContext => ({
      period,
      key: `arena-emission:${period.key}`,
      services: t.app.services,
      log: silentLogger,
      now: period.end,
    });
    const balance = async (name: string) =>
      (
        await t.app.services.ledger.balance(
          t.app.db.prisma,
          accounts.user(actors.get(name)!.userId, "CLONES"),
        )
      ).balanceAtoms;

    it("pays the seed's task exactly once, with identical totals on a rerun and a concurrent run", async () => {
      await seedTask(t.app, actors);
      const before = await balance("nodeA");
      const period = { key: "2026-03-01", start: DAY0, end: DAY1 };
      const first = await arenaEmissionJob.run(job(period));
      expect(first.data).toMatchObject({
        distributedAtoms: (309_157_680n * 10n ** 6n).toString(),
        undistributedAtoms: "0",
        payees: 6,
      });
      // Node A: 63,586.80 of which it keeps 54,048.78 (to the atom: rounded down, remainders placed).
      const gainA = (await balance("nodeA")) - before;
      expect(gainA / 10n ** 7n).toBe(5_404_878n);
      const fan = (await balance("fan")) + 1000n * CLONES - 10_000n * CLONES;
      expect(fan / 10n ** 7n).toBe(953_802n);

      const snapshot = await balances();
      const again = await arenaEmissionJob.run(job(period));
      const twins = await Promise.all([arenaEmissionJob.run(job(period)), arenaEmissionJob.run(job(period))]);
      expect(again.data).toMatchObject({ paidNow: 0, distributedAtoms: first.data!.distributedAtoms });
      expect(twins.map((r) => r.data!.paidNow)).toEqual([0, 0]);
      expect(await balances()).toEqual(snapshot);
      const emission = await t.app.services.ledger.balance(t.app.db.prisma, accounts.emission("CLONES"));
      expect(emission.balanceAtoms).toBe(-309_157_680n * 10n ** 6n);
      const audit = await auditLedger(t.app.db);
      expect(audit.ok).toBe(true);

      // The stored snapshot and parameters recompute the same rewards, line for line.
      const epoch = await t.app.db.prisma.arenaEpoch.findUniqueOrThrow({
        where: { key: "arena-emission:2026-03-01" },
        include: { rewards: true },
      });
      expect(epoch.status).toBe("paid");
      expect(epoch.params).toMatchObject({ gamma: "0", alpha: "1", eps: "1", mode: "score" });
      const recomputed = computeEpochRewards(decodeSnapshot(epoch.snapshot));
      const stored = epoch.rewards
        .map((r) => `${r.role}:${r.participantId}:${r.userId}:${r.amount.toFixed(0)}`)
        .sort();
      expect(
        recomputed.payouts.map((p) => `${p.role}:${p.participantId}:${p.userId}:${p.atoms}`).sort(),
      ).toEqual(stored);
    });

    it("resumes a run whose payments were lost midway without paying anyone twice", async () => {
      const period = { key: "2026-03-01", start: DAY0, end: DAY1 };
      const snapshot = await balances();
      // As if the process had died before marking some paid batches: the ledger keys protect them.
      await t.app.db.prisma.arenaReward.updateMany({ where: { role: "validator" }, data: { paid: false } });
      const resumed = await arenaEmissionJob.run(job(period));
      expect(resumed.data).toMatchObject({ paidNow: 0 });
      expect(await balances()).toEqual(snapshot);
      expect(await t.app.db.prisma.arenaReward.count({ where: { paid: false } })).toBe(0);
    });

    it("an undelegation counts for the epoch it was made in, then the money goes back", async () => {
      const { arena } = t.app.services;
      const fan = actors.get("fan")!;
      const task = await t.app.db.prisma.arenaTask.findFirstOrThrow();
      const during = new Date(DAY1.getTime() + 3600_000);
      const out = await arena.undelegate({
        actor: fan,
        key: key(),
        now: during,
        taskId: task.id,
        role: "node",
        toUserId: actors.get("nodeA")!.userId,
      });
      expect(out.withdrawnAtoms).toBe(1000n * CLONES);
      const staked = () => t.app.services.ledger.balance(t.app.db.prisma, stakeAccount(fan.userId, "CLONES"));
      expect((await staked()).balanceAtoms).toBe(1000n * CLONES);
      const report = await arenaEmissionJob.run(job({ key: "2026-03-02", start: DAY1, end: DAY2 }));
      // Nobody submitted on DAY1: the whole emission stays, and is reported so.
      expect(report.data).toMatchObject({ distributedAtoms: "0", released: 1 });
      expect(report.summary).toMatch(/stays in the emission/);
      expect((await staked()).balanceAtoms).toBe(0n);
      const epoch = await t.app.db.prisma.arenaEpoch.findUniqueOrThrow({
        where: { key: "arena-emission:2026-03-02" },
      });
      // The delegation still counted in the DAY1 snapshot.
      expect(JSON.stringify(epoch.snapshot)).toContain(String(1000n * CLONES));
    });

    it("two runs of a fresh epoch at once pay it once, in full", async () => {
      const { arena } = t.app.services;
      const a = (name: string) => actors.get(name)!;
      const task = await t.app.db.prisma.arenaTask.findFirstOrThrow();
      const day3 = new Date("2026-03-04T00:00:00Z");
      const during = new Date(DAY2.getTime() + 3600_000);
      for (const node of ["nodeA", "nodeB"])
        await arena.submit({
          actor: a(node),
          key: key(),
          now: during,
          taskId: task.id,
          modelRef: `hf://${node}/2`,
        });
      for (const v of ["valA", "valB", "valC"])
        for (const [node, score] of [
          ["nodeA", "0.3"],
          ["nodeB", "0.6"],
        ] as const)
          await arena.score({
            actor: a(v),
            key: key(),
            now: during,
            taskId: task.id,
            nodeUserId: a(node).userId,
            score: new Decimal(score),
          });
      const emissionBefore = await t.app.services.ledger.balance(
        t.app.db.prisma,
        accounts.emission("CLONES"),
      );
      const period = { key: "2026-03-03", start: DAY2, end: day3 };
      const [one, two] = await Promise.all([
        arenaEmissionJob.run(job(period)),
        arenaEmissionJob.run(job(period)),
      ]);
      expect(one.data!.distributedAtoms).toBe(two.data!.distributedAtoms);
      const emissionAfter = await t.app.services.ledger.balance(t.app.db.prisma, accounts.emission("CLONES"));
      expect(emissionBefore.balanceAtoms - emissionAfter.balanceAtoms).toBe(309_157_680n * 10n ** 6n);
      expect(Number(one.data!.paidNow) + Number(two.data!.paidNow)).toBe(Number(one.data!.payees));
      const transfers = await t.app.db.prisma.transfer.count({
        where: { key: { startsWith: "arena-emission:2026-03-03:" } },
      });
      expect(transfers).toBe(Number(one.data!.payees));
      expect((await auditLedger(t.app.db)).ok).toBe(true);
    });

    async function balances() {
      const rows = await t.app.db.prisma.account.findMany({
        orderBy: { id: "asc" },
        select: { id: true, balance: true },
      });
      return rows.map((r) => `${r.id}:${r.balance.toFixed(0)}`);
    }
  });
}
