// The whole bot on a fresh test database, without any front end: tests attach the console, the
// Discord front end or the Telegram bot to it.
import { type App, createApp } from "#src/app.ts";
import { loadConfig } from "#src/config.ts";
import { ManualClock } from "#src/core/clock.ts";
import type { CommandSpec } from "#src/core/spec.ts";
import type { DatabaseKind } from "#src/db/database.ts";
import { type Logger, silentLogger } from "#src/log.ts";
import type { Services } from "#src/services.ts";
import { createTestDatabase } from "./db.ts";

export interface TestAppOptions {
  /** Settings as environment variables (validated like at start-up). */
  env?: Record<string, string>;
  clock?: ManualClock;
  poolSize?: number;
  log?: Logger;
  /** Commands beside those in commands/ (e.g. one that takes a file). */
  extraCommands?: ReadonlyArray<CommandSpec<Services>>;
}

export interface TestApp {
  app: App;
  clock: ManualClock;
  close(): Promise<void>;
}

export async function createTestApp(kind: DatabaseKind, options: TestAppOptions = {}): Promise<TestApp> {
  const test = await createTestDatabase(kind, { poolSize: options.poolSize });
  const clock = options.clock ?? new ManualClock("2026-01-01T00:00:00Z");
  // Tests run many commands as one member in a standing clock's one window: limits are off unless a
  // test sets them (test/core/rate-limits.test.ts).
  const config = loadConfig({
    DATABASE_URL: test.url,
    LOG_LEVEL: "silent",
    RATE_LIMIT_POINTS: "0",
    RATE_LIMIT_COMMANDS: "",
    ...options.env,
  });
  const app = await createApp(config, test.db, options.log ?? silentLogger, clock, options.extraCommands);
  return { app, clock, close: () => test.drop() };
}
