// The bot as its own process, for the load suite: started the way `npm start` starts it (node
// --import tsx src/main.ts; node itself, not the tsx CLI, so the pid read is the bot's) in Discord's
// HTTP interactions mode, on a database migrated beforehand (a restart, the usual start), with
// DISCORD_API_BASE at the load generator's fake REST API. Its resident memory is read from
// /proc/PID/status; its heap from its own /metrics (prom-client's nodejs_heap_size_used_bytes).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DatabaseKind, openDatabase } from "#src/db/database.ts";
import { migrate } from "#src/db/migrate.ts";
import type { BenchContext } from "./harness.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const STOP_TIMEOUT_MS = 15_000;
const STDERR_TAIL_CHARS = 4_000;

/** A child process of node started with tsx, with what the suite reads of it. */
export interface NodeProcess {
  pid: number;
  /** When it was spawned, on the wall clock shared by threads (timeOrigin + now, in ms). */
  spawnedAt: number;
  /** Rejects when the process exits before stop() (with the end of its stderr). */
  exited: Promise<never>;
  /** Resident memory now, in MiB (VmRSS). */
  rssMiB(): number;
  stop(): Promise<void>;
}

/** Spawns `node --import tsx FILE` from the repository's root with exactly `env` (plus PATH, HOME). */
export function spawnNode(
  file: string,
  env: Record<string, string>,
  onStdout?: (text: string) => void,
): NodeProcess {
  const spawnedAt = performance.timeOrigin + performance.now();
  // BENCH_HEAP_SNAPSHOTS=DIR: the process writes a heap snapshot into DIR on SIGUSR2 (the load
  // suite sends one after the warm-up and one at the end), to see what a growing heap holds.
  const snapshots = process.env.BENCH_HEAP_SNAPSHOTS;
  const flags = snapshots ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${snapshots}`] : [];
  const child = spawn(process.execPath, [...flags, "--import", "tsx", join(ROOT, file)], {
    cwd: ROOT,
    // Nothing of the bench's own environment (a DATABASE_URL, a bot token) leaks into the settings.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_TAIL_CHARS);
  });
  child.stdout!.on("data", (chunk: Buffer) => onStdout?.(chunk.toString("utf8")));
  let stopping = false;
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const exited = exit.then((code) => {
    if (!stopping) throw new Error(`${file} exited (code ${code}) before the bench stopped it:\n${stderr}`);
    return new Promise<never>(() => {});
  });
  exited.catch(() => {});
  return {
    pid: child.pid!,
    spawnedAt,
    exited,
    rssMiB: () => vmRssMiB(child),
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    },
  };
}

function vmRssMiB(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS in /proc/${child.pid}/status`);
  return Number(kib) / 1024;
}

/** A port free now on loopback (the bot is told its port; HTTP_PORT=0 would not say which). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface BotProcess extends NodeProcess {
  /** The interactions endpoint's URL. */
  url: string;
  /** Used heap in MiB from the bot's /metrics, or undefined if it did not answer. */
  heapUsedMiB(): Promise<number | undefined>;
  /**
   * The event loop's delay p99 in ms since the previous call, from the bot's /metrics
   * (prom-client's monitorEventLoopDelay histogram, reset at each scrape).
   */
  eventLoopDelayP99Ms(): Promise<number | undefined>;
  /** CPU seconds (user + system) the bot process has used so far, from /proc/PID/stat. */
  cpuSeconds(): number;
}

/** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

export async function startBotProcess(options: {
  databaseUrl: string;
  apiBase: string;
  publicKeyHex: string;
}): Promise<BotProcess> {
  const port = await freePort();
  const metricsToken = randomBytes(24).toString("hex");
  const bot = spawnNode("src/main.ts", {
    DATABASE_URL: options.databaseUrl,
    DISCORD_PUBLIC_KEY: options.publicKeyHex,
    DISCORD_API_BASE: options.apiBase,
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: String(port),
    LOG_LEVEL: "warn",
    // Limits off, as in the tests: the bench measures the path, not the rate limiter refusing members.
    RATE_LIMIT_POINTS: "0",
    RATE_LIMIT_COMMANDS: "",
    // The periodic jobs have suites of their own; here they would only add noise to the commands.
    SCHEDULER: "off",
    METRICS_TOKEN: metricsToken,
    // As `npm start` sets it (docs/operations.md, "Memory").
    MALLOC_ARENA_MAX: "2",
  });
  const base = `http://127.0.0.1:${port}`;
  const metric = async (name: string): Promise<number | undefined> => {
    const response = await fetch(`${base}/metrics`, {
      headers: { authorization: `Bearer ${metricsToken}` },
    }).catch(() => undefined);
    if (!response?.ok) return undefined;
    const value = new RegExp(`^${name} (\\S+)$`, "m").exec(await response.text())?.[1];
    return value === undefined ? undefined : Number(value);
  };
  return {
    ...bot,
    url: `${base}/discord/interactions`,
    async heapUsedMiB() {
      const bytes = await metric("nodejs_heap_size_used_bytes");
      return bytes === undefined ? undefined : bytes / 1024 / 1024;
    },
    async eventLoopDelayP99Ms() {
      const seconds = await metric("nodejs_eventloop_lag_p99_seconds");
      return seconds === undefined ? undefined : seconds * 1000;
    },
    cpuSeconds() {
      // Fields after the command name (which may hold spaces, hence the last ")"): utime is the
      // 14th field of the line, stime the 15th.
      const stat = readFileSync(`/proc/${bot.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
    },
  };
}

/**
 * A fresh database for the bot process, migrated here first: PostgreSQL from the harness, PGlite
 * in a temporary data directory (closed before the bot opens it; PGlite has one owner).
 */
export async function migratedDatabase(
  ctx: BenchContext,
  kind: DatabaseKind,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === "postgres") {
    // Its pool of one stays open until drop() (which closes it, then drops the database).
    const { url, drop } = await ctx.database("postgres", 1);
    return { url, drop };
  }
  const dir = mkdtempSync(join(tmpdir(), "forgebot-load-"));
  const db = await openDatabase({ url: dir });
  await migrate(db);
  await db.close();
  return { url: dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}
