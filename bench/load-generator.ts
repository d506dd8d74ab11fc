// The load generator of bench/load.bench.ts, run in a worker thread so that it and the fake Discord
// REST API do not share the event loop with the endpoint under test: closed-loop members sending
// Ed25519-signed /balance interactions, and Discord's REST API on loopback noting when each edit of
// @original arrives. The main thread asks for runs by message.
import { createPrivateKey, type KeyObject, sign } from "node:crypto";
import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { isMainThread, parentPort } from "node:worker_threads";
import { discordFixture, slashCommand } from "#test/helpers/discord-payloads.ts";

const CAPTURE = "slash-command-integer-option.real-capture.dsharpplus";
/** A deferred answer not edited in within this long counts as never answered. */
const FINAL_ANSWER_TIMEOUT_MS = 30_000;

export interface Measured {
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

/**
 * Discord's REST API on loopback, as far as answering interactions goes: the callback (204), the
 * edit of @original (the message back), a follow-up; it notes when each edit of @original arrives,
 * per interaction token. Anything else is 404 and counted.
 */
export async function startFakeRest() {
  const edits = new Map<string, number[]>();
  const waiters = new Map<string, () => void>();
  let unexpected = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      // discord.js sends @original percent-encoded.
      const route = decodeURIComponent((req.url ?? "").split("?")[0]!).replace(/^\/api\/v10/, "");
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

export const closeServer = (server: Server) =>
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
export async function closedLoop(options: {
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
        // A connection the endpoint cut (its request timeout, say) is a command never answered:
        // noted with how long it waited, not thrown, so the run ends and says so.
        const answer = await postSigned(
          agent,
          options.url,
          options.privateKey,
          JSON.stringify(interaction),
        ).catch((error: Error) => error);
        const ackAt = performance.now();
        if (answer instanceof Error) {
          measured.problems.push(`${token}: ${answer.message} after ${(ackAt - sentAt).toFixed(0)} ms`);
          continue;
        }
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

export interface RunRequest {
  op: "run";
  url: string;
  privateKeyPem: string;
  members: number;
  seconds: number;
  perMember?: number;
  /** Wait for each deferred command's edit at the fake REST before the member's next command. */
  awaitEdits: boolean;
}

/** What the fake REST saw: tokens edited, tokens edited more than once, calls to other routes. */
export interface RestCount {
  edited: number;
  editedTwice: number;
  unexpected: number;
}

/** Polls the endpoint with a signed /balance until it answers 200 (a bot process starting up). */
export interface ProbeRequest {
  op: "probe";
  url: string;
  privateKeyPem: string;
  timeoutMs: number;
}

/** When the first 200 arrived, on the wall clock shared by threads (timeOrigin + now, in ms). */
export interface ProbeAnswer {
  ackedAt?: number;
  attempts: number;
  problem?: string;
}

export type GeneratorMessage = RunRequest | ProbeRequest | { op: "count" } | { op: "reset" };

const PROBE_INTERVAL_MS = 10;

/**
 * The first signed command a starting bot answers: refused connections (not listening yet) and
 * non-200 answers are retried every 10 ms; a deferred answer is waited for, so that its edit does
 * not land in the next run's count.
 */
async function probe(
  request: ProbeRequest,
  finalAnswer: (token: string) => Promise<number | undefined>,
): Promise<ProbeAnswer> {
  const agent = new Agent({ keepAlive: false });
  const privateKey = createPrivateKey(request.privateKeyPem);
  const member = { id: "399999999999999999", username: "loadprobe" };
  const deadline = performance.now() + request.timeoutMs;
  let attempts = 0;
  try {
    while (performance.now() < deadline) {
      attempts++;
      const interaction = slashCommand(discordFixture(CAPTURE), member, ["balance"]);
      const answer = await postSigned(
        agent,
        new URL(request.url),
        privateKey,
        JSON.stringify(interaction),
      ).catch(() => undefined);
      if (answer?.status === 200) {
        const ackedAt = performance.timeOrigin + performance.now();
        if (answer.json?.type === 5 && (await finalAnswer(String(interaction.token))) === undefined)
          return { ackedAt, attempts, problem: "the first command was deferred and never edited in" };
        return { ackedAt, attempts };
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
    return { attempts, problem: `no 200 within ${request.timeoutMs} ms` };
  } finally {
    agent.destroy();
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const rest = await startFakeRest();
  port.postMessage({ apiBase: rest.apiBase });
  port.on("message", async (message: GeneratorMessage) => {
    if (message.op === "reset") {
      rest.edits.clear();
      port.postMessage({ reset: true });
    } else if (message.op === "count") {
      const edits = [...rest.edits.values()];
      const count: RestCount = {
        edited: edits.length,
        editedTwice: edits.filter((times) => times.length > 1).length,
        unexpected: rest.unexpected,
      };
      port.postMessage(count);
    } else if (message.op === "probe") {
      port.postMessage(await probe(message, (token) => rest.firstEdit(token)));
    } else {
      const measured = await closedLoop({
        members: message.members,
        seconds: message.seconds,
        perMember: message.perMember,
        url: new URL(message.url),
        privateKey: createPrivateKey(message.privateKeyPem),
        finalAnswer: message.awaitEdits ? (token) => rest.firstEdit(token) : undefined,
      });
      port.postMessage(measured);
    }
  });
}
