// One clock (ARCHITECTURE.md): every business timestamp is written from the bot's clock, never from
// the database's now() nor the process's wall clock. Checked three ways, so a column, a raw INSERT or
// a `new Date()` added later cannot slip back: the migrated schema has no time defaults, the source
// reads no wall clock outside core/clock.ts, and a whole run at a far-off date leaves no row stamped
// with today.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "#src/core/clock.ts";
import { type ConsoleHarness, startConsole } from "#test/helpers/console.ts";
import { createTestDatabase, type TestDatabase } from "#test/helpers/db.ts";
import { writeDemo } from "../economy/demo-files.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

// Where reading the wall clock is the point, and why.
const WALL_CLOCK_ALLOWED: Record<string, string> = {
  "src/core/clock.ts": "the system clock itself",
  "src/platforms/discord/http-interactions.ts": "Discord's replay window is checked against real time",
  "src/db/new-migration.ts": "a developer tool naming a migration folder",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "generated" || name === "node_modules") return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

type TimestampRow = { table_name: string; column_name: string; column_default: string | null };

describe("one clock", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase("pglite");
  });
  afterAll(() => test?.drop());

  it("gives no column a default time from the database's clock", async () => {
    const columns = await test.db.prisma.$queryRawUnsafe<TimestampRow[]>(
      `SELECT table_name, column_name, column_default FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' AND column_default IS NOT NULL`,
    );
    const clockDefaults = columns.filter((c) =>
      /now\(|current_timestamp|clock_timestamp|statement_timestamp|transaction_timestamp|localtimestamp|current_date/i.test(
        c.column_default ?? "",
      ),
    );
    expect(clockDefaults.map((c) => `${c.table_name}.${c.column_name}`)).toEqual([]);
  });

  it("reads the wall clock nowhere in the bot but core/clock.ts and the listed exceptions", () => {
    const offenders: string[] = [];
    for (const file of [...sourceFiles(join(ROOT, "src")), ...sourceFiles(join(ROOT, "commands"))]) {
      const path = relative(ROOT, file);
      if (path in WALL_CLOCK_ALLOWED) continue;
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, index) => {
          if (/new Date\(\s*\)|Date\.now\(\)/.test(line))
            offenders.push(`${path}:${index + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});

describe("a run at a far-off date", () => {
  const START = "2031-05-05T10:00:00Z";
  let c: ConsoleHarness;
  beforeAll(async () => {
    c = await startConsole("pglite", { moderators: ["mod"], clock: new ManualClock(START) });
  });
  afterAll(() => c?.close());

  it("stamps every row it writes with the bot's time, whatever the machine's date", async () => {
    const script = `
      @mod /admin credit user:@mod amount:100 token:USDC reason:"seed"
      @alice /balance
      @mod /admin credit user:@alice amount:50 token:USDC reason:"grant"
      @alice /factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open the project; Implement the cart; Test" ref:task_2
      @alice /pool fund factory:1 amount:20
      @alice /confirm
      @alice /bid set factory:1 bid:0.25
      @bob /referral link
      @bob /submit factory:1 ${writeDemo("one-clock")}
    `;
    const records = await c.run(script);
    expect(records.map((r) => [r.command, r.ok])).toEqual(records.map((r) => [r.command, true]));
    await c.app.services.submissions.queue.idle();
    c.clock.advance(60_000);
    await c.run("@bob /scores");

    const columns = await c.app.db.prisma.$queryRawUnsafe<TimestampRow[]>(
      `SELECT table_name, column_name, NULL AS column_default FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' AND data_type LIKE 'timestamp%'`,
    );
    const stamped: string[] = [];
    const wrong: string[] = [];
    for (const { table_name: table, column_name: column } of columns) {
      const rows = await c.app.db.prisma.$queryRawUnsafe<Array<{ at: Date }>>(
        `SELECT "${column}" AS at FROM "${table}" WHERE "${column}" IS NOT NULL`,
      );
      if (rows.length > 0) stamped.push(`${table}.${column}`);
      for (const { at } of rows)
        if (at.getTime() < new Date(START).getTime()) wrong.push(`${table}.${column} = ${at.toISOString()}`);
    }
    // The run must have written the tables that matter, or the check above proves nothing.
    expect(stamped).toEqual(
      expect.arrayContaining([
        "users.created_at",
        "platform_accounts.created_at",
        "transfers.created_at",
        "entries.created_at",
        "accounts.created_at",
        "factories.created_at",
        "bid_changes.created_at",
        "submissions.created_at",
        "pending_actions.created_at",
        "idempotency_records.created_at",
        "referral_codes.created_at",
        "tokens.created_at",
      ]),
    );
    expect(wrong).toEqual([]);
  });
});
