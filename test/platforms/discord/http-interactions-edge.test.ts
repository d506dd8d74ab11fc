// Discord's interactions endpoint at its edge, over real HTTP on loopback with a real Ed25519 key:
// a request whose signature is valid but whose timestamp is not Unix seconds is refused (it could
// not be placed in the replay window), and a signed body that is not an interaction (null, an
// array, fields missing) gets 400 with what is wrong, not a 500 from deep inside discord.js.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { Writable } from "node:stream";
import type { Client } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "#src/core/dispatch.ts";
import { createLogger } from "#src/log.ts";
import { createDiscordClient } from "#src/platforms/discord/client.ts";
import { interactionsEndpoint } from "#src/platforms/discord/http-interactions.ts";
import { DiscordFrontEnd } from "#src/platforms/discord/interactions.ts";
import { HttpServer } from "#src/platforms/http-server.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { discordFixture, slashCommand } from "#test/helpers/discord-payloads.ts";
import { type FakeDiscord, startFakeDiscord } from "#test/helpers/fake-discord.ts";

const bob = { id: "80351110224678912", username: "bob", globalName: "Bob" };

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const x = publicKey.export({ format: "jwk" }).x!;
  return { privateKey, publicKeyHex: Buffer.from(x, "base64url").toString("hex") };
}

function signed(privateKey: KeyObject, body: string, timestamp = String(Math.floor(Date.now() / 1000))) {
  return {
    "x-signature-ed25519": sign(null, Buffer.from(timestamp + body), privateKey).toString("hex"),
    "x-signature-timestamp": timestamp,
    "content-type": "application/json",
  };
}

describe("Discord's interactions endpoint refuses signed requests it cannot trust or read", () => {
  const application = keyPair();
  const logged: string[] = [];
  let test: TestApp;
  let discord: FakeDiscord;
  let client: Client;
  let front: DiscordFrontEnd;
  let server: HttpServer;
  let url: string;

  beforeAll(async () => {
    const log = createLogger(
      "debug",
      new Writable({
        write(chunk, _encoding, done) {
          logged.push(String(chunk));
          done();
        },
      }),
    );
    test = await createTestApp("pglite");
    discord = await startFakeDiscord();
    client = createDiscordClient({ apiBase: discord.apiBase });
    front = new DiscordFrontEnd(test.app.dispatcher as unknown as Dispatcher<unknown>, {
      log,
      attachmentTimeoutMs: 5000,
    });
    front.attach(client);
    server = new HttpServer(log).route(
      "/discord/interactions",
      interactionsEndpoint({ client, front, publicKey: application.publicKeyHex, log }),
    );
    url = `http://127.0.0.1:${await server.listen("127.0.0.1", 0)}/discord/interactions`;
  });

  afterAll(async () => {
    await server?.close();
    await client?.destroy();
    await discord?.close();
    await test?.close();
  });

  async function post(body: string, headers: Record<string, string>) {
    const response = await fetch(url, { method: "POST", body, headers });
    return { status: response.status, json: (await response.json()) as { error?: string; type?: number } };
  }

  it("refuses a validly signed request whose timestamp is not Unix seconds", async () => {
    const body = JSON.stringify({ id: "1", type: 1, application_id: "1", token: "x", version: 1 });
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of ["soon", "", `${now}.5`, ` ${now}`, `${now}\t`, `0x${now.toString(16)}`]) {
      const answer = await post(body, signed(application.privateKey, body, timestamp));
      expect({ timestamp, status: answer.status }).toEqual({ timestamp, status: 401 });
    }
    // The same body signed with a real timestamp is a PING Discord expects answered.
    expect(await post(body, signed(application.privateKey, body))).toEqual({
      status: 200,
      json: { type: 1 },
    });
  });

  it("answers 400, not 500, to a signed body that is not an interaction, and acts on nothing", async () => {
    const users = await test.app.db.prisma.user.count();
    const before = discord.rest.requests.length;
    const command = slashCommand(
      discordFixture("slash-command-integer-option.real-capture.dsharpplus"),
      bob,
      ["balance"],
    );
    const without = (field: string) => {
      const copy: Record<string, unknown> = { ...command };
      delete copy[field];
      return copy;
    };
    const bodies: Array<[unknown, RegExp]> = [
      [null, /the body is not an object/],
      [[command], /the body is not an object/],
      [{}, /unknown interaction type null/],
      [{ type: 99, id: "1" }, /unknown interaction type 99/],
      [{ type: 2 }, /missing or malformed id, application_id, token, version/],
      [without("data"), /missing or malformed data/],
      [without("token"), /missing or malformed token/],
      [without("entitlements"), /missing or malformed entitlements/],
      [{ ...without("member"), user: undefined }, /missing user or member/],
      [{ ...command, data: { ...(command.data as object), name: 7 } }, /missing or malformed data\.name/],
      [{ ...command, type: 3, data: { custom_id: "x", component_type: 2 } }, /missing or malformed message/],
    ];
    for (const [payload, why] of bodies) {
      const body = JSON.stringify(payload);
      const answer = await post(body, signed(application.privateKey, body));
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(answer.json.error).toMatch(why);
    }
    await front.idle();
    expect(discord.rest.requests.length).toBe(before);
    expect(await test.app.db.prisma.user.count()).toBe(users);
    expect(logged.join("")).not.toContain('"level":50');
  });

  it("still runs a well-formed signed command", async () => {
    const payload = slashCommand(
      discordFixture("slash-command-integer-option.real-capture.dsharpplus"),
      bob,
      ["balance"],
    );
    const body = JSON.stringify(payload);
    const answer = await post(body, signed(application.privateKey, body));
    expect(answer.status).toBe(200);
    // Answered in the response itself, privately.
    expect(answer.json).toMatchObject({ type: 4, data: { flags: 64 } });
    await front.idle();
  });
});
