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
import { ConsoleFrontEnd } from "./platforms/console/console.ts";
import { chatPlatformsConfigured, startFrontEnds } from "./platforms/front-ends.ts";
import { TelegramStartupError } from "./platforms/telegram/startup.ts";

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
  const shutdown = onShutdown();
  shutdown.add(() => app.close());
  try {
    if (consoleOnly) {
      // A script's output must not depend on the clock: only the interactive console ticks jobs.
      if (!values.script && process.stdin.isTTY) await startScheduler(app, shutdown);
      return await runConsole(app, values);
    }
    const running = await startFrontEnds(app, log);
    if (running) shutdown.add(() => running.stop());
    // After the front ends, so announcements find their platform; stopped before them.
    await startScheduler(app, shutdown);
    // The chat front ends run until a signal stops them (onShutdown).
    return await new Promise<number>(() => {});
  } finally {
    await shutdown.close();
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

/** Catches the periodic jobs up and ticks them, unless SCHEDULER=off; stops them on shutdown. */
async function startScheduler(app: App, shutdown: ReturnType<typeof onShutdown>): Promise<void> {
  if (app.config.SCHEDULER === "off") return;
  const scheduler = app.services.scheduler;
  shutdown.add(() => scheduler.stop());
  await scheduler.start();
}

/** Closes what was started, newest first, once: at the end of the console or on SIGINT/SIGTERM. */
function onShutdown() {
  const closers: Array<() => Promise<void>> = [];
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const closer of closers.reverse()) await closer();
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void close().then(() => process.exit(0));
    });
  }
  return { add: (closer: () => Promise<void>) => void closers.push(closer), close };
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
