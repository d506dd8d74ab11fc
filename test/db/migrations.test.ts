// One migration history for both databases: applied once, safely from several processes, in
// Prisma's own bookkeeping, and always in agreement with the schema.
import { expect, it } from "vitest";
import { openDatabase } from "#src/db/database.ts";
import { MigrationError, migrate, readMigrations } from "#src/db/migrate.ts";
import { isEmptyMigration, pendingSchemaChangeSql } from "#src/db/new-migration.ts";
import { createPostgresDatabase } from "#test/helpers/databases.ts";
import { postgresAvailable } from "#test/helpers/db.ts";

it("the schema and the migration history agree (no pending schema change)", { timeout: 240_000 }, () => {
  const sql = pendingSchemaChangeSql();
  expect(
    isEmptyMigration(sql),
    `the schema differs from the migrations; run npm run db:new-migration -- <name>:\n${sql}`,
  ).toBe(true);
});

it("applies every migration once on PGlite, and a second run does nothing", async () => {
  const db = await openDatabase({ url: "memory://" });
  try {
    const first = await migrate(db);
    expect(first.applied).toEqual(readMigrations().map((m) => m.name));
    const second = await migrate(db);
    expect(second).toEqual({ applied: [], alreadyApplied: first.applied.length });
    const rows = await db.prisma.$queryRaw<
      Array<{ n: number }>
    >`SELECT COUNT(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`;
    expect(rows[0]!.n).toBe(first.applied.length);
  } finally {
    await db.close();
  }
});

it.runIf(postgresAvailable())(
  "on PostgreSQL, four processes migrating at once apply each migration exactly once",
  async () => {
    const created = await createPostgresDatabase();
    try {
      const outputs = await Promise.all(
        Array.from(
          { length: 4 },
          () =>
            new Promise<string>((resolve, reject) => {
              import("node:child_process").then(({ execFile }) =>
                execFile(
                  "npx",
                  ["tsx", "src/db/migrate-cli.ts"],
                  { env: { ...process.env, DATABASE_URL: created.url } },
                  (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)),
                ),
              );
            }),
        ),
      );
      expect(outputs.filter((o) => o.includes("applied"))).toHaveLength(1);
      expect(outputs.filter((o) => o.includes("up to date"))).toHaveLength(3);
      const db = await openDatabase({ url: created.url, poolSize: 1 });
      try {
        const rows = await db.prisma.$queryRaw<Array<{ name: string; n: number }>>`
        SELECT migration_name AS name, COUNT(*)::int AS n FROM "_prisma_migrations" GROUP BY migration_name`;
        expect(rows.map((r) => r.n)).toEqual(readMigrations().map(() => 1));
      } finally {
        await db.close();
      }
    } finally {
      await created.drop();
    }
  },
);

it("refuses a database that a newer version migrated, and an edited migration", async () => {
  const db = await openDatabase({ url: "memory://" });
  try {
    const migrations = readMigrations();
    await migrate(db, migrations);
    await expect(migrate(db, migrations.slice(0, -1))).rejects.toThrow(/newer version/);
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
    await expect(migrate(db, edited)).rejects.toThrow(MigrationError);
    await expect(migrate(db, edited)).rejects.toThrow(/was edited after it was applied/);
  } finally {
    await db.close();
  }
});
