// The composition root: config -> database -> services -> front ends -> scheduler.
// `npm start` runs the chat platforms whose settings are present (src/platforms/front-ends.ts), or
// the console when none is.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { type App, startApp } from "./app.ts";
import { ConfigError, loadConfig, secretValues } from "./config.ts";
import { MigrationError } from "./db/migrate.ts";
import { SchedulerConfigError } from "./epochs/scheduler.ts";
import { createLogger } from "./log.ts";
import { gracefulShutdown } from "./ops/shutdown.ts";
import { ConsoleFrontEnd } from "./platforms/console/console.ts";
import { chatPlatformsConfigured, type RunningFrontEnds, startFrontEnds } from "./platforms/front-ends.ts";
import { TelegramStartupError } from "./platforms/telegram/startup-error.ts";

const USAGE = `Usage: npm start -- [options]

  --db URL             database: a directory (default ./data/forgebot), memory://, or postgresql://…
  --script FILE        run the console commands in FILE, then exit (standard input works too)
  --json               print one JSON object per command (console)
  --user NAME          who runs lines that name no @user (console; default "you")
  --moderators a,b     console users who are moderators, beside MODERATORS
  --help               this text

Settings come from the environment or a .env file; see .env.example.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      db: { type: "string" },
      script: { type: "string" },
      json: { type: "boolean", default: false },
      user: { type: "string", default: "you" },
      moderators: { type: "string", default: "" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (existsSync(".env")) process.loadEnvFile(".env");
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...(values.db ? { DATABASE_URL: values.db } : {}),
  };
  let config = loadConfig(env);
  const consoleOnly = !chatPlatformsConfigured(config);
  // The console shares the terminal with the logs: only warnings unless asked for more.
  if (consoleOnly && !env.LOG_LEVEL) config = { ...config, LOG_LEVEL: "warn" };
  const log = createLogger(config.LOG_LEVEL, process.stderr, secretValues(config));
  const app = await startApp(config, log);
  // The drain, in order: take no new events and let the job step under way finish (together),
  // then the gradings those commands queued, then close the front ends and the database.
  let running: RunningFrontEnds | undefined;
  const shutdown = gracefulShutdown({ timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000, log });
  shutdown.step("stop taking events; finish those under way and the job run in progress", () =>
    Promise.all([running?.drain(), stopScheduler(app)]),
  );
  // A webhook update answered early (Telegram's 9 s) may still be running its command.
  shutdown.step("finish the commands still running", () => app.dispatcher.idle());
  shutdown.step("finish the gradings under way", () => app.drain());
  shutdown.step("close the front ends", async () => running?.stop());
  shutdown.step("close the database", () => app.close());
  try {
    if (consoleOnly) {
      // A script's output must not depend on the clock: only the interactive console ticks jobs.
      if (!values.script && process.stdin.isTTY) await startScheduler(app);
      return await runConsole(app, values);
    }
    running = await startFrontEnds(app, log);
    // After the front ends, so announcements find their platform; stopped before them.
    await startScheduler(app);
    log.info("ready");
    // The chat front ends run until a signal drains them (gracefulShutdown exits the process).
    return await new Promise<number>(() => {});
  } finally {
    await shutdown.run("the console is done");
  }
}

async function runConsole(
  app: App,
  flags: { script?: string; json: boolean; user: string; moderators: string },
): Promise<number> {
  for (const name of flags.moderators
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)) {
    app.services.identity.addModerator("console", name);
  }
  const front = new ConsoleFrontEnd(app.dispatcher as never, {
    defaultUser: flags.user,
    json: flags.json,
    color: !flags.json && !flags.script && Boolean(process.stdout.isTTY),
    imageDir: "data/images",
    write: (text) => process.stdout.write(text),
  });
  app.services.notifier.register(front.sender());
  if (flags.script) {
    const { createReadStream } = await import("node:fs");
    await front.runScript(createReadStream(flags.script, "utf8"));
  } else if (process.stdin.isTTY) {
    await front.runInteractive(process.stdin, process.stdout);
  } else {
    await front.runScript(process.stdin);
  }
  // The last commands' grading still runs in the background; its notices are part of the output.
  await app.drain();
  return front.internalErrors > 0 ? 1 : 0;
}

/** Catches the periodic jobs up and ticks them, unless SCHEDULER=off. */
async function startScheduler(app: App): Promise<void> {
  if (app.config.SCHEDULER === "off") return;
  await app.services.scheduler.start();
}

/** Stops ticking and waits for the job run under way (a no-op when it never started). */
async function stopScheduler(app: App): Promise<void> {
  if (app.config.SCHEDULER === "off") return;
  await app.services.scheduler.stop();
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (
      error instanceof ConfigError ||
      error instanceof MigrationError ||
      error instanceof SchedulerConfigError ||
      error instanceof TelegramStartupError
    ) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  },
);
