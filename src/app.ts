// The composition root's reusable half: config -> database -> services -> commands -> dispatcher.
// main.ts adds the front ends and the scheduler; tests and benchmarks use this directly.
import { fileURLToPath } from "node:url";
import type { Config } from "./config.ts";
import { type Clock, systemClock } from "./core/clock.ts";
import { Dispatcher } from "./core/dispatch.ts";
import { CommandRateLimits } from "./core/rate-limits.ts";
import { CommandRegistry, loadCommandModules } from "./core/registry.ts";
import type { CommandSpec } from "./core/spec.ts";
import { type Database, isInMemoryUrl, openDatabase } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import type { Logger } from "./log.ts";
import { BotMetrics } from "./ops/metrics.ts";
import { createServices, type Services } from "./services.ts";

export const COMMANDS_DIR = fileURLToPath(new URL("../commands", import.meta.url));

export interface App {
  config: Config;
  db: Database;
  services: Services;
  dispatcher: Dispatcher<Services>;
  /** Prometheus metrics fed by the dispatcher, grading, jobs and the ledger (GET /metrics). */
  metrics: BotMetrics;
  /**
   * Waits for the work commands left running in the background (grading and the notices it
   * sends) to finish: a script run calls it before it exits, or grades would be lost mid-way.
   */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the bot on an open, migrated database (tests may add commands of their own). */
export async function createApp(
  config: Config,
  db: Database,
  log: Logger,
  clock: Clock = systemClock,
  extraCommands: ReadonlyArray<CommandSpec<Services>> = [],
): Promise<App> {
  db.useClock(clock);
  const services = await createServices(config, db, log, clock);
  const registry = new CommandRegistry<Services>([
    ...(await loadCommandModules<Services>(COMMANDS_DIR)),
    ...extraCommands,
  ]);
  services.commands = registry;
  const dispatcher = new Dispatcher<Services>(registry, services, {
    db,
    tokens: services.tokens,
    identity: services.identity,
    actions: services.actions,
    clock,
    log,
    rateLimits: new CommandRateLimits(db, config, log),
  });
  const metrics = new BotMetrics({
    db,
    dispatcher: dispatcher as unknown as Dispatcher<unknown>,
    gradingQueue: services.submissions.queue,
    scheduler: services.scheduler,
    ledger: services.ledger,
    log,
  });
  return {
    config,
    db,
    services,
    dispatcher,
    metrics,
    drain: () => services.submissions.queue.idle(),
    close: async () => {
      await services.submissions.close();
      await db.close();
    },
  };
}

/** Opens the configured database, applies pending migrations and builds the bot. */
export async function startApp(config: Config, log: Logger): Promise<App> {
  const open = () =>
    openDatabase({
      url: config.DATABASE_URL,
      poolSize: config.DATABASE_POOL_SIZE,
      pgliteSharedBuffersMB: config.PGLITE_SHARED_BUFFERS_MB,
      onRetry: (attempt, error) => log.debug({ attempt, err: error }, "transaction conflict, retrying"),
      onEffectError: (error) => log.error({ err: error }, "after-commit effect failed"),
    });
  let db = await open();
  try {
    const report = await migrate(db);
    if (report.applied.length > 0) {
      log.info({ applied: report.applied }, "database migrated");
      // PGlite's WebAssembly memory only grows: the migrations left it at 500-900 MiB, which the
      // bot would hold for as long as it runs. A fresh instance on the migrated files starts small
      // (about 340 MiB idle). An in-memory database cannot be reopened: it keeps its memory.
      if (db.kind === "pglite" && !isInMemoryUrl(config.DATABASE_URL)) {
        await db.close();
        db = await open();
      }
    }
    return await createApp(config, db, log);
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}
