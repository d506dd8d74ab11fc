// Edits and follow-ups made with an interaction's token are not held to @discordjs/rest's global
// limit of 50 requests a second (Discord does not count them against the bot's global limit), but
// a 429 on their route is still waited out. Through the real discord.js client, against a loopback.
import { REST, Routes } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscordClient } from "#src/platforms/discord/client.ts";
import {
  isInteractionTokenRequest,
  routeInteractionRequests,
} from "#src/platforms/discord/interaction-rest.ts";
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

  it("sends 150 edits on 150 interactions outside the bot's global budget, and waits out a per-route 429", async () => {
    const client = createDiscordClient({ apiBase: `${api.url}/api`, token: BOT_TOKEN });
    try {
      limitedOnce.add("token-7");
      const budget = client.rest.globalRemaining;
      await Promise.all(
        Array.from({ length: 150 }, (_, i) =>
          client.rest.patch(Routes.webhookMessage(APPLICATION_ID, `token-${i}`, "@original"), {
            body: { content: `answer ${i}` },
            auth: false,
          }),
        ),
      );
      // Not one of them spent the bot's global budget (50 a second by default), which would have
      // held the last hundred back by two seconds...
      expect(client.rest.globalRemaining).toBe(budget);
      // ...which a request with the bot's own token does spend.
      await client.rest.get(Routes.channel("1234567890123456789"));
      expect(client.rest.globalRemaining).toBe(budget - 1);
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

  it("drops the handler each interaction token leaves behind once it is idle, so memory stays flat", async () => {
    const bot = new REST({ api: `${api.url}/api` }).setToken(BOT_TOKEN);
    const interactions = routeInteractionRequests(bot, `${api.url}/api`, 100);
    // The sweep timers are unref'd: they keep nothing alive after the test.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        bot.patch(Routes.webhookMessage(APPLICATION_ID, `sweep-${i}`, "@original"), {
          body: { content: `answer ${i}` },
          auth: false,
        }),
      ),
    );
    // One handler per token (the library keys them by webhook id and token)...
    expect(interactions.handlers.size).toBe(40);
    await new Promise((resolve) => setTimeout(resolve, 350));
    // ...and none once they are idle and the sweep has run.
    expect(interactions.handlers.size).toBe(0);
    // The bot's own REST client made none of these calls.
    expect(bot.handlers.size).toBe(0);
  });
});
