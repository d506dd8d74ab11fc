// Tx.statement: a statement run straight on the business transaction's own connection (the pg
// connection, or PGlite's transaction handle; transaction-connection.ts) is part of that transaction
// and of no other: it sees the transaction's uncommitted writes, rolls back with it, and concurrent
// transactions never share a connection.
import { expect, it } from "vitest";
import { describeEachDatabase } from "#test/helpers/db.ts";

describeEachDatabase("a statement inside a transaction", (getDb) => {
  it("runs in the same transaction as the Prisma client, 16 transactions at once", async () => {
    const db = getDb();
    const outcomes = await Promise.all(
      Array.from({ length: 16 }, () =>
        db.transaction(async (tx) => {
          const [viaPrisma] = await tx.db.$queryRawUnsafe<Array<{ xid: string }>>(
            "SELECT txid_current()::text AS xid",
          );
          // Let the others start theirs before this one asks again.
          await new Promise((resolve) => setTimeout(resolve, 5));
          // A numeric comes back as the driver's string straight from the driver, as a Decimal
          // through Prisma: the statement did go to the connection directly.
          const [direct] = await tx.statement<{ xid: string; n: unknown }>(
            "SELECT txid_current()::text AS xid, 1.5::numeric AS n",
            [],
          );
          return { prisma: viaPrisma!.xid, direct: direct!.xid, n: direct!.n };
        }),
      ),
    );
    for (const { prisma, direct, n } of outcomes) {
      expect(direct).toBe(prisma);
      expect(n).toBe("1.5");
    }
    expect(new Set(outcomes.map((o) => o.direct)).size).toBe(16);
  });

  it("sees the transaction's own writes and rolls back with it", async () => {
    const db = getDb();
    await db.prisma.$executeRawUnsafe("CREATE TABLE IF NOT EXISTS tx_statement_probe (n int)");
    await expect(
      db.transaction(async (tx) => {
        await tx.db.$executeRawUnsafe("INSERT INTO tx_statement_probe VALUES (1)");
        const [seen] = await tx.statement<{ n: number }>(
          "INSERT INTO tx_statement_probe SELECT n + 1 FROM tx_statement_probe WHERE n = $1::int RETURNING n",
          [1],
        );
        expect(seen?.n).toBe(2);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const rows = await db.statement<{ count: number }>(
      "SELECT count(*)::int AS count FROM tx_statement_probe",
    );
    expect(rows[0]?.count).toBe(0);
  });
});
