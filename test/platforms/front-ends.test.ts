// `npm start` with the HTTP settings: Discord's interactions endpoint and Telegram's webhook served
// by one HTTP server (any replica can take any request), the webhook registered with its secret.
import { generateKeyPairSync, sign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "#src/log.ts";
import { type RunningFrontEnds, startFrontEnds } from "#src/platforms/front-ends.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { type FakeDiscord, startFakeDiscord } from "#test/helpers/fake-discord.ts";
import {
  type FakeTelegram,
  methodOf,
  startFakeTelegram,
  TELEGRAM_TOKEN,
} from "#test/helpers/fake-telegram.ts";
import { textMessage } from "#test/helpers/telegram-updates.ts";

const SECRET = "a-webhook-secret-for-tests_123456";

describe("front ends over HTTP: Discord's endpoint and Telegram's webhook", () => {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const publicKeyHex = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url").toString("hex");
  let test: TestApp;
  let discord: FakeDiscord;
  let telegram: FakeTelegram;
  let running: RunningFrontEnds | undefined;
  let base = "";

  beforeAll(async () => {
    discord = await startFakeDiscord();
    telegram = await startFakeTelegram();
    test = await createTestApp("pglite", {
      env: {
        DISCORD_PUBLIC_KEY: publicKeyHex,
        DISCORD_API_BASE: discord.apiBase,
        TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        TELEGRAM_WEBHOOK_URL: "https://bot.example.com/hooks/telegram",
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        HTTP_HOST: "127.0.0.1",
        HTTP_PORT: "0",
      },
    });
    running = await startFrontEnds(test.app, silentLogger);
    base = `http://127.0.0.1:${running!.httpPort}`;
  });

  afterAll(async () => {
    await running?.stop();
    await telegram?.close();
    await discord?.close();
    await test?.close();
  });

  it("starts both on one HTTP server and registers the webhook with its secret", async () => {
    expect(running!.names).toEqual(["discord (http)", "telegram (webhook)"]);
    const [setWebhook] = telegram.calls("setWebhook");
    expect(setWebhook!.body).toEqual({
      url: "https://bot.example.com/hooks/telegram",
      secret_token: SECRET,
      allowed_updates: ["message", "callback_query"],
    });
    // Without the bot token, the HTTP mode cannot send direct messages: no Discord sender.
    expect(test.app.services.notifier.platforms).toEqual(["telegram"]);
    expect(await (await fetch(`${base}/healthz`)).text()).toBe("ok");
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
  });

  it("answers a signed PING on /discord/interactions", async () => {
    const body = JSON.stringify({ id: "1", type: 1, application_id: "1", token: "t", version: 1 });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString("hex");
    const response = await fetch(`${base}/discord/interactions`, {
      method: "POST",
      body,
      headers: { "x-signature-ed25519": signature, "x-signature-timestamp": timestamp },
    });
    expect(await response.json()).toEqual({ type: 1 });
  });

  it("takes Telegram updates on the webhook's path only with the secret", async () => {
    const url = `${base}/hooks/telegram`;
    const update = textMessage({ id: 218485603, first_name: "Eve" }, "/help");
    const unsigned = await fetch(url, { method: "POST", body: JSON.stringify(update) });
    expect(unsigned.status).toBe(401);
    const mark = telegram.api.requests.length;
    const signed = await fetch(url, {
      method: "POST",
      body: JSON.stringify(update),
      headers: { "x-telegram-bot-api-secret-token": SECRET },
    });
    expect(signed.status).toBe(200);
    const replies = telegram.api.since(mark).filter((r) => methodOf(r) === "sendMessage");
    // /help outgrows one Telegram message (4,096 characters) now that every feature has commands:
    // it arrives in order, split at line ends.
    expect(replies.length).toBeGreaterThanOrEqual(1);
    expect(replies[0]!.body!.text).toMatch(/^<b>Forgebot commands<\/b>/);
    for (const reply of replies) expect(String(reply.body!.text).length).toBeLessThanOrEqual(4096);
    expect(replies.map((r) => r.body!.text).join("\n")).toContain("/leaderboard");
  });
});
