// Runs once before all test files: builds the migrated PGlite template every test loads, and finds
// out whether PostgreSQL is reachable, so database tests run on it too (CI's machine has it at
// 127.0.0.1:5432) and are reported as skipped where it is not.
import type { TestProject } from "vitest/node";
import { openDatabase } from "#src/db/database.ts";
import { migrate } from "#src/db/migrate.ts";
import { isPostgresReachable } from "./databases.ts";
import { ensurePgliteTemplate } from "./pglite-template.ts";
import { TEST_POSTGRES_ADMIN_URL } from "./postgres-url.ts";

declare module "vitest" {
  export interface ProvidedContext {
    postgresAvailable: boolean;
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const template = await ensurePgliteTemplate(async (lite) => {
    await migrate(await openDatabase({ url: "memory://", pglite: lite }));
  });
  project.provide("pgliteTemplate", template);

  // The fast loop (vitest.config.ts) leaves PostgreSQL out on purpose, even where it is reachable.
  if (process.env.FORGEBOT_TEST_FAST === "1") {
    project.provide("postgresAvailable", false);
    return;
  }
  const available = await isPostgresReachable();
  if (!available) {
    if (process.env.CI)
      throw new Error(`PostgreSQL is not reachable at ${TEST_POSTGRES_ADMIN_URL}; CI requires it.`);
    console.warn(`PostgreSQL is not reachable at ${TEST_POSTGRES_ADMIN_URL}: its tests are skipped.`);
  }
  project.provide("postgresAvailable", available);
}
