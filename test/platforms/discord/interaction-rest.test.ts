// Edits and follow-ups made with an interaction's token are not held to @discordjs/rest's global
// limit of 50 requests a second (Discord does not count them against the bot's global limit), but
// a 429 on their route is still waited out. Through the real discord.js client, against a loopback.
import { Routes } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscordClient } from "#src/platforms/discord/client.ts";
import { isInteractionTokenRequest } from "#src/platforms/discord/interaction-rest.ts";
import { APPLICATION_ID, BOT_TOKEN } from "#test/helpers/fake-discord.ts";
import { Loopback } from "#test/helpers/loopback.ts";

describe("REST for interaction tokens", () => {
  let api: Loopback;
  /** Tokens whose first edit gets a 429 (per route, not global). */
  const limitedOnce = new Set<string>();

  beforeAll(async () => {
    api = await Loopback.start((request) => {
      const token = /\/webhooks\/\d+\/([^/]+)\//.exec(request.path)?.[1];
      if (token && limitedOnce.delete(token))
        return {
          status: 429,
          headers: { "retry-after": "0.2", "x-ratelimit-scope": "user" },
          body: { message: "You are being rate limited.", retry_after: 0.2, global: false },
        };
      return { body: { id: "1", channel_id: "1", content: "", embeds: [], attachments: [] } };
    });
  });
  afterAll(() => api?.close());

  it("tells interaction-token routes from the bot's own", () => {
    const route = (fullRoute: string, auth?: boolean) =>
      isInteractionTokenRequest({ fullRoute: fullRoute as never, ...(auth === undefined ? {} : { auth }) });
    expect(route(Routes.webhookMessage(APPLICATION_ID, "tok", "@original"), false)).toBe(true);
    expect(route(Routes.webhook(APPLICATION_ID, "tok"), false)).toBe(true);
    expect(route(Routes.interactionCallback("1234567890", "tok"), false)).toBe(true);
    expect(route(Routes.channelMessages("1234567890"))).toBe(false);
    expect(route(Routes.userChannels())).toBe(false);
    // A webhook route with the bot's token is the bot's own request.
    expect(route(Routes.webhookMessage(APPLICATION_ID, "tok", "@original"), true)).toBe(false);
  });

  it("sends 150 edits on 150 interactions well above 50 a second, and waits out a per-route 429", async () => {
    const client = createDiscordClient({ apiBase: `${api.url}/api`, token: BOT_TOKEN });
    try {
      limitedOnce.add("token-7");
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 150 }, (_, i) =>
          client.rest.patch(Routes.webhookMessage(APPLICATION_ID, `token-${i}`, "@original"), {
            body: { content: `answer ${i}` },
            auth: false,
          }),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      // Held to 50 a second these would take over two seconds.
      expect(seconds).toBeLessThan(1.5);
      const edits = api.requests.filter((r) => r.method === "PATCH");
      // 150 answers, one of them sent again after its 429.
      expect(edits).toHaveLength(151);
      expect(edits.filter((r) => r.path.includes("/token-7/"))).toHaveLength(2);
      // No bot token on an interaction's webhook.
      expect(edits.every((r) => r.headers.authorization === undefined)).toBe(true);
    } finally {
      await client.destroy();
    }
  });
});
