// One command, three front ends: a moderator credits a member on the console, on Discord (over the
// gateway) and on Telegram (long polling), all started the way `npm start` starts them. Each member
// then sees the same balance, and the ledger holds the same three transfers, each keyed by its
// platform's event id.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLedger } from "#src/ledger/audit.ts";
import { silentLogger } from "#src/log.ts";
import { ConsoleFrontEnd, type ConsoleRecord } from "#src/platforms/console/console.ts";
import { type RunningFrontEnds, startFrontEnds } from "#src/platforms/front-ends.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { discordFixture, resolvedUsers, slashCommand } from "#test/helpers/discord-payloads.ts";
import {
  BOT_TOKEN,
  embedText,
  type FakeDiscord,
  payloadOf,
  startFakeDiscord,
  waitForAnswer,
} from "#test/helpers/fake-discord.ts";
import {
  type FakeTelegram,
  methodOf,
  startFakeTelegram,
  TELEGRAM_TOKEN,
} from "#test/helpers/fake-telegram.ts";
import { textMessage } from "#test/helpers/telegram-updates.ts";

const discordMod = { id: "336733686529654798", username: "oolunar" };
const discordBob = { id: "80351110224678912", username: "bob", globalName: "Bob" };
const telegramMod = { id: 5964236329, first_name: "Mod", username: "mod" };
const telegramBob = { id: 218485601, first_name: "Bob", username: "bob" };
const CAPTURE = "slash-command-integer-option.real-capture.dsharpplus";

describe("the same command on the console, Discord and Telegram", () => {
  let test: TestApp;
  let discord: FakeDiscord;
  let telegram: FakeTelegram;
  let running: RunningFrontEnds | undefined;
  let console_: ConsoleFrontEnd;

  beforeAll(async () => {
    discord = await startFakeDiscord();
    telegram = await startFakeTelegram();
    test = await createTestApp("pglite", {
      env: {
        MODERATORS: `console:alice,discord:${discordMod.id},telegram:${telegramMod.id}`,
        DISCORD_TOKEN: BOT_TOKEN,
        DISCORD_API_BASE: discord.apiBase,
        TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
        TELEGRAM_API_ROOT: telegram.apiRoot,
      },
    });
    running = await startFrontEnds(test.app, silentLogger);
    console_ = new ConsoleFrontEnd(test.app.dispatcher as never, {
      defaultUser: "you",
      json: true,
      color: false,
      imageDir: "data/test-images",
      write: () => {},
    });
  });

  afterAll(async () => {
    await running?.stop();
    await telegram?.close();
    await discord?.close();
    await test?.close();
  });

  async function onConsole(line: string): Promise<ConsoleRecord> {
    return (await console_.runLine(line))!;
  }

  async function onDiscord(payload: Record<string, unknown>): Promise<string> {
    discord.dispatch("INTERACTION_CREATE", payload);
    return embedText(await waitForAnswer(discord, payload));
  }

  async function onTelegram(from: typeof telegramBob, text: string): Promise<string> {
    const mark = telegram.api.requests.length;
    telegram.push(textMessage(from, text));
    const reply = await telegram.api.waitFor(
      (r) =>
        telegram.api.requests.indexOf(r) >= mark &&
        methodOf(r) === "sendMessage" &&
        r.body?.chat_id === from.id,
    );
    return String(reply.body!.text);
  }

  it("starts the configured front ends and registers a sender for each platform", () => {
    expect(running!.names).toEqual(["discord (gateway)", "telegram (polling)"]);
    expect(test.app.services.notifier.platforms).toEqual(["discord", "telegram"]);
    const scopes = telegram.calls("setMyCommands").map((c) => (c.body!.scope as { type: string }).type);
    expect(scopes).toEqual([
      "default",
      "all_private_chats",
      "all_group_chats",
      "all_chat_administrators",
      "chat",
    ]);
    expect(telegram.calls("deleteWebhook")).toHaveLength(1);
  });

  it("credits 1,000.5 USDC on each, with the same result", async () => {
    await onConsole("@Bob /balance");
    const consoleCredit = await onConsole(
      '@alice /admin credit user:@bob amount:"1,000.5" token:USDC reason:grant',
    );
    const consoleBalance = await onConsole("@Bob /balance");

    const fixture = discordFixture(CAPTURE);
    const discordCredit = await onDiscord(
      slashCommand(
        fixture,
        discordMod,
        ["admin", "credit"],
        [
          { name: "user", type: 6, value: discordBob.id },
          { name: "amount", type: 3, value: "1,000.5" },
          { name: "token", type: 3, value: "USDC" },
          { name: "reason", type: 3, value: "grant" },
        ],
        resolvedUsers(discordBob),
      ),
    );
    const discordBalance = await onDiscord(slashCommand(fixture, discordBob, ["balance"]));

    await onTelegram(telegramBob, "/balance");
    const telegramCredit = await onTelegram(
      telegramMod,
      '/admin credit user:@bob amount:"1,000.5" token:USDC reason:grant',
    );
    const telegramBalance = await onTelegram(telegramBob, "/balance");

    const credited = "Credited 1,000.5 USDC to Bob (reason: grant). Bob's balance is now 1,000.5 USDC.";
    expect([consoleCredit.text, discordCredit, telegramCredit]).toEqual([credited, credited, credited]);
    expect(consoleBalance.text).toBe("Your balances\n1,000.5 USDC");
    expect(discordBalance).toBe("Your balances\n1,000.5 USDC");
    expect(telegramBalance).toBe("<b>Your balances</b>\n1,000.5 USDC");

    const transfers = await test.app.db.prisma.transfer.findMany({ orderBy: { id: "asc" } });
    expect(transfers.map((t) => [t.code, t.token, t.amount.toString(), t.memo])).toEqual([
      ["admin.credit", "USDC", "1000500000", "grant"],
      ["admin.credit", "USDC", "1000500000", "grant"],
      ["admin.credit", "USDC", "1000500000", "grant"],
    ]);
    // Each keyed by its platform's event: a console line, a Discord interaction, a Telegram update.
    const [onConsoleKey, onDiscordKey, onTelegramKey] = transfers.map((t) => t.key);
    expect(onConsoleKey).toMatch(/\|console:[0-9a-f]+:\d+$/);
    expect(onDiscordKey).toMatch(/\|discord:\d{17,20}$/);
    expect(onTelegramKey).toMatch(/\|telegram:\d+$/);
    expect(new Set(transfers.map((t) => t.creditAccountId)).size).toBe(3);
    expect((await auditLedger(test.app.db)).ok).toBe(true);
  });

  it("delivers notices on Discord and Telegram through their senders", async () => {
    const { identity, notifier } = test.app.services;
    const prisma = test.app.db.prisma;
    const onDiscordUser = (await identity.findByPlatformId(prisma, "discord", discordBob.id))!;
    const onTelegramUser = (await identity.findByPlatformId(prisma, "telegram", String(telegramBob.id)))!;
    expect(await notifier.notifyUser(onDiscordUser.userId, { text: "Your demo was graded: 0.92." })).toBe(
      true,
    );
    expect(await notifier.notifyUser(onTelegramUser.userId, { text: "Your demo was graded: 0.92." })).toBe(
      true,
    );
    // Bob used Discord minutes ago: the notice follows up on his latest interaction, privately.
    const followUp = await discord.rest.waitFor(
      (r) => r.method === "POST" && embedText(payloadOf(r)) === "Your demo was graded: 0.92.",
    );
    expect(followUp.path).toMatch(/\/webhooks\/\d+\/[^/]+$/);
    expect(payloadOf(followUp).flags).toBe(64);
    const message = await telegram.api.waitFor(
      (r) => methodOf(r) === "sendMessage" && r.body?.text === "Your demo was graded: 0.92.",
    );
    expect(Number(message.body!.chat_id)).toBe(telegramBob.id);
  });
});
