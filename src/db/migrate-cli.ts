// `npm run db:migrate`: applies pending migrations to the configured database and exits.
import { existsSync } from "node:fs";
import { ConfigError, loadConfig } from "#src/config.ts";
import { openDatabase } from "./database.ts";
import { MigrationError, migrate } from "./migrate.ts";

if (existsSync(".env")) process.loadEnvFile(".env");
try {
  const config = loadConfig();
  const db = await openDatabase({ url: config.DATABASE_URL, poolSize: 1 });
  try {
    const report = await migrate(db);
    console.log(
      report.applied.length === 0
        ? `${db.description}: up to date (${report.alreadyApplied} migrations).`
        : `${db.description}: applied ${report.applied.join(", ")}.`,
    );
  } finally {
    await db.close();
  }
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof MigrationError ? error.message : error);
  process.exitCode = 1;
}
