// Many members at once on Discord's HTTP interactions endpoint, the bot running as its own process
// the way `npm start` runs it (bench/bot-process.ts: HTTP interactions mode, DISCORD_API_BASE at a
// fake REST API on loopback, a generated Ed25519 key pair) on a fresh PGlite and a fresh PostgreSQL
// database. A closed-loop load generator has N members each send a signed /balance, wait for its
// final answer, and send the next. Per command: the ack latency (the HTTP response) and the
// final-answer latency (the HTTP response when it is the answer, type 4; else the arrival of the
// PATCH to @original at the fake REST). The generator and the fake REST run in a worker thread of
// this process (bench/load-generator.ts). Per database, in order: the first ack after the spawn,
// the idle RSS, one command per member (warm-up), the timed closed loop, then more commands until
// the count after warm-up is reached, and the RSS then. The ceiling, in the same run: a bare
// node:http server started the same way (bench/bare-ack-server.ts) that verifies the same
// signatures and acks with type 5; its idle RSS is the minimal server's. Every loop must have done
// the work it names: every command answered exactly once, or the suite fails.
import { generateKeyPairSync } from "node:crypto";
import { Worker } from "node:worker_threads";
import type { DatabaseKind } from "#src/db/database.ts";
import { migratedDatabase, type NodeProcess, spawnNode, startBotProcess } from "./bot-process.ts";
import { type BenchContext, type BenchRow, defineSuite } from "./harness.ts";
import type { GeneratorMessage, Measured, ProbeAnswer, RestCount } from "./load-generator.ts";

/** How long a process is left alone before its idle RSS is read. */
const SETTLE_MS = 2_000;
/** How long after a loop a second edit of an answer would have arrived. */
const EDITS_SETTLE_MS = 500;
const START_TIMEOUT_MS = 60_000;
/**
 * "Flat": the RSS after the commands is less than 10% above the RSS after warm-up (one command per
 * member). A leak of 1.3 KiB per command (issue 16) is about 124 MiB over 100,000 commands.
 */
const FLAT_GROWTH_PERCENT = 10;

const GOALS = {
  postgres: { ackP99Ms: 50, firstAckMs: 1_000, rssMiB: 200 },
  pglite: { ackP99Ms: 100, firstAckMs: 3_000, rssMiB: 400 },
} as const;
const GOAL_COMMANDS_PER_SECOND = 300;
const GOAL_FINAL_P50_MS = 300;

/** The bare ack server's figures, measured in the same run. */
interface Ceiling {
  ackP99Ms: number;
  acksPerSecond: number;
  rssMiB: number;
}

interface Plan {
  members: number;
  /** The timed closed loop. */
  seconds: number;
  /** Commands after warm-up before the last RSS reading (the timed loop's count in). */
  commands: number;
}

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const x = publicKey.export({ format: "jwk" }).x!;
  return {
    privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    publicKeyHex: Buffer.from(x, "base64url").toString("hex"),
  };
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The load generator and fake REST in their worker thread; one question at a time. */
async function startGenerator() {
  // tsx's loader does not reach a worker's entry; its API loads the entry (as src/grading/prepare-thread.ts).
  const entry = new URL("./load-generator.ts", import.meta.url).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  const worker = new Worker(
    `import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`,
    { eval: true, execArgv: [] },
  );
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    }).finally(() => worker.removeAllListeners("error"));
  const { apiBase } = await next<{ apiBase: string }>();
  return {
    apiBase,
    async ask<T>(message: GeneratorMessage): Promise<T> {
      const answer = next<T>();
      worker.postMessage(message);
      return answer;
    },
    close: () => worker.terminate(),
  };
}

type Generator = Awaited<ReturnType<typeof startGenerator>>;

/**
 * One closed loop against the bot, checked: every command sent answered exactly once (a type-4
 * answer has no edit, a deferred one exactly one), else it throws.
 */
async function checkedLoop(
  generator: Generator,
  what: string,
  run: { url: string; privateKeyPem: string; members: number; seconds: number; perMember?: number },
): Promise<Measured> {
  await generator.ask({ op: "reset" });
  const measured = await generator.ask<Measured>({ op: "run", ...run, awaitEdits: true });
  await sleep(EDITS_SETTLE_MS);
  const rest = await generator.ask<RestCount>({ op: "count" });
  const problems = [...measured.problems];
  if (rest.editedTwice > 0) problems.push(`${rest.editedTwice} deferred commands edited more than once`);
  if (rest.edited !== measured.deferred)
    problems.push(`${measured.deferred} commands deferred, ${rest.edited} edited in`);
  if (measured.finalMs.length !== measured.sent)
    problems.push(`${measured.sent} commands sent, ${measured.finalMs.length} answered`);
  if (problems.length > 0)
    throw new Error(
      `load [${what}]: not every command was answered exactly once (${problems.length} problems): ${problems.slice(0, 5).join("; ")}`,
    );
  return measured;
}

/** The bot process on a fresh database of `kind`: its rows. */
async function loadTheBot(
  ctx: BenchContext,
  kind: DatabaseKind,
  plan: Plan,
  generator: Generator,
  ceiling: Ceiling,
): Promise<BenchRow[]> {
  const application = keyPair();
  const database = await migratedDatabase(ctx, kind);
  const bot = await startBotProcess({
    databaseUrl: database.url,
    apiBase: generator.apiBase,
    publicKeyHex: application.publicKeyHex,
  });
  const goals = GOALS[kind];
  const row = (fields: Omit<BenchRow, "suite" | "database">): BenchRow => ({
    suite: "load",
    database: kind,
    ...fields,
  });
  try {
    const probe = await Promise.race([
      generator.ask<ProbeAnswer>({
        op: "probe",
        url: bot.url,
        privateKeyPem: application.privateKeyPem,
        timeoutMs: START_TIMEOUT_MS,
      }),
      bot.exited,
    ]);
    if (probe.problem || probe.ackedAt === undefined)
      throw new Error(`load [${kind}]: the bot process did not start: ${probe.problem}`);
    const firstAckMs = probe.ackedAt - bot.spawnedAt;
    ctx.log(`load: ${kind}, first ack ${firstAckMs.toFixed(0)} ms after the spawn`);
    await sleep(SETTLE_MS);
    const idleRss = bot.rssMiB();
    const idleHeap = await bot.heapUsedMiB();
    const loop = { url: bot.url, privateKeyPem: application.privateKeyPem, members: plan.members };
    // Every member's first command registers them; warm-up, not timed.
    await checkedLoop(generator, `${kind} warm-up`, { ...loop, seconds: 600, perMember: 1 });
    const warmRss = bot.rssMiB();
    const snapshot = () => process.env.BENCH_HEAP_SNAPSHOTS && process.kill(bot.pid, "SIGUSR2");
    snapshot();
    // What limits the loop, seen from inside the bot: its CPU per command, and how late its event
    // loop ran (the scrape before resets the delay histogram, so the one after covers the loop).
    await bot.eventLoopDelayP99Ms();
    const cpuBefore = bot.cpuSeconds();
    const run = await checkedLoop(generator, kind, { ...loop, seconds: plan.seconds });
    const cpuMsPerCommand = ((bot.cpuSeconds() - cpuBefore) * 1000) / run.sent;
    const loopDelayP99 = await bot.eventLoopDelayP99Ms();
    const inside = `bot CPU ${cpuMsPerCommand.toFixed(1)} ms per command (${((cpuMsPerCommand * run.sent) / 1000 / run.seconds).toFixed(2)} cores busy), event-loop delay p99 ${loopDelayP99 === undefined ? "?" : loopDelayP99.toFixed(0)} ms`;
    ctx.log(`load: ${kind}, ${run.sent} commands sent, each answered once`);
    const remaining = Math.max(0, plan.commands - run.sent);
    const more =
      remaining === 0
        ? undefined
        : await checkedLoop(generator, `${kind}, up to ${plan.commands} commands`, {
            ...loop,
            seconds: 24 * 3600,
            perMember: Math.ceil(remaining / plan.members),
          });
    const commands = run.sent + (more?.sent ?? 0);
    ctx.log(`load: ${kind}, ${commands} commands after warm-up, each answered once`);
    await sleep(SETTLE_MS);
    snapshot();
    const afterRss = bot.rssMiB();
    const afterHeap = await bot.heapUsedMiB();
    const growth = ((afterRss - warmRss) / warmRss) * 100;
    const heap = (mib: number | undefined) => (mib === undefined ? "heap ?" : `heap ${mib.toFixed(0)} MiB`);
    const ackP99 = percentile(run.ackMs, 99);
    const rate = run.finalMs.length / run.seconds;
    return [
      row({
        case: "first ack after start",
        value: firstAckMs,
        unit: "ms",
        goal: { below: goals.firstAckMs },
        notes: `spawn of node --import tsx src/main.ts (database migrated) to the first signed /balance acked; ${probe.attempts} attempts`,
      }),
      row({
        case: "RSS idle after start",
        value: idleRss,
        unit: "MiB",
        ceiling: ceiling.rssMiB,
        ratio: idleRss / ceiling.rssMiB,
        goal: { below: goals.rssMiB },
        notes: `${SETTLE_MS / 1000} s after the first ack; ${heap(idleHeap)}; ceiling: the bare ack server's RSS`,
      }),
      row({
        case: `ack p99, ${plan.members} members, ${plan.seconds} s closed loop`,
        value: ackP99,
        unit: "ms",
        ceiling: ceiling.ackP99Ms,
        ratio: ackP99 / ceiling.ackP99Ms,
        goal: { below: goals.ackP99Ms },
        notes: `${inside}; ceiling: the bare ack server's p99`,
      }),
      row({
        case: "commands answered per second",
        value: rate,
        unit: "commands/s",
        ceiling: ceiling.acksPerSecond,
        ratio: rate / ceiling.acksPerSecond,
        goal: { above: GOAL_COMMANDS_PER_SECOND },
        notes: `${run.sent} sent, each answered once (${run.inline} in the response, ${run.deferred} deferred); ${inside}; ceiling: bare acks/s`,
      }),
      row({
        case: "final answer p50",
        value: percentile(run.finalMs, 50),
        unit: "ms",
        goal: { below: GOAL_FINAL_P50_MS },
        notes: `p99 ${percentile(run.finalMs, 99).toFixed(0)} ms`,
      }),
      row({
        case: `RSS after ${commands.toLocaleString("en-US")} commands`,
        value: afterRss,
        unit: "MiB",
        goal: { below: goals.rssMiB },
        notes: `after warm-up ${warmRss.toFixed(0)} MiB; ${heap(afterHeap)} (idle ${heap(idleHeap)})`,
      }),
      row({
        case: `RSS growth over ${commands.toLocaleString("en-US")} commands`,
        value: growth,
        unit: "%",
        goal: { below: FLAT_GROWTH_PERCENT, text: `flat (< ${FLAT_GROWTH_PERCENT}% growth)` },
        notes: `from ${warmRss.toFixed(0)} MiB after one command per member to ${afterRss.toFixed(0)} MiB`,
      }),
    ];
  } finally {
    await bot.stop();
    await database.drop();
  }
}

/** The bare ack server as its own process: its idle RSS, then its ack p99 and acks per second. */
async function loadTheBareAck(
  ctx: BenchContext,
  plan: Plan,
  generator: Generator,
): Promise<{ ceiling: Ceiling; rows: BenchRow[] }> {
  const application = keyPair();
  let reportPort: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => {
    reportPort = resolve;
  });
  const server: NodeProcess = spawnNode(
    "bench/bare-ack-server.ts",
    { BARE_ACK_PUBLIC_KEY: application.publicKeyHex },
    (text) => reportPort(Number.parseInt(text, 10)),
  );
  try {
    const url = `http://127.0.0.1:${await Promise.race([port, server.exited])}/discord/interactions`;
    await sleep(SETTLE_MS);
    const rss = server.rssMiB();
    const bare = await generator.ask<Measured>({
      op: "run",
      url,
      privateKeyPem: application.privateKeyPem,
      members: plan.members,
      seconds: plan.seconds,
      awaitEdits: false,
    });
    if (bare.problems.length > 0) throw new Error(`load: the bare ack server failed: ${bare.problems[0]}`);
    const p99 = percentile(bare.ackMs, 99);
    ctx.log(`load: bare ack, ${bare.sent} acks, p99 ${p99.toFixed(1)} ms, RSS ${rss.toFixed(0)} MiB`);
    const ceiling = { ackP99Ms: p99, acksPerSecond: bare.sent / bare.seconds, rssMiB: rss };
    const row = (fields: Omit<BenchRow, "suite">): BenchRow => ({ suite: "load", ...fields });
    const rows = [
      row({
        case: `bare signed ack p99, ${plan.members} members`,
        value: p99,
        unit: "ms",
        notes: "ceiling: node:http, Ed25519 verify, type 5, its own process",
      }),
      row({
        case: "bare signed acks per second",
        value: ceiling.acksPerSecond,
        unit: "acks/s",
        notes: `ceiling; ${bare.sent} acks`,
      }),
      row({
        case: "RSS idle, bare ack server",
        value: rss,
        unit: "MiB",
        notes: "ceiling: the minimal server (node, tsx, node:http)",
      }),
    ];
    return { ceiling, rows };
  } finally {
    await server.stop();
  }
}

export default defineSuite({
  name: "load",
  description: "N members sending signed /balance interactions at once to the bot's own process",
  async run(ctx) {
    const plan: Plan = ctx.quick
      ? { members: 50, seconds: 5, commands: Number(process.env.BENCH_LOAD_COMMANDS ?? 5_000) }
      : { members: 200, seconds: 20, commands: 100_000 };
    const generator = await startGenerator();
    try {
      const bare = await loadTheBareAck(ctx, plan, generator);
      const rows: BenchRow[] = [];
      for (const kind of [
        ...(ctx.pglite ? (["pglite"] as const) : []),
        ...(ctx.postgres ? (["postgres"] as const) : []),
      ])
        rows.push(...(await loadTheBot(ctx, kind, plan, generator, bare.ceiling)));
      return [...rows, ...bare.rows];
    } finally {
      await generator.close();
    }
  },
});
