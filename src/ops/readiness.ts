// /readyz: whether this replica should be sent traffic. Ready means the database answers, every
// migration this code knows is applied there (an upgrade in progress on another replica, or an old
// replica against a newer schema, is not ready), the chat platforms it runs are connected, and it
// is not shutting down. /healthz only says the process is alive.
import type { Database } from "#src/db/database.ts";
import { readMigrations } from "#src/db/migrate.ts";

/** One thing readiness depends on: undefined when fine, otherwise what is wrong. */
export type ReadinessCheck = () => Promise<string | undefined> | string | undefined;

export interface ReadinessReport {
  ready: boolean;
  /** Each check's name and "ok" or its problem. */
  checks: Record<string, string>;
}

/** The database checks: reachable, and every migration of this code applied. */
export function databaseChecks(
  db: Database,
  migrationNames: readonly string[] = readMigrations().map((m) => m.name),
): Record<string, ReadinessCheck> {
  return {
    database: async () => {
      await db.prisma.$queryRawUnsafe("SELECT 1");
      return undefined;
    },
    migrations: async () => {
      const rows = await db.prisma.$queryRawUnsafe<Array<{ migration_name: string }>>(
        `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      const applied = new Set(rows.map((r) => r.migration_name));
      const missing = migrationNames.filter((name) => !applied.has(name));
      return missing.length === 0 ? undefined : `not applied: ${missing.join(", ")}`;
    },
  };
}

/** Runs every check (each bounded by `timeoutMs`); a check that throws reports its message. */
export async function checkReadiness(
  checks: Record<string, ReadinessCheck>,
  timeoutMs = 2_000,
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, string]> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const problem = await Promise.race([
          Promise.resolve(check()),
          new Promise<string>((resolve) => {
            timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
          }),
        ]);
        return [name, problem ?? "ok"];
      } catch (error) {
        return [name, error instanceof Error ? error.message.split("\n")[0]! : String(error)];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: entries.every(([, state]) => state === "ok"), checks: Object.fromEntries(entries) };
}
