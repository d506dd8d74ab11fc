// Tx.statement: a statement run straight on the business transaction's own pg connection
// (transaction-connection.ts) is part of that transaction and of no other: it sees the
// transaction's uncommitted writes, rolls back with it, and concurrent transactions never share a
// connection. On PGlite it goes through Prisma, with the same results.
import { expect, it } from "vitest";
import { describeEachDatabase } from "#test/helpers/db.ts";

describeEachDatabase("a statement inside a transaction", (getDb, kind) => {
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
          // On the driver the statement is a named prepared statement of this connection, which
          // pg_prepared_statements lists while it runs; through Prisma it is not.
          const [direct] = await tx.statement<{ xid: string; named: number }>(
            `SELECT txid_current()::text AS xid,
                    (SELECT count(*)::int FROM pg_prepared_statements WHERE name LIKE 'forgebot\\_%') AS named`,
            [],
          );
          return { prisma: viaPrisma!.xid, direct: direct!.xid, named: direct!.named };
        }),
      ),
    );
    for (const { prisma, direct, named } of outcomes) {
      expect(direct).toBe(prisma);
      expect(named > 0).toBe(kind === "postgres");
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
