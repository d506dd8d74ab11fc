// `npm run db:new-migration -- <name>`: writes the SQL that takes the migration history to the
// current schema as a new migration folder. It uses `prisma migrate diff` against a shadow PGlite
// (see prisma.config.ts) because `prisma migrate dev` cannot replay history through the adapter.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function pendingSchemaChangeSql(): string {
  const out = execFileSync(
    "npx",
    [
      "prisma",
      "migrate",
      "diff",
      "--from-migrations",
      "prisma/migrations",
      "--to-schema-datamodel",
      "prisma/schema",
      "--script",
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  return out.replace(/^Loaded Prisma config.*\n/m, "").trim();
}

export function isEmptyMigration(sql: string): boolean {
  return sql === "" || sql === "-- This is an empty migration.";
}

function timestamp(now = new Date()): string {
  return now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const name = (process.argv[2] ?? "").trim();
  if (!/^[a-z0-9_]+$/.test(name)) {
    console.error("Usage: npm run db:new-migration -- <name_in_snake_case>");
    process.exit(2);
  }
  const sql = pendingSchemaChangeSql();
  if (isEmptyMigration(sql)) {
    console.log("The schema matches the migrations: nothing to write.");
    process.exit(0);
  }
  const dir = join("prisma", "migrations", `${timestamp()}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "migration.sql"), `${sql}\n`);
  console.log(`Wrote ${dir}/migration.sql — review it, then run npm run db:migrate.`);
}
