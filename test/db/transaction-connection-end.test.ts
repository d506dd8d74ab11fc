// The connection under a transaction stops being used for direct statements the moment its end is
// queued (transaction-connection.ts): a COMMIT or ROLLBACK that Prisma sends (a timeout sends one
// while the work may still run), or PGlite's rollback. A statement queued after it would run on its
// own, outside the transaction, and stay. Driven by hand here, on the real drivers, so the race is
// not left to timing.
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { expect, it } from "vitest";
import {
  noteConnection,
  noteConnectionsOf,
  noteTransactionsOf,
  StartingTransaction,
} from "#src/db/transaction-connection.ts";
import { createPostgresDatabase } from "#test/helpers/databases.ts";
import { postgresAvailable } from "#test/helpers/db.ts";

it.runIf(postgresAvailable())(
  "PostgreSQL: once ROLLBACK is queued on the connection, no statement goes to it, and its wrapper leaves with it",
  async () => {
    const created = await createPostgresDatabase();
    const pool = new pg.Pool({ connectionString: created.url, max: 1 });
    try {
      noteConnectionsOf(pool, (sql) => `s${sql.length}`);
      const starting = new StartingTransaction();
      const connection = await noteConnection(starting, () => pool.connect());
      await connection.query("BEGIN");
      starting.started();
      expect(starting.runner()).toBeDefined();
      const rolledBack = connection.query("ROLLBACK"); // queued, as Prisma does on a timeout
      expect(starting.runner()).toBeUndefined();
      await rolledBack;
      connection.release();
      // The next checkout (the same client: the pool holds one) carries no wrapper of ours.
      const again = await pool.connect();
      expect(again).toBe(connection);
      expect(Object.hasOwn(again, "query")).toBe(false);
      again.release();
    } finally {
      await pool.end();
      await created.drop();
    }
  },
);

it("PGlite: once the rollback is called, no statement goes to the handle; after COMMIT or ROLLBACK none does", async () => {
  const lite = new PGlite();
  try {
    noteTransactionsOf(lite);
    for (const end of ["COMMIT", "ROLLBACK"]) {
      const starting = new StartingTransaction();
      await noteConnection(starting, () =>
        lite.transaction(async (tx) => {
          starting.started();
          await tx.query("SELECT 1");
          expect(starting.runner()).toBeDefined();
          if (end === "ROLLBACK") {
            const rolledBack = tx.rollback(); // the adapter's rollback, not yet run
            expect(starting.runner()).toBeUndefined();
            await rolledBack;
          }
        }),
      );
      // Committed or rolled back, the handle is closed afterwards.
      expect(starting.runner()).toBeUndefined();
    }
  } finally {
    await lite.close();
  }
});
