// Tokens never reach the logs, whatever carries them (a library's error with a URL in it included),
// and the chat platforms' settings are validated together at start-up.
import { Writable } from "node:stream";
import { Bot } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, discordMode, loadConfig, secretValues, telegramMode } from "#src/config.ts";
import { createLogger } from "#src/log.ts";
import { type RunningFrontEnds, startFrontEnds } from "#src/platforms/front-ends.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { discordFixture, slashCommand } from "#test/helpers/discord-payloads.ts";
import { BOT_TOKEN, type FakeDiscord, startFakeDiscord, waitForAnswer } from "#test/helpers/fake-discord.ts";
import {
  type FakeTelegram,
  methodOf,
  startFakeTelegram,
  TELEGRAM_TOKEN,
} from "#test/helpers/fake-telegram.ts";
import { textMessage } from "#test/helpers/telegram-updates.ts";
import { TEST_COMMANDS } from "#test/helpers/test-commands.ts";

function memoryLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => lines.join("") };
}

describe("tokens never appear in logs", () => {
  it("censors a token inside a library's error (grammY's network error carries the request URL)", async () => {
    const log = memoryLog();
    const logger = createLogger("trace", log.stream, [TELEGRAM_TOKEN]);
    // Nothing listens on port 9: the request fails with the URL (and the token) in the error.
    const bot = new Bot(TELEGRAM_TOKEN, { client: { apiRoot: "http://127.0.0.1:9" } });
    const error = await bot.api.getMe().catch((e: unknown) => e);
    expect(
      JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as { error?: unknown }).error),
    ).toContain(TELEGRAM_TOKEN);
    logger.error(
      { err: error, detail: { url: `http://x/bot${encodeURIComponent(TELEGRAM_TOKEN)}/getMe` } },
      "failed",
    );
    expect(log.text()).toContain("[redacted]");
    expect(log.text()).not.toContain(TELEGRAM_TOKEN);
    expect(log.text()).not.toContain(encodeURIComponent(TELEGRAM_TOKEN));
  });

  describe("while the front ends run at the most verbose level", () => {
    const log = memoryLog();
    let test: TestApp;
    let discord: FakeDiscord;
    let telegram: FakeTelegram;
    let running: RunningFrontEnds | undefined;

    beforeAll(async () => {
      discord = await startFakeDiscord();
      telegram = await startFakeTelegram();
      const env = {
        DISCORD_TOKEN: BOT_TOKEN,
        DISCORD_API_BASE: discord.apiBase,
        TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
        TELEGRAM_API_ROOT: telegram.apiRoot,
      };
      const logger = createLogger("trace", log.stream, secretValues(loadConfig(env)));
      test = await createTestApp("pglite", { env, log: logger, extraCommands: TEST_COMMANDS });
      running = await startFrontEnds(test.app, logger);
    });

    afterAll(async () => {
      await running?.stop();
      await telegram?.close();
      await discord?.close();
      await test?.close();
    });

    it("logs bugs and failures without a token", async () => {
      const payload = slashCommand(
        discordFixture("slash-command-integer-option.real-capture.dsharpplus"),
        { id: "80351110224678912", username: "bob" },
        ["crash"],
      );
      discord.dispatch("INTERACTION_CREATE", payload);
      await waitForAnswer(discord, payload);
      const mark = telegram.api.requests.length;
      telegram.push(textMessage({ id: 218485602, first_name: "Bob" }, "/crash"));
      await telegram.api.waitFor(
        (r) => telegram.api.requests.indexOf(r) >= mark && methodOf(r) === "sendMessage",
      );
      await running!.stop();
      running = undefined;
      const text = log.text();
      expect(text).toContain("command failed"); // the bugs were logged, with their ids
      expect(text).toContain("front ends running");
      expect(text).not.toContain(BOT_TOKEN);
      expect(text).not.toContain(TELEGRAM_TOKEN);
    });
  });
});

describe("chat platform settings", () => {
  const key = "a".repeat(64);

  it("picks each platform's mode from what is set", () => {
    expect(discordMode(loadConfig({}))).toBeUndefined();
    expect(telegramMode(loadConfig({ DISCORD_TOKEN: "" }))).toBeUndefined();
    expect(discordMode(loadConfig({ DISCORD_TOKEN: BOT_TOKEN }))).toBe("gateway");
    expect(discordMode(loadConfig({ DISCORD_PUBLIC_KEY: key }))).toBe("http");
    expect(
      discordMode(loadConfig({ DISCORD_PUBLIC_KEY: key, DISCORD_TOKEN: BOT_TOKEN, DISCORD_MODE: "gateway" })),
    ).toBe("gateway");
    expect(telegramMode(loadConfig({ TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN }))).toBe("polling");
    expect(
      telegramMode(
        loadConfig({
          TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
          TELEGRAM_WEBHOOK_URL: "https://bot.example.com/telegram/webhook",
          TELEGRAM_WEBHOOK_SECRET: "s".repeat(32),
        }),
      ),
    ).toBe("webhook");
  });

  it("refuses settings that do not work together, naming the variable", () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return error.problems;
      }
    };
    expect(problems({ DISCORD_MODE: "http", DISCORD_TOKEN: BOT_TOKEN })).toEqual([
      "DISCORD_PUBLIC_KEY: the HTTP interactions endpoint needs the application's public key",
    ]);
    expect(problems({ DISCORD_MODE: "gateway" })).toEqual([
      "DISCORD_TOKEN: the gateway (DISCORD_MODE=gateway) needs the bot token",
    ]);
    expect(problems({ TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, TELEGRAM_MODE: "webhook" })).toEqual([
      "TELEGRAM_WEBHOOK_URL: webhook mode needs the public URL Telegram posts to",
      "TELEGRAM_WEBHOOK_SECRET: webhook mode needs a secret so forged updates are refused",
    ]);
    // A public key is not a secret (settings are secret by declaration, not by name): it is shown.
    expect(problems({ DISCORD_PUBLIC_KEY: "xyz" })[0]).toBe(
      'DISCORD_PUBLIC_KEY: expected 64 hexadecimal characters (got "xyz")',
    );
  });

  it("never echoes a rejected token", () => {
    const secret = "definitely-not-a-valid-token-but-secret";
    let message = "";
    try {
      loadConfig({ DISCORD_TOKEN: secret, TELEGRAM_BOT_TOKEN: secret });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("DISCORD_TOKEN: expected a Discord bot token");
    expect(message).toContain("TELEGRAM_BOT_TOKEN: expected a token like 123456:ABC-...");
    expect(message).not.toContain(secret);
  });
});
