// Discord's HTTP interactions endpoint: requests signed with a real Ed25519 key pair are answered
// (a quick command in the HTTP response itself; a slow one deferred there and edited in over REST
// to a loopback Discord API); anything not signed by the application's key is refused with 401
// before it reaches the bot.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import type { Client } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "#src/core/dispatch.ts";
import { silentLogger } from "#src/log.ts";
import { createDiscordClient } from "#src/platforms/discord/client.ts";
import { interactionsEndpoint } from "#src/platforms/discord/http-interactions.ts";
import { DiscordFrontEnd } from "#src/platforms/discord/interactions.ts";
import { HttpServer } from "#src/platforms/http-server.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { postgresAvailable } from "#test/helpers/db.ts";
import {
  autocomplete,
  buttonPress,
  type DiscordMember,
  discordFixture,
  resolvedUsers,
  slashCommand,
} from "#test/helpers/discord-payloads.ts";
import { embedText, type FakeDiscord, payloadOf, startFakeDiscord } from "#test/helpers/fake-discord.ts";
import { TEST_COMMANDS, TINY_PNG } from "#test/helpers/test-commands.ts";

const lunar: DiscordMember = { id: "336733686529654798", username: "oolunar", globalName: "Lunar" };
const bob: DiscordMember = { id: "80351110224678912", username: "bob", globalName: "Bob" };
const SAMPLE = "slash-subcommand-with-options.slash-create";
const CAPTURE = "slash-command-integer-option.real-capture.dsharpplus";
/** The replicas' DISCORD_INLINE_ANSWER_MS: room for a quick command on a busy machine, and a slow one soon past it. */
const BUDGET_MS = 1000;

interface Replica {
  client: Client;
  front: DiscordFrontEnd;
  server: HttpServer;
  url: string;
}

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const x = publicKey.export({ format: "jwk" }).x!;
  return { privateKey, publicKeyHex: Buffer.from(x, "base64url").toString("hex") };
}

function signed(privateKey: KeyObject, body: string, timestamp = String(Math.floor(Date.now() / 1000))) {
  const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString("hex");
  return {
    "x-signature-ed25519": signature,
    "x-signature-timestamp": timestamp,
    "content-type": "application/json",
  };
}

// On PostgreSQL too: there the two replicas' transactions really run at once.
for (const kind of ["pglite", "postgres"] as const) {
  const skip = kind === "postgres" && !postgresAvailable();
  (skip ? describe.skip : describe)(
    `Discord's HTTP interactions endpoint (signed requests, many replicas) [${kind}]`,
    () => {
      const application = keyPair();
      let test: TestApp;
      let discord: FakeDiscord;
      const replicas: Replica[] = [];

      async function replica(): Promise<Replica> {
        const client = createDiscordClient({ apiBase: discord.apiBase });
        const front = new DiscordFrontEnd(test.app.dispatcher as unknown as Dispatcher<unknown>, {
          log: silentLogger,
          attachmentTimeoutMs: 5000,
        });
        front.attach(client);
        const server = new HttpServer(silentLogger).route(
          "/discord/interactions",
          interactionsEndpoint({
            client,
            front,
            publicKey: application.publicKeyHex,
            log: silentLogger,
            inlineAnswerMs: BUDGET_MS,
          }),
        );
        const port = await server.listen("127.0.0.1", 0);
        return { client, front, server, url: `http://127.0.0.1:${port}/discord/interactions` };
      }

      beforeAll(async () => {
        test = await createTestApp(kind, {
          env: { MODERATORS: `discord:${lunar.id}` },
          extraCommands: TEST_COMMANDS,
        });
        discord = await startFakeDiscord();
        replicas.push(await replica(), await replica());
      });

      afterAll(async () => {
        for (const r of replicas) {
          await r.server.close();
          await r.client.destroy();
        }
        await discord?.close();
        await test?.close();
      });

      async function post(url: string, body: string, headers: Record<string, string>) {
        const response = await fetch(url, { method: "POST", body, headers });
        const type = response.headers.get("content-type") ?? "";
        if (type.startsWith("multipart/form-data")) {
          const form = await response.formData();
          return { status: response.status, json: JSON.parse(String(form.get("payload_json"))), form };
        }
        const text = await response.text();
        return { status: response.status, json: text ? JSON.parse(text) : undefined };
      }

      /** Posts a signed interaction to a replica; resolves with its HTTP answer and the REST calls after it. */
      async function interact(payload: Record<string, unknown>, on: Replica = replicas[0]!) {
        const body = JSON.stringify(payload);
        const answer = await post(on.url, body, signed(application.privateKey, body));
        await on.front.idle();
        const followUps = discord.rest.requests.filter((r) => r.path.includes(`/${String(payload.token)}`));
        return { ...answer, followUps };
      }

      const credit = (amount: string) =>
        slashCommand(
          discordFixture(SAMPLE),
          lunar,
          ["admin", "credit"],
          [
            { name: "user", type: 6, value: bob.id },
            { name: "amount", type: 3, value: amount },
            { name: "token", type: 3, value: "USDC" },
            { name: "reason", type: 3, value: "grant" },
          ],
          resolvedUsers(bob),
        );

      async function bobsUsdcAtoms(): Promise<bigint> {
        const { identity, funds } = test.app.services;
        const user = await identity.findByPlatformId(test.app.db.prisma, "discord", bob.id);
        if (!user) return 0n;
        const balances = await funds.balances(test.app.db.prisma, user.userId);
        return balances.find((b) => b.token === "USDC" && b.purpose === "main")?.balanceAtoms ?? 0n;
      }

      it("answers Discord's PING", async () => {
        const body = JSON.stringify({ id: "1", type: 1, application_id: "1", token: "x", version: 1 });
        const answer = await post(replicas[0]!.url, body, signed(application.privateKey, body));
        expect(answer).toEqual({ status: 200, json: { type: 1 } });
      });

      it("refuses with 401 anything not signed by the application's key, before the bot sees it", async () => {
        const before = discord.rest.requests.length;
        const users = await test.app.db.prisma.user.count();
        const body = JSON.stringify(credit("1"));
        const stranger = keyPair();
        const url = replicas[0]!.url;
        const refusals = [
          await post(url, body, { "content-type": "application/json" }),
          await post(url, body, signed(stranger.privateKey, body)),
          await post(url, body.replace('"1"', '"1000"'), signed(application.privateKey, body)),
          await post(
            url,
            body,
            signed(application.privateKey, body, String(Math.floor(Date.now() / 1000) - 3600)),
          ),
          await post(url, body, { ...signed(application.privateKey, body), "x-signature-ed25519": "zz" }),
        ];
        expect(refusals.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
        expect(discord.rest.requests.length).toBe(before);
        expect(await test.app.db.prisma.user.count()).toBe(users);
        const get = await fetch(url);
        expect(get.status).toBe(405);
      });

      /** The text of a type 4 response's embeds. */
      const inlineText = (json: { data?: Record<string, unknown> }) => embedText(json.data ?? {});

      it("answers a quick command in the HTTP response itself, with no REST call", async () => {
        const answer = await interact(credit("12.5"));
        expect(answer.status).toBe(200);
        // A credit shows the member's balance: the moderator reads it privately (flags 64).
        expect(answer.json.type).toBe(4);
        expect(answer.json.data.flags).toBe(64);
        expect(answer.json.data.allowed_mentions).toEqual({ parse: [] });
        expect(inlineText(answer.json)).toBe(
          "Credited 12.5 USDC to Bob (reason: grant). Bob's balance is now 12.5 USDC.",
        );
        expect(answer.followUps).toEqual([]);

        const balance = await interact(slashCommand(discordFixture(CAPTURE), bob, ["balance"]));
        expect(balance.json.type).toBe(4);
        expect(balance.json.data.flags).toBe(64);
        expect(inlineText(balance.json)).toBe("Your balances\n12.5 USDC");
        expect(balance.followUps).toEqual([]);
      });

      it("answers a public command publicly (no flags)", async () => {
        const answer = await interact(
          slashCommand(discordFixture(CAPTURE), bob, ["nap"], [{ name: "ms", type: 4, value: 0 }]),
        );
        expect(answer.json.type).toBe(4);
        expect(answer.json.data.flags).toBeUndefined();
        expect(inlineText(answer.json)).toBe("Woke up after 0 ms.");
        expect(answer.followUps).toEqual([]);
      });

      it("defers a command that takes longer than the budget, then edits its answer in over REST", async () => {
        const slow = BUDGET_MS + 500;
        const payload = slashCommand(
          discordFixture(CAPTURE),
          bob,
          ["nap"],
          [{ name: "ms", type: 4, value: slow }],
        );
        const body = JSON.stringify(payload);
        const started = performance.now();
        const answer = await post(replicas[0]!.url, body, signed(application.privateKey, body));
        const acknowledgedAfter = performance.now() - started;
        expect(answer.json).toEqual({ type: 5 });
        // Deferred when the budget ran out, not when the command finished.
        expect(acknowledgedAfter).toBeGreaterThanOrEqual(BUDGET_MS - 20);
        expect(acknowledgedAfter).toBeLessThan(slow);
        await replicas[0]!.front.idle();
        const [edit, ...more] = discord.rest.requests.filter((r) =>
          r.path.includes(`/${String(payload.token)}`),
        );
        expect(edit!.method).toBe("PATCH");
        expect(edit!.path).toMatch(/\/webhooks\/\d+\/[^/]+\/messages\/@original$/);
        expect(embedText(payloadOf(edit!))).toBe(`Woke up after ${slow} ms.`);
        expect(more).toEqual([]);
      });

      it("sends a reply's file as multipart in the HTTP response (payload_json + files[0])", async () => {
        const answer = await interact(slashCommand(discordFixture(CAPTURE), bob, ["picture"]));
        expect(answer.json.type).toBe(4);
        expect(answer.json.data.attachments).toEqual([
          { id: "0", filename: "dot.png", description: "A single transparent dot" },
        ]);
        const file = answer.form!.get("files[0]") as File;
        expect(file.name).toBe("dot.png");
        expect(Buffer.from(await file.arrayBuffer()).equals(TINY_PNG)).toBe(true);
        const embed = (answer.json.data.embeds as Array<{ title: string; image?: { url: string } }>)[0]!;
        expect(embed.title).toBe("A picture");
        expect(embed.image?.url).toBe("attachment://dot.png");
        expect(answer.followUps).toEqual([]);
      });

      it("answers autocomplete in the HTTP response", async () => {
        const payload = autocomplete(
          discordFixture("autocomplete-subcommand-focused.slash-create"),
          lunar,
          ["admin", "credit"],
          [{ name: "token", type: 3, value: "e", focused: true }],
        );
        const answer = await interact(payload);
        expect(answer.json).toEqual({ type: 8, data: { choices: [{ name: "ETH", value: "ETH" }] } });
        expect(answer.followUps).toEqual([]);
      });

      it("autocompletes factories: the member's own first, then live ones, by number or name", async () => {
        const create = (who: DiscordMember, name: string) =>
          test.app.dispatcher.dispatch({
            platform: "discord",
            eventId: `create-${name}`,
            user: { platform: "discord", id: who.id, displayName: who.globalName ?? who.username },
            path: ["factory", "create"],
            options: {
              name,
              token: "USDC",
              bid: "0.5",
              task: "Fill the form",
              app: "Sheets",
              objectives: "Open; Fill",
            },
          });
        expect((await create(lunar, "Lunar forms")).code).toBe("ok");
        expect((await create(bob, "Bob sheets")).code).toBe("ok");
        const typed = (value: string) =>
          interact(
            autocomplete(
              discordFixture("autocomplete-subcommand-focused.slash-create"),
              bob,
              ["factory", "info"],
              [{ name: "factory", type: 4, value, focused: true }],
            ),
          );
        expect((await typed("")).json).toEqual({
          type: 8,
          data: {
            choices: [
              { name: "#2 Bob sheets (USDC, yours)", value: 2 },
              { name: "#1 Lunar forms (USDC)", value: 1 },
            ],
          },
        });
        expect((await typed("#1")).json.data.choices).toEqual([{ name: "#1 Lunar forms (USDC)", value: 1 }]);
        expect((await typed("sheet")).json.data.choices).toEqual([
          { name: "#2 Bob sheets (USDC, yours)", value: 2 },
        ]);
        expect((await typed("nothing like it")).json.data.choices).toEqual([]);
      });

      it("acts once when the same interaction reaches two replicas", async () => {
        const before = await bobsUsdcAtoms();
        const payload = credit("7");
        const body = JSON.stringify(payload);
        const [first, second] = await Promise.all(
          replicas.map((r) => post(r.url, body, signed(application.privateKey, body))),
        );
        await Promise.all(replicas.map((r) => r.front.idle()));
        expect(await bobsUsdcAtoms()).toBe(before + 7_000_000n);
        // Both replicas answer; both show the one result.
        expect([first!.json, second!.json].map((j) => [j.type, j.data.flags, inlineText(j)])).toEqual([
          [4, 64, "Credited 7 USDC to Bob (reason: grant). Bob's balance is now 19.5 USDC."],
          [4, 64, "Credited 7 USDC to Bob (reason: grant). Bob's balance is now 19.5 USDC."],
        ]);
      });

      it("turns pages with buttons: deferred update, then the message edited in place", async () => {
        for (let i = 0; i < 11; i++) await interact(credit("1"));
        const history = await interact(slashCommand(discordFixture(CAPTURE), bob, ["history"]));
        expect(history.json.type).toBe(4);
        const first = history.json.data as Record<string, unknown>;
        expect(embedText(first)).toMatch(/^Your history — page 1 of (\d)\n/);
        const pages = Number(/of (\d)/.exec(embedText(first))![1]);
        const next = (
          first.components as Array<{ components: Array<{ custom_id: string; label: string }> }>
        )[0]!.components[0]!;
        expect(next.label).toBe("Next ▶");

        const press = await interact(
          buttonPress(discordFixture(CAPTURE), bob, next.custom_id, true),
          replicas[1],
        );
        expect(press.json).toEqual({ type: 6 });
        const page = payloadOf(press.followUps[0]!);
        expect(press.followUps[0]!.method).toBe("PATCH");
        expect(embedText(page)).toMatch(
          new RegExp(
            `^Your history — page 2 of ${pages}\n.*  \\+1 USDC  credit from a moderator: grant`,
            "s",
          ),
        );
        const buttons = (page.components as Array<{ components: Array<{ label: string }> }>)[0]!.components;
        expect(buttons.map((b) => b.label)).toEqual(pages === 2 ? ["◀ Previous"] : ["◀ Previous", "Next ▶"]);
      });
    },
  );
}
