// The same two guarantees with the real arena emission job (src/arena/emission-job.ts), on two
// PostgreSQL databases seeded alike: on one, two bot processes reach the epoch at once and it is
// paid once; on the other, a process is killed (SIGKILL) inside the payment transaction and the
// next completes the epoch. Both end with the same payment to every member, and clean audits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARENA_CODES } from "#src/arena/types.ts";
import type { Database } from "#src/db/database.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { ARENA_EMISSION_ATOMS, ARENA_ENV, seedArena } from "#test/helpers/arena-seed.ts";
import { postgresAvailable } from "#test/helpers/db.ts";
import { killLeftovers, startProcess } from "./fixtures/child-process.ts";

const JOB = "arena-emission";
const PERIOD = "2026-03-01";
const env = { ...process.env, ...ARENA_ENV };

/** Every arena reward transfer, as "user id: atoms" (one each), sorted. */
async function rewardsPaid(db: Database): Promise<string[]> {
  const rows = await db.prisma.$queryRawUnsafe<Array<{ owner_id: string; total: string; n: number }>>(
    `SELECT a.owner_id, SUM(t.amount)::text AS total, COUNT(*)::int AS n
     FROM transfers t JOIN accounts a ON a.id = t.credit_account_id
     WHERE t.code = $1 GROUP BY a.owner_id ORDER BY a.owner_id`,
    ARENA_CODES.reward,
  );
  return rows.map((r) => `${r.owner_id}:${r.total}:${r.n}`);
}

async function expectCleanAudit(db: Database): Promise<void> {
  const audit = await auditLedger(db);
  expect(audit.problems).toEqual([]);
  const emission = await db.prisma.account.findFirstOrThrow({
    where: { ownerType: "system", ownerId: "emission", token: "CLONES" },
  });
  expect(BigInt(emission.balance.toFixed(0))).toBe(-ARENA_EMISSION_ATOMS);
}

(postgresAvailable() ? describe : describe.skip)(
  "the arena emission job across real processes [postgres]",
  () => {
    let raced: TestApp;
    let killed: TestApp;
    beforeAll(async () => {
      raced = await createTestApp("postgres", { env: ARENA_ENV, poolSize: 4 });
      killed = await createTestApp("postgres", { env: ARENA_ENV, poolSize: 4 });
      await seedArena(raced.app);
      await seedArena(killed.app);
    }, 240_000);
    afterAll(async () => {
      killLeftovers();
      await raced?.close();
      await killed?.close();
    });

    it("two processes reaching the epoch at once pay it once", { timeout: 240_000 }, async () => {
      const url = raced.app.config.DATABASE_URL;
      const children = ["alpha", "beta"].map((owner) =>
        startProcess(
          ["--db", url, "--job", JOB, "--now", "2026-03-02T00:00:01Z", "--owner", owner, "--wait-go"],
          env,
        ),
      );
      await Promise.all(children.map((c) => c.waitFor("READY")));
      for (const child of children) child.process.stdin.write("go\n");
      const results = await Promise.all(children.map((c) => c.result()));
      // One paid it; the other found it claimed (or, slower to start than the whole run, nothing due).
      const outcomes = results.flatMap((r) => r.reports.map((report) => report.outcome)).sort();
      expect(outcomes.filter((o) => o === "ran")).toEqual(["ran"]);
      expect(outcomes.filter((o) => o !== "ran")).toEqual(outcomes.length === 2 ? ["skipped"] : []);

      const runs = await raced.app.db.prisma.jobRun.findMany({ where: { job: JOB } });
      expect(runs.map((r) => [r.periodKey, r.status, r.attempts])).toEqual([[PERIOD, "done", 1]]);
      const paid = await rewardsPaid(raced.app.db);
      expect(paid).toHaveLength(6); // two nodes, three validators, one delegator
      for (const line of paid) expect(line.endsWith(":1")).toBe(true);
      await expectCleanAudit(raced.app.db);
    });

    it("a process killed inside the payment is followed by one that completes the epoch, paying nothing twice", {
      timeout: 240_000,
    }, async () => {
      const url = killed.app.config.DATABASE_URL;
      const doomed = startProcess(
        [
          "--db",
          url,
          "--job",
          JOB,
          "--now",
          "2026-03-02T00:00:01Z",
          "--owner",
          "doomed",
          "--pause-in-payment",
        ],
        env,
      );
      await doomed.waitFor("PAUSED");
      doomed.process.kill("SIGKILL");
      expect(await doomed.exited).toEqual({ code: null, signal: "SIGKILL" });

      // Midway: the snapshot and the rewards are stored, the payment rolled back with the process.
      const epoch = await killed.app.db.prisma.arenaEpoch.findUniqueOrThrow({
        where: { key: `${JOB}:${PERIOD}` },
      });
      expect(epoch.status).toBe("computed");
      expect(await rewardsPaid(killed.app.db)).toEqual([]);
      expect(await killed.app.db.prisma.jobRun.findFirst({ where: { job: JOB } })).toMatchObject({
        status: "running",
        owner: "doomed",
      });

      // After the lease, the next process resumes it from the stored rewards.
      const heir = await startProcess(
        ["--db", url, "--job", JOB, "--now", "2026-03-02T00:02:00Z", "--owner", "heir"],
        env,
      ).result();
      expect(heir.reports).toEqual([
        expect.objectContaining({ period: PERIOD, outcome: "resumed", attempts: 2 }),
      ]);
      expect(await killed.app.db.prisma.jobRun.findFirst({ where: { job: JOB } })).toMatchObject({
        status: "done",
        owner: "heir",
        attempts: 2,
      });
      // The same payment to every member as the uninterrupted epoch, each once; audits clean.
      expect(await rewardsPaid(killed.app.db)).toEqual(await rewardsPaid(raced.app.db));
      await expectCleanAudit(killed.app.db);
      // A later tick for the same period pays nothing more.
      const after = await startProcess(
        ["--db", url, "--job", JOB, "--now", "2026-03-02T00:03:00Z", "--owner", "late"],
        env,
      ).result();
      expect(after.reports).toEqual([]);
      expect(await rewardsPaid(killed.app.db)).toEqual(await rewardsPaid(raced.app.db));
    });
  },
);
