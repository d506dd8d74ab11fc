// Real bot processes on one PostgreSQL database: two reach the same period at once and it runs
// once; one is killed (SIGKILL) in the middle of a run and the next completes it, with the same
// totals as an uninterrupted run and no payment made twice. The ledger audit stays clean.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLedger } from "#src/ledger/audit.ts";
import { createTestDatabase, postgresAvailable, type TestDatabase } from "#test/helpers/db.ts";
import { killLeftovers, startProcess } from "./fixtures/child-process.ts";
import { PAY_CODE, PAYING_JOB, periodTotal, RECIPIENTS } from "./fixtures/paying-job.ts";
import { expectedPayments, paidFor } from "./fixtures/payments.ts";

(postgresAvailable() ? describe : describe.skip)("the scheduler across real processes [postgres]", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase("postgres", { poolSize: 4 });
  });
  afterAll(async () => {
    killLeftovers();
    await test?.drop();
  });

  it("two processes reaching the same period at once run it once", { timeout: 240_000 }, async () => {
    const now = "2026-03-02T00:00:01Z"; // the period 2026-03-01 has just ended
    const children = ["alpha", "beta"].map((owner) =>
      // Each payment takes 50 ms, so the run lasts long enough for the other to find it running.
      startProcess(["--db", test.url, "--now", now, "--owner", owner, "--wait-go", "--step-ms", "50"]),
    );
    await Promise.all(children.map((c) => c.waitFor("READY")));
    for (const child of children) child.process.stdin.write("go\n");
    const results = await Promise.all(children.map((c) => c.result()));

    // One ran it. The other found it claimed and did nothing (or, had it been slower to start
    // than the whole run, found nothing due): never a second run.
    const outcomes = results
      .flatMap((r) => r.reports.map((report) => `${report.period} ${report.outcome}`))
      .sort();
    expect(outcomes.filter((o) => o.endsWith(" ran"))).toEqual(["2026-03-01 ran"]);
    expect(outcomes.filter((o) => !o.endsWith(" ran"))).toEqual(
      outcomes.length === 2 ? ["2026-03-01 skipped"] : [],
    );
    const runs = await test.db.prisma.jobRun.findMany({ where: { job: PAYING_JOB } });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ periodKey: "2026-03-01", status: "done", attempts: 1 });
    expect(await paidFor(test.db, "2026-03-01")).toEqual(expectedPayments);
    const audit = await auditLedger(test.db);
    expect(audit.problems).toEqual([]);
    expect(audit.tokens.find((t) => t.token === "USDC")?.outsideAtoms).toBe(periodTotal());
  });

  it("a process killed mid-run is followed by one that completes it, paying nothing twice", {
    timeout: 240_000,
  }, async () => {
    const period = "2026-03-02";
    const killed = startProcess([
      "--db",
      test.url,
      "--now",
      "2026-03-03T00:00:01Z",
      "--owner",
      "doomed",
      "--pause-after",
      "17",
    ]);
    await killed.waitFor("PAUSED");
    killed.process.kill("SIGKILL");
    expect(await killed.exited).toEqual({ code: null, signal: "SIGKILL" });

    // Midway: 17 of the 40 paid, the run still claimed by the dead process.
    const partial = await paidFor(test.db, period);
    expect(partial.filter((a) => a > 0n)).toHaveLength(17);
    expect(
      await test.db.prisma.jobRun.findUnique({
        where: { job_periodKey: { job: PAYING_JOB, periodKey: period } },
      }),
    ).toMatchObject({
      status: "running",
      owner: "doomed",
      attempts: 1,
    });

    // Within the lease, the next process leaves it alone: the owner might still be alive.
    const tooSoon = await startProcess([
      "--db",
      test.url,
      "--now",
      "2026-03-03T00:00:30Z",
      "--owner",
      "early",
    ]).result();
    expect(tooSoon.reports).toEqual([
      expect.objectContaining({ period, outcome: "skipped", reason: "running" }),
    ]);

    // After the lease (60 s) without a heartbeat, the next process resumes and completes it.
    const resumed = await startProcess([
      "--db",
      test.url,
      "--now",
      "2026-03-03T00:02:00Z",
      "--owner",
      "heir",
    ]).result();
    expect(resumed.reports).toEqual([expect.objectContaining({ period, outcome: "resumed", attempts: 2 })]);
    expect(resumed.reports[0]?.summary).toBe(
      `${RECIPIENTS} recipients paid for ${period} (${RECIPIENTS - 17} new payments).`,
    );

    const run = await test.db.prisma.jobRun.findUnique({
      where: { job_periodKey: { job: PAYING_JOB, periodKey: period } },
    });
    expect(run).toMatchObject({ status: "done", owner: "heir", attempts: 2 });
    // Identical to an uninterrupted run, recipient by recipient, and one transfer each: whatever
    // the test before this one left in the database, this period's payments stand on their own.
    const completed = await paidFor(test.db, period);
    expect(completed).toEqual(expectedPayments);
    const transfers = await test.db.prisma.transfer.count({
      where: { code: PAY_CODE, key: { startsWith: `${PAYING_JOB}:${period}:` } },
    });
    expect(transfers).toBe(RECIPIENTS);
    const audit = await auditLedger(test.db);
    expect(audit.problems).toEqual([]);
  });
});
