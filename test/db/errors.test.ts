// Unique violations look different through each driver: Prisma's P2002 (pg adapter), a raw 23505
// (PGlite, raw queries), or a P2010 whose message carries the SQLSTATE. One question answers all.
import { describe, expect, it } from "vitest";
import { isRetryableConflict, isUniqueViolation, sqlState } from "#src/db/errors.ts";
import { describeEachDatabase } from "#test/helpers/db.ts";

describe("sqlState", () => {
  it("reads Prisma's codes as the SQLSTATE they stand for, not as SQLSTATEs themselves", () => {
    expect(sqlState({ code: "P2002" })).toBe("23505");
    expect(isUniqueViolation({ code: "P2002", meta: { modelName: "JobRun" } })).toBe(true);
    expect(isRetryableConflict({ code: "P2034" })).toBe(true);
    expect(sqlState({ code: "23505" })).toBe("23505");
    expect(sqlState({ code: "P2010", message: "Raw query failed. Code: `23505`. Message: duplicate" })).toBe(
      "23505",
    );
    expect(sqlState({ code: "P2025" })).toBeUndefined();
    expect(isUniqueViolation(new Error("nothing"))).toBe(false);
  });
});

describeEachDatabase("unique violations from the database", (getDb) => {
  it("are recognized from a Prisma create and from a raw insert", async () => {
    const db = getDb();
    const row = { job: "errors-test", periodKey: "k", periodStart: new Date(0), periodEnd: new Date(1) };
    const data = { ...row, status: "done", owner: "t", heartbeatAt: new Date(0), startedAt: new Date(0) };
    await db.prisma.jobRun.create({ data });
    const fromCreate = await db.prisma.jobRun.create({ data }).catch((error: unknown) => error);
    expect(isUniqueViolation(fromCreate)).toBe(true);
    const fromRaw = await db.prisma
      .$executeRawUnsafe(
        "INSERT INTO job_runs (job, period_key, period_start, period_end, status, owner, heartbeat_at, started_at) VALUES ('errors-test', 'k', now(), now(), 'done', 't', now(), now())",
      )
      .catch((error: unknown) => error);
    expect(isUniqueViolation(fromRaw)).toBe(true);
  });
});
