// Fresh databases for tests: an in-memory PGlite, or a new PostgreSQL database created for the test
// file and dropped after it. `describeEachDatabase` runs a suite on both kinds.
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, inject } from "vitest";
import { type Database, type DatabaseKind, openDatabase } from "#src/db/database.ts";
import { migrate } from "#src/db/migrate.ts";
import type { TestDatabase } from "./databases.ts";
import { createPostgresDatabase } from "./databases.ts";
import { loadPgliteTemplate } from "./pglite-template.ts";

export type { TestDatabase } from "./databases.ts";

export function postgresAvailable(): boolean {
  return inject("postgresAvailable");
}

/** A migrated database of the given kind, ready for a test. */
export async function createTestDatabase(
  kind: DatabaseKind,
  options: { poolSize?: number } = {},
): Promise<TestDatabase> {
  if (kind === "pglite") {
    const lite = new PGlite({ loadDataDir: loadPgliteTemplate(inject("pgliteTemplate")) });
    const db = await openDatabase({ url: "memory://", pglite: lite });
    await migrate(db); // a no-op on the template, and a check that it is current
    return { db, url: "memory://", drop: () => db.close() };
  }
  const created = await createPostgresDatabase();
  const db = await openDatabase({ url: created.url, poolSize: options.poolSize ?? 40 });
  await migrate(db);
  return {
    db,
    url: created.url,
    async drop() {
      await db.close();
      await created.drop();
    },
  };
}

/**
 * Declares `suite` once per database kind (PostgreSQL only where reachable), each with its own
 * fresh database. The suite receives a getter, valid inside its tests and hooks.
 */
export function describeEachDatabase(
  name: string,
  suite: (getDb: () => Database, kind: DatabaseKind) => void,
  options: { kinds?: DatabaseKind[]; poolSize?: number } = {},
): void {
  for (const kind of options.kinds ?? (["pglite", "postgres"] as const)) {
    const skip = kind === "postgres" && !postgresAvailable();
    (skip ? describe.skip : describe)(`${name} [${kind}]`, () => {
      let test: TestDatabase | undefined;
      beforeAll(async () => {
        test = await createTestDatabase(kind, { poolSize: options.poolSize });
      });
      afterAll(async () => {
        await test?.drop();
      });
      suite(() => {
        if (!test) throw new Error("the test database is not ready yet");
        return test.db;
      }, kind);
    });
  }
}
