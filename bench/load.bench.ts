// Many members at once on Discord's HTTP interactions endpoint: the bot's endpoint runs in this
// process (the same client, front end and route as in HTTP mode, DISCORD_API_BASE pointing at a fake
// REST API on loopback), and a closed-loop load generator has N members each send a signed /balance,
// wait for its final answer, and send the next. Per command: the ack latency (the HTTP response) and
// the final-answer latency (the HTTP response when it is the answer, type 4; else the arrival of the
// PATCH to @original at the fake REST). The ceiling, in the same run: a bare node:http server that
// verifies the same signatures and answers a type-5 ack. The loop must have done the work: every
// command answered exactly once, or the suite fails.
import { generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "#src/app.ts";
import { loadConfig } from "#src/config.ts";
import type { Dispatcher } from "#src/core/dispatch.ts";
import type { DatabaseKind } from "#src/db/database.ts";
import { silentLogger } from "#src/log.ts";
import { createDiscordClient } from "#src/platforms/discord/client.ts";
import { discordPublicKey, interactionsEndpoint } from "#src/platforms/discord/http-interactions.ts";
import { DiscordFrontEnd } from "#src/platforms/discord/interactions.ts";
import { HttpServer } from "#src/platforms/http-server.ts";
import { discordFixture, slashCommand } from "#test/helpers/discord-payloads.ts";
import { type BenchContext, type BenchRow, defineSuite } from "./harness.ts";

const CAPTURE = "slash-command-integer-option.real-capture.dsharpplus";
/** A deferred answer not edited in within this long counts as never answered. */
const FINAL_ANSWER_TIMEOUT_MS = 30_000;

interface Measured {
  sent: number;
  seconds: number;
  ackMs: number[];
  finalMs: number[];
  /** Commands answered in the HTTP response (type 4), and deferred (type 5). */
  inline: number;
  deferred: number;
  /** Commands answered other than exactly once, with why. */
  problems: string[];
}

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const x = publicKey.export({ format: "jwk" }).x!;
  return { privateKey, publicKeyHex: Buffer.from(x, "base64url").toString("hex") };
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

/**
 * Discord's REST API on loopback, as far as answering interactions goes: the callback (204), the
 * edit of @original (the message back), a follow-up; it notes when each edit of @original arrives,
 * per interaction token. Anything else is 404 and counted.
 */
async function startFakeRest() {
  const edits = new Map<string, number[]>();
  const waiters = new Map<string, () => void>();
  let unexpected = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const route = (req.url ?? "").replace(/^\/api\/v10/, "").split("?")[0]!;
      const edit = /^\/webhooks\/\d+\/([^/]+)\/messages\/@original$/.exec(route);
      if (req.method === "PATCH" && edit) {
        const token = edit[1]!;
        edits.set(token, [...(edits.get(token) ?? []), performance.now()]);
        waiters.get(token)?.();
        waiters.delete(token);
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            id: "1300000000000000001",
            channel_id: "0",
            type: 0,
            content: "",
            author: { id: "1255985704232554496", username: "Forgebot", discriminator: "0", avatar: null },
            embeds: [],
            components: [],
            attachments: [],
            mentions: [],
            mention_roles: [],
            mention_everyone: false,
            pinned: false,
            tts: false,
            timestamp: "2026-01-01T00:00:00.000Z",
            edited_timestamp: null,
            flags: 0,
          }),
        );
        return;
      }
      if (req.method === "POST" && /^\/interactions\/\d+\/[^/]+\/callback$/.test(route)) {
        res.writeHead(204).end();
        return;
      }
      unexpected++;
      res.writeHead(404, { "content-type": "application/json" }).end('{"message":"Unknown route","code":0}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    apiBase: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    edits,
    get unexpected() {
      return unexpected;
    },
    /** Resolves with the arrival time of `token`'s first edit of @original, or undefined on timeout. */
    firstEdit(token: string): Promise<number | undefined> {
      const seen = edits.get(token);
      if (seen) return Promise.resolve(seen[0]);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(token);
          resolve(undefined);
        }, FINAL_ANSWER_TIMEOUT_MS);
        waiters.set(token, () => {
          clearTimeout(timer);
          resolve(edits.get(token)![0]);
        });
      });
    },
    close: () => closeServer(server),
  };
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/** POSTs `body` signed with `privateKey`; resolves with the status and the parsed JSON answer. */
function postSigned(
  agent: Agent,
  url: URL,
  privateKey: KeyObject,
  body: string,
): Promise<{ status: number; json: { type?: number } | undefined }> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString("hex");
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "x-signature-ed25519": signature,
          "x-signature-timestamp": timestamp,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: { type?: number } | undefined;
          try {
            json = text ? (JSON.parse(text) as { type?: number }) : undefined;
          } catch {
            // A multipart answer (files) is a type 4 too; /balance has none, so it stays undefined.
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * The closed loop: `members` members each send /balance, wait for its final answer, and send the
 * next, until `seconds` have passed. `finalAnswer` says when the answer to a deferred command
 * arrived (undefined: never).
 */
async function closedLoop(options: {
  members: number;
  seconds: number;
  /** At most this many commands per member. */
  perMember?: number;
  url: URL;
  privateKey: KeyObject;
  finalAnswer?: (token: string) => Promise<number | undefined>;
}): Promise<Measured> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.members });
  const fixture = discordFixture(CAPTURE);
  const measured: Measured = {
    sent: 0,
    seconds: 0,
    ackMs: [],
    finalMs: [],
    inline: 0,
    deferred: 0,
    problems: [],
  };
  const start = performance.now();
  const deadline = start + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.members }, async (_, n) => {
      const member = { id: String(400_000_000_000_000_000n + BigInt(n)), username: `loadmember${n}` };
      for (
        let i = 0;
        i < (options.perMember ?? Number.POSITIVE_INFINITY) && performance.now() < deadline;
        i++
      ) {
        const interaction = slashCommand(fixture, member, ["balance"]);
        const token = String(interaction.token);
        const sentAt = performance.now();
        measured.sent++;
        const answer = await postSigned(agent, options.url, options.privateKey, JSON.stringify(interaction));
        const ackAt = performance.now();
        measured.ackMs.push(ackAt - sentAt);
        if (answer.status !== 200) {
          measured.problems.push(`${token}: HTTP ${answer.status}`);
          continue;
        }
        if (answer.json?.type === 4) {
          measured.inline++;
          measured.finalMs.push(ackAt - sentAt);
          continue;
        }
        if (answer.json?.type !== 5) {
          measured.problems.push(`${token}: answered type ${answer.json?.type}`);
          continue;
        }
        measured.deferred++;
        if (!options.finalAnswer) continue;
        const editedAt = await options.finalAnswer(token);
        if (editedAt === undefined) measured.problems.push(`${token}: deferred, never edited in`);
        else measured.finalMs.push(editedAt - sentAt);
      }
    }),
  );
  measured.seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return measured;
}

/** The bot's endpoint on a fresh database of `kind`, loaded by `members` members. */
async function loadTheBot(
  ctx: BenchContext,
  kind: DatabaseKind,
  members: number,
  seconds: number,
): Promise<Measured & { unexpectedRest: number }> {
  const application = keyPair();
  const { db, drop } = await ctx.database(kind);
  const rest = await startFakeRest();
  // Limits off, as in the tests: the bench measures the path, not the rate limiter refusing members.
  const app = await createApp(
    loadConfig({ LOG_LEVEL: "silent", RATE_LIMIT_POINTS: "0", RATE_LIMIT_COMMANDS: "" }),
    db,
    silentLogger,
  );
  const client = createDiscordClient({ apiBase: rest.apiBase });
  const front = new DiscordFrontEnd(app.dispatcher as unknown as Dispatcher<unknown>, {
    log: silentLogger,
    attachmentTimeoutMs: 5000,
  });
  front.attach(client);
  const server = new HttpServer(silentLogger).route(
    "/discord/interactions",
    interactionsEndpoint({ client, front, publicKey: application.publicKeyHex, log: silentLogger }),
  );
  const port = await server.listen("127.0.0.1", 0);
  const url = new URL(`http://127.0.0.1:${port}/discord/interactions`);
  try {
    // Every member's first command registers them; warm-up, not timed.
    await closedLoop({ members, seconds: 600, perMember: 1, url, privateKey: application.privateKey });
    await front.idle();
    rest.edits.clear();
    const measured = await closedLoop({
      members,
      seconds,
      url,
      privateKey: application.privateKey,
      finalAnswer: (token) => rest.firstEdit(token),
    });
    await front.idle();
    // Exactly once: a type-4 answer has no edit; a deferred one has exactly one.
    const answered = measured.finalMs.length;
    const edited = [...rest.edits.values()];
    const twice = edited.filter((times) => times.length > 1).length;
    if (twice > 0) measured.problems.push(`${twice} deferred commands edited more than once`);
    if (edited.length !== measured.deferred)
      measured.problems.push(`${measured.deferred} commands deferred, ${edited.length} edited in`);
    if (answered !== measured.sent)
      measured.problems.push(`${measured.sent} commands sent, ${answered} answered`);
    return { ...measured, unexpectedRest: rest.unexpected };
  } finally {
    await server.close();
    await client.destroy();
    await rest.close();
    await drop();
  }
}

/** The ceiling: a bare node:http server that verifies the signature and answers a type-5 ack. */
async function loadTheBareAck(members: number, seconds: number): Promise<Measured> {
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
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/discord/interactions`);
  try {
    return await closedLoop({ members, seconds, url, privateKey: application.privateKey });
  } finally {
    await closeServer(server);
  }
}

export default defineSuite({
  name: "load",
  description: "N members sending signed /balance interactions at once to the HTTP endpoint",
  async run(ctx) {
    const members = ctx.quick ? 50 : 200;
    const seconds = ctx.quick ? 5 : 20;
    const rows: BenchRow[] = [];
    const bare = await loadTheBareAck(members, seconds);
    if (bare.problems.length > 0) throw new Error(`load: the bare ack server failed: ${bare.problems[0]}`);
    const bareP99 = percentile(bare.ackMs, 99);
    const bareRate = bare.sent / bare.seconds;
    ctx.log(`load: bare ack, ${bare.sent} acks, p99 ${bareP99.toFixed(1)} ms`);
    const kinds: DatabaseKind[] = [
      ...(ctx.pglite ? (["pglite"] as const) : []),
      ...(ctx.postgres ? (["postgres"] as const) : []),
    ];
    for (const kind of kinds) {
      const run = await loadTheBot(ctx, kind, members, seconds);
      ctx.log(`load: ${kind}, ${run.sent} commands sent, ${run.finalMs.length} answered`);
      if (run.problems.length > 0)
        throw new Error(
          `load [${kind}]: not every command was answered exactly once (${run.problems.length} problems): ${run.problems.slice(0, 5).join("; ")}`,
        );
      const ackP99 = percentile(run.ackMs, 99);
      const rate = run.finalMs.length / run.seconds;
      const who = `${members} members, ${seconds} s closed loop`;
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
          case: "commands answered per second",
          database: kind,
          value: rate,
          unit: "commands/s",
          ceiling: bareRate,
          ratio: rate / bareRate,
          notes: `goal > 300; ${run.sent} sent, each answered once (${run.inline} in the response, ${run.deferred} deferred); ceiling: bare acks/s`,
        },
        {
          suite: "load",
          case: "final answer p50",
          database: kind,
          value: percentile(run.finalMs, 50),
          unit: "ms",
          notes: `goal < 300 ms; p99 ${percentile(run.finalMs, 99).toFixed(0)} ms${run.unexpectedRest ? `; ${run.unexpectedRest} other REST calls` : ""}`,
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
  },
});
