// Over the gateway with an inline budget (DISCORD_INLINE_ANSWER_MS): a command whose answer is
// ready in time is answered directly (one callback of type 4, the answer itself, files as
// multipart), a slower one is deferred when the budget runs out and edited in. Raw interactions go
// through a loopback gateway to a logged-in discord.js client; its REST calls land on a loopback
// REST API, where each test reads what the member would see.
import type { Client } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "#src/core/dispatch.ts";
import { silentLogger } from "#src/log.ts";
import { createDiscordClient } from "#src/platforms/discord/client.ts";
import { DiscordFrontEnd } from "#src/platforms/discord/interactions.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { type DiscordMember, discordFixture, slashCommand } from "#test/helpers/discord-payloads.ts";
import {
  answersTo,
  BOT_TOKEN,
  embedText,
  type FakeDiscord,
  payloadOf,
  startFakeDiscord,
} from "#test/helpers/fake-discord.ts";
import { TEST_COMMANDS, TINY_PNG } from "#test/helpers/test-commands.ts";

const CAPTURE = "slash-command-integer-option.real-capture.dsharpplus";
/** Room for a quick command on a busy machine, and a slow one soon past it. */
const BUDGET_MS = 1000;
const EPHEMERAL = 64;

const bob: DiscordMember = { id: "80351110224678912", username: "bob", globalName: "Bob" };

describe("Discord over the gateway, answering directly within the inline budget", () => {
  let test: TestApp;
  let discord: FakeDiscord;
  let client: Client;
  let front: DiscordFrontEnd;

  beforeAll(async () => {
    test = await createTestApp("pglite", { extraCommands: TEST_COMMANDS });
    discord = await startFakeDiscord();
    client = createDiscordClient({ apiBase: discord.apiBase, token: BOT_TOKEN });
    front = new DiscordFrontEnd(test.app.dispatcher as unknown as Dispatcher<unknown>, {
      log: silentLogger,
      attachmentTimeoutMs: 5000,
      inlineAnswerMs: BUDGET_MS,
      // One command at a time: the last test fills the slot to see a waiting command deferred.
      commandsInFlight: 1,
    });
    front.attach(client);
    await client.login(BOT_TOKEN);
  });

  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
    await test?.close();
  });

  /** Sends `payload` over the gateway; resolves with the REST calls that answered it, in order. */
  async function deliver(payload: Record<string, unknown>) {
    discord.dispatch("INTERACTION_CREATE", payload);
    await discord.rest.waitFor((r) => r.path.includes(`/interactions/${payload.id}/`));
    await front.idle();
    return answersTo(discord, payload);
  }

  it("answers a quick personal command with one private callback carrying the answer", async () => {
    const [callback, ...more] = await deliver(slashCommand(discordFixture(CAPTURE), bob, ["balance"]));
    expect(callback!.method).toBe("POST");
    expect(callback!.path).toMatch(/\/interactions\/\d+\/[^/]+\/callback$/);
    const body = payloadOf(callback!) as { type: number; data: Record<string, unknown> };
    expect(body.type).toBe(4);
    expect(body.data.flags).toBe(EPHEMERAL);
    expect(embedText(body.data)).toBe("You have no balance yet.");
    expect(body.data.allowed_mentions).toEqual({ parse: [] });
    expect(more).toEqual([]);
  });

  it("answers a quick public command publicly", async () => {
    const [callback, ...more] = await deliver(
      slashCommand(discordFixture(CAPTURE), bob, ["nap"], [{ name: "ms", type: 4, value: 0 }]),
    );
    const body = payloadOf(callback!) as { type: number; data: Record<string, unknown> };
    expect(body.type).toBe(4);
    expect(body.data.flags ?? 0).toBe(0);
    expect(embedText(body.data)).toBe("Woke up after 0 ms.");
    expect(more).toEqual([]);
  });

  it("sends a quick answer's file with the callback (multipart)", async () => {
    const [callback, ...more] = await deliver(slashCommand(discordFixture(CAPTURE), bob, ["picture"]));
    expect(callback!.files["files[0]"]!.data.equals(TINY_PNG)).toBe(true);
    const body = payloadOf(callback!) as { type: number; data: Record<string, unknown> };
    expect(body.type).toBe(4);
    expect((body.data.embeds as Array<{ image?: { url: string } }>)[0]!.image).toEqual({
      url: "attachment://dot.png",
    });
    expect(more).toEqual([]);
  });

  it("defers a command slower than the budget when the budget runs out, then edits its answer in", async () => {
    const slow = BUDGET_MS + 500;
    const payload = slashCommand(
      discordFixture(CAPTURE),
      bob,
      ["nap"],
      [{ name: "ms", type: 4, value: slow }],
    );
    const started = performance.now();
    discord.dispatch("INTERACTION_CREATE", payload);
    await discord.rest.waitFor((r) => r.path.includes(`/interactions/${payload.id}/`));
    const acknowledgedAfter = performance.now() - started;
    // Deferred when the budget ran out, not when the command finished.
    expect(acknowledgedAfter).toBeGreaterThanOrEqual(BUDGET_MS - 20);
    expect(acknowledgedAfter).toBeLessThan(slow);
    await front.idle();
    const [deferral, edit, ...more] = answersTo(discord, payload);
    expect(deferral!.body).toEqual({ type: 5, data: { flags: 0 } });
    expect(edit!.method).toBe("PATCH");
    expect(edit!.path).toMatch(/\/webhooks\/\d+\/[^/]+\/messages\/@original$/);
    expect(embedText(payloadOf(edit!))).toBe(`Woke up after ${slow} ms.`);
    expect(more).toEqual([]);
  });

  it("defers a command at once when it must wait for a slot, and answers both exactly once", async () => {
    const nap = slashCommand(discordFixture(CAPTURE), bob, ["nap"], [{ name: "ms", type: 4, value: 600 }]);
    const balance = slashCommand(discordFixture(CAPTURE), bob, ["balance"]);
    discord.dispatch("INTERACTION_CREATE", nap);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    discord.dispatch("INTERACTION_CREATE", balance);
    await discord.rest.waitFor((r) => r.path.includes(`/interactions/${balance.id}/`));
    // Deferred on arrival, not when the nap ahead of it let go of the slot.
    expect(performance.now() - started).toBeLessThan(500);
    await front.idle();
    const [napAnswer, ...napMore] = answersTo(discord, nap);
    expect((payloadOf(napAnswer!) as { type: number }).type).toBe(4);
    expect(napMore).toEqual([]);
    const [deferral, edit, ...more] = answersTo(discord, balance);
    expect(deferral!.body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    expect(edit!.method).toBe("PATCH");
    expect(embedText(payloadOf(edit!))).toBe("You have no balance yet.");
    expect(more).toEqual([]);
  });
});
