// Many members at once on Discord's HTTP interactions endpoint: the bot's endpoint runs in this
// process (the same client, front end and route as in HTTP mode, DISCORD_API_BASE pointing at a fake
// REST API on loopback), and a closed-loop load generator has N members each send a signed /balance,
// wait for its final answer, and send the next. Per command: the ack latency (the HTTP response) and
// the final-answer latency (the HTTP response when it is the answer, type 4; else the arrival of the
// PATCH to @original at the fake REST). The generator and the fake REST run in a worker thread
// (bench/load-generator.ts), off the endpoint's event loop. The ceiling, in the same run: a bare node:http server that
// verifies the same signatures and answers a type-5 ack. The loop must have done the work: every
// command answered exactly once, or the suite fails.
import { generateKeyPairSync, verify } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { createApp } from "#src/app.ts";
import { loadConfig } from "#src/config.ts";
import type { Dispatcher } from "#src/core/dispatch.ts";
import type { DatabaseKind } from "#src/db/database.ts";
import { silentLogger } from "#src/log.ts";
import { DEFAULT_COMMANDS_IN_FLIGHT } from "#src/platforms/admission.ts";
import { createDiscordClient } from "#src/platforms/discord/client.ts";
import { discordPublicKey, interactionsEndpoint } from "#src/platforms/discord/http-interactions.ts";
import { DiscordFrontEnd } from "#src/platforms/discord/interactions.ts";
import { HttpServer } from "#src/platforms/http-server.ts";
import { type BenchContext, type BenchRow, defineSuite } from "./harness.ts";
import type { GeneratorMessage, Measured, RestCount } from "./load-generator.ts";

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const x = publicKey.export({ format: "jwk" }).x!;
  return { privateKey, publicKeyHex: Buffer.from(x, "base64url").toString("hex") };
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

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
 * A configuration of the endpoint to load: the inline budget (DISCORD_INLINE_ANSWER_MS) and the
 * commands allowed in flight at once (DISCORD_COMMANDS_IN_FLIGHT); undefined: the defaults.
 * BENCH_LOAD_VARIANTS="budget:inFlight,..." (e.g. "2000:0,50:16") loads several in one run, to
 * compare them on the same machine at the same time.
 */
interface Variant {
  inlineAnswerMs?: number;
  commandsInFlight?: number;
}

function variantsFromEnv(): Variant[] {
  const text = process.env.BENCH_LOAD_VARIANTS;
  if (!text) return [{}];
  return text.split(",").map((pair) => {
    const [budget, inFlight] = pair
      .split(":")
      .map((n) => (n === undefined || n === "" ? undefined : Number(n)));
    return {
      ...(budget !== undefined ? { inlineAnswerMs: budget } : {}),
      ...(inFlight !== undefined ? { commandsInFlight: inFlight } : {}),
    };
  });
}

const variantName = (v: Variant) =>
  v.inlineAnswerMs === undefined && v.commandsInFlight === undefined
    ? ""
    : ` [budget ${v.inlineAnswerMs ?? "default"} ms, in flight ${v.commandsInFlight ?? "default"}]`;

/** The event loop's delay while the bot was loaded (timer lateness), in ms. */
interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/** The bot's endpoint on a fresh database of `kind`, loaded by `members` members. */
async function loadTheBot(
  ctx: BenchContext,
  kind: DatabaseKind,
  members: number,
  seconds: number,
  generator: Generator,
  variant: Variant,
): Promise<
  Measured & { unexpectedRest: number; loopDelay: LoopDelay; serverAckMs: number[]; cpuMsPerCommand: number }
> {
  const application = keyPair();
  const { db, drop } = await ctx.database(kind);
  // Limits off, as in the tests: the bench measures the path, not the rate limiter refusing members.
  const app = await createApp(
    loadConfig({ LOG_LEVEL: "silent", RATE_LIMIT_POINTS: "0", RATE_LIMIT_COMMANDS: "" }),
    db,
    silentLogger,
  );
  const client = createDiscordClient({ apiBase: generator.apiBase });
  const front = new DiscordFrontEnd(app.dispatcher as unknown as Dispatcher<unknown>, {
    log: silentLogger,
    attachmentTimeoutMs: 5000,
    commandsInFlight: variant.commandsInFlight ?? DEFAULT_COMMANDS_IN_FLIGHT[kind],
  });
  front.attach(client);
  // The ack as the bot sees it (the request's arrival to its response sent): the generator's own
  // figure adds its thread's and the kernel's queueing, which a busy machine inflates.
  const serverAckMs: number[] = [];
  const endpoint = interactionsEndpoint({
    client,
    front,
    publicKey: application.publicKeyHex,
    log: silentLogger,
    ...(variant.inlineAnswerMs !== undefined ? { inlineAnswerMs: variant.inlineAnswerMs } : {}),
  });
  const server = new HttpServer(silentLogger).route("/discord/interactions", (req, res) => {
    const arrived = performance.now();
    res.once("finish", () => serverAckMs.push(performance.now() - arrived));
    return endpoint(req, res);
  });
  const port = await server.listen("127.0.0.1", 0);
  const url = `http://127.0.0.1:${port}/discord/interactions`;
  const privateKeyPem = application.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  try {
    // Every member's first command registers them; warm-up, not timed.
    await generator.ask<Measured>({
      op: "run",
      url,
      privateKeyPem,
      members,
      seconds: 600,
      perMember: 1,
      awaitEdits: false,
    });
    await front.idle();
    await generator.ask({ op: "reset" });
    serverAckMs.length = 0;
    // How late timers fire on the endpoint's loop (the deferral is a timer): 1 ms resolution.
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    // CPU per command (this process: the bot, the database when embedded, and the generator's
    // thread): unlike rates and latencies, it holds on a machine busy with other work.
    const cpuBefore = process.cpuUsage();
    const measured = await generator.ask<Measured>({
      op: "run",
      url,
      privateKeyPem,
      members,
      seconds,
      awaitEdits: true,
    });
    delay.disable();
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerCommand = (cpu.user + cpu.system) / 1000 / Math.max(1, measured.finalMs.length);
    const loopDelay = {
      p50: delay.percentile(50) / 1e6,
      p99: delay.percentile(99) / 1e6,
      max: delay.max / 1e6,
    };
    await front.idle();
    // Exactly once: a type-4 answer has no edit; a deferred one has exactly one.
    const rest = await generator.ask<RestCount>({ op: "count" });
    const answered = measured.finalMs.length;
    if (rest.editedTwice > 0)
      measured.problems.push(`${rest.editedTwice} deferred commands edited more than once`);
    if (rest.edited !== measured.deferred)
      measured.problems.push(`${measured.deferred} commands deferred, ${rest.edited} edited in`);
    if (answered !== measured.sent)
      measured.problems.push(`${measured.sent} commands sent, ${answered} answered`);
    return { ...measured, unexpectedRest: rest.unexpected, loopDelay, serverAckMs, cpuMsPerCommand };
  } finally {
    await server.close();
    await client.destroy();
    await drop();
  }
}

/** The ceiling: a bare node:http server that verifies the signature and answers a type-5 ack. */
async function loadTheBareAck(members: number, seconds: number, generator: Generator): Promise<Measured> {
  const application = keyPair();
  const key = discordPublicKey(application.publicKeyHex);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const timestamp = String(req.headers["x-signature-timestamp"]);
      const signature = Buffer.from(String(req.headers["x-signature-ed25519"]), "hex");
      const ok = verify(null, Buffer.concat([Buffer.from(timestamp), ...chunks]), key, signature);
      if (!ok) res.writeHead(401).end();
      else res.writeHead(200, { "content-type": "application/json" }).end('{"type":5}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/discord/interactions`;
  try {
    return await generator.ask<Measured>({
      op: "run",
      url,
      privateKeyPem: application.privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
      members,
      seconds,
      awaitEdits: false,
    });
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

export default defineSuite({
  name: "load",
  description: "N members sending signed /balance interactions at once to the HTTP endpoint",
  async run(ctx) {
    const members = ctx.quick ? 50 : 200;
    const seconds = ctx.quick ? 5 : 20;
    const generator = await startGenerator();
    try {
      return await measure(ctx, members, seconds, generator);
    } finally {
      await generator.close();
    }
  },
});

/** The ceiling, then the bot on each database; the table's rows. */
async function measure(ctx: BenchContext, members: number, seconds: number, generator: Generator) {
  const rows: BenchRow[] = [];
  const bare = await loadTheBareAck(members, seconds, generator);
  if (bare.problems.length > 0) throw new Error(`load: the bare ack server failed: ${bare.problems[0]}`);
  const bareP99 = percentile(bare.ackMs, 99);
  const bareRate = bare.sent / bare.seconds;
  ctx.log(`load: bare ack, ${bare.sent} acks, p99 ${bareP99.toFixed(1)} ms`);
  const kinds: DatabaseKind[] = [
    ...(ctx.pglite ? (["pglite"] as const) : []),
    ...(ctx.postgres ? (["postgres"] as const) : []),
  ];
  for (const kind of kinds)
    for (const variant of variantsFromEnv()) {
      const run = await loadTheBot(ctx, kind, members, seconds, generator, variant);
      const named = variantName(variant);
      ctx.log(`load: ${kind}${named}, ${run.sent} commands sent, ${run.finalMs.length} answered`);
      if (run.problems.length > 0)
        throw new Error(
          `load [${kind}]: not every command was answered exactly once (${run.problems.length} problems): ${run.problems.slice(0, 5).join("; ")}`,
        );
      const ackP99 = percentile(run.ackMs, 99);
      const rate = run.finalMs.length / run.seconds;
      const who = `${members} members, ${seconds} s closed loop${named}`;
      rows.push(
        {
          suite: "load",
          case: `ack p99, ${who}`,
          database: kind,
          value: ackP99,
          unit: "ms",
          ceiling: bareP99,
          ratio: ackP99 / bareP99,
          notes: `goal < ${kind === "postgres" ? 50 : 100} ms; ceiling: bare signed type-5 ack`,
        },
        {
          suite: "load",
          case: `commands answered per second${named}`,
          database: kind,
          value: rate,
          unit: "commands/s",
          ceiling: bareRate,
          ratio: rate / bareRate,
          notes: `goal > 300; ${run.sent} sent, each answered once (${run.inline} in the response, ${run.deferred} deferred); ceiling: bare acks/s`,
        },
        {
          suite: "load",
          case: `final answer p50${named}`,
          database: kind,
          value: percentile(run.finalMs, 50),
          unit: "ms",
          notes: `goal < 300 ms; p99 ${percentile(run.finalMs, 99).toFixed(0)} ms${run.unexpectedRest ? `; ${run.unexpectedRest} other REST calls` : ""}`,
        },
        {
          suite: "load",
          case: `ack p99 inside the bot${named}`,
          database: kind,
          value: percentile(run.serverAckMs, 99),
          unit: "ms",
          notes: `request arrival to response sent, without the generator's queueing; p50 ${percentile(run.serverAckMs, 50).toFixed(1)} ms`,
        },
        {
          suite: "load",
          case: `CPU per command${named}`,
          database: kind,
          value: run.cpuMsPerCommand,
          unit: "ms",
          notes: "process CPU time (bot, embedded database, generator thread) over commands answered",
        },
        {
          suite: "load",
          case: `event-loop delay p99${named}`,
          database: kind,
          value: run.loopDelay.p99,
          unit: "ms",
          notes: `how late a timer (the deferral) fires on the endpoint's loop; p50 ${run.loopDelay.p50.toFixed(1)} ms, max ${run.loopDelay.max.toFixed(0)} ms`,
        },
      );
    }
  rows.push(
    {
      suite: "load",
      case: `bare signed ack p99, ${members} members`,
      value: bareP99,
      unit: "ms",
      notes: "ceiling: node:http, Ed25519 verify, type 5",
    },
    {
      suite: "load",
      case: "bare signed acks per second",
      value: bareRate,
      unit: "acks/s",
      notes: `ceiling; ${bare.sent} acks`,
    },
  );
  return rows;
}
