// Telegram updates (the captured fixtures among them) fed to the real grammY bot; its Bot API calls
// land on a loopback Telegram. Each test checks what the member would see.
import { createHash } from "node:crypto";
import { type Bot, webhookCallback } from "grammy";
import type { InlineKeyboardMarkup, Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "#src/core/dispatch.ts";
import { silentLogger } from "#src/log.ts";
import { HttpServer } from "#src/platforms/http-server.ts";
import { createBot } from "#src/platforms/telegram/bot.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import {
  type FakeTelegram,
  methodOf,
  startFakeTelegram,
  TELEGRAM_TOKEN,
} from "#test/helpers/fake-telegram.ts";
import type { CapturedRequest } from "#test/helpers/loopback.ts";
import {
  callbackQuery,
  documentMessage,
  GROUP,
  type Member,
  PRIVATE,
  telegramFixture,
  textMessage,
} from "#test/helpers/telegram-updates.ts";
import { TEST_COMMANDS, TINY_PNG } from "#test/helpers/test-commands.ts";

const mod: Member = { id: 5964236329, first_name: "the Cable Guy", username: "spacewhaleblues" };
const bob: Member = { id: 218485600, first_name: "Bob", username: "bob" };
const dana: Member = { id: 218485656, first_name: "Dana", username: "dana" };

function botFor(test: TestApp, telegram: FakeTelegram): Bot {
  const { services } = test.app;
  return createBot({
    token: TELEGRAM_TOKEN,
    apiRoot: telegram.apiRoot,
    dispatcher: test.app.dispatcher as unknown as Dispatcher<unknown>,
    actions: services.actions,
    db: services.db.prisma,
    clock: services.clock,
    ensureUser: (user) => services.identity.ensureUser(user),
    log: silentLogger,
    attachmentTimeoutMs: 5000,
  });
}

const keyboardOf = (call: CapturedRequest) => call.body?.reply_markup as InlineKeyboardMarkup | undefined;
const visible = (calls: CapturedRequest[]) => calls.filter((c) => methodOf(c) !== "getMe");

describe("Telegram through grammY (loopback Bot API)", () => {
  let test: TestApp;
  let telegram: FakeTelegram;
  let bot: Bot;

  beforeAll(async () => {
    test = await createTestApp("pglite", {
      env: { MODERATORS: `telegram:${mod.id}` },
      extraCommands: TEST_COMMANDS,
    });
    telegram = await startFakeTelegram();
    bot = botFor(test, telegram);
    await bot.init();
  });

  afterAll(async () => {
    await telegram?.close();
    await test?.close();
  });

  /** Feeds one update; resolves with the Bot API calls it caused. */
  async function send(update: Update, to: Bot = bot): Promise<CapturedRequest[]> {
    const mark = telegram.api.requests.length;
    await to.handleUpdate(update);
    return visible(telegram.api.since(mark));
  }

  async function balanceAtoms(member: Member): Promise<bigint> {
    const { identity, funds } = test.app.services;
    const user = await identity.findByPlatformId(test.app.db.prisma, "telegram", String(member.id));
    if (!user) return 0n;
    const balances = await funds.balances(test.app.db.prisma, user.userId);
    return balances.find((b) => b.token === "USDC" && b.purpose === "main")?.balanceAtoms ?? 0n;
  }

  it("welcomes /start (the grammY docs' update)", async () => {
    const [reply, ...more] = await send(telegramFixture("message-start-bot-command-entity.grammy-docs"));
    expect(methodOf(reply!)).toBe("sendMessage");
    expect(reply!.body).toMatchObject({ chat_id: 987654321, parse_mode: "HTML" });
    expect(reply!.body!.text).toMatch(/^<b>Welcome to Forgebot, 987654321!<\/b>\nForgebot runs the pools/);
    expect(more).toEqual([]);
  });

  it("gives a hint for plain text in a private chat (teloxide's captured message)", async () => {
    const [reply] = await send(telegramFixture("private-text-message.teloxide"));
    expect(reply!.body).toMatchObject({
      chat_id: 218485655,
      text: "Commands start with a slash: type /help to see them.",
    });
  });

  it("stays silent on another bot's command in a group (teloxide's captured /report)", async () => {
    expect(await send(telegramFixture("supergroup-bot-command-reply-to-story.teloxide"))).toEqual([]);
  });

  it("sends a personal answer asked for in a group privately, with a short pointer in the group", async () => {
    const update = telegramFixture("supergroup-bot-command-reply-to-story.teloxide");
    update.update_id += 1;
    update.message!.text = "/balance";
    update.message!.entities = [{ type: "bot_command", offset: 0, length: 8 }];
    const [privately, pointer] = await send(update);
    expect(privately!.body).toMatchObject({ chat_id: mod.id, text: "You have no balance yet." });
    expect(pointer!.body).toMatchObject({
      chat_id: GROUP.id,
      text: `<a href="tg://user?id=${mod.id}">the Cable Guy</a>, I sent you the answer in our private chat.`,
      reply_parameters: { message_id: 134546, allow_sending_without_reply: true },
    });
  });

  it("points to a private chat without showing anything when the member has not started one", async () => {
    telegram.blocked.add(dana.id);
    const calls = await send(textMessage(dana, "/balance", GROUP));
    telegram.blocked.delete(dana.id);
    expect(calls.map((c) => [methodOf(c), c.body!.chat_id])).toEqual([
      ["sendMessage", dana.id],
      ["sendMessage", GROUP.id],
    ]);
    expect(calls[1]!.body!.text).toBe(
      `<a href="tg://user?id=${dana.id}">Dana</a>, this answer is private and I cannot message you yet: open a chat with @forge_test_bot, press Start, then send the command there.`,
    );
  });

  it("runs typed options and subcommands as words, like the console", async () => {
    await send(textMessage(bob, "/help"));
    const [reply] = await send(
      textMessage(mod, '/admin credit user:@bob amount:"1,000.5" token:USDC reason:"a grant"'),
    );
    expect(reply!.body!.text).toBe(
      "Credited 1,000.5 USDC to Bob (reason: a grant). Bob's balance is now 1,000.5 USDC.",
    );
    const [balance] = await send(textMessage(bob, "/balance@forge_test_bot"));
    expect(balance!.body!.text).toBe("<b>Your balances</b>\n1,000.5 USDC");
  });

  it("guides a missing value with choices through an inline keyboard, answered once", async () => {
    const before = await balanceAtoms(bob);
    const [question] = await send(textMessage(mod, "/admin credit user:@bob amount:5 reason:topup"));
    // Asked in Telegram's terms: no console syntax (token:USDC), and a way out.
    expect(question!.body!.text).toBe(
      "<b>/admin credit</b> needs the <b>token</b> (Which token, e.g. USDC).\n\nChoose the <b>token</b>, or send /cancel:",
    );
    const buttons = keyboardOf(question!)!.inline_keyboard.flat() as Array<{
      text: string;
      callback_data: string;
    }>;
    expect(buttons.map((b) => b.text)).toEqual(["CLONES", "ETH", "SOL", "USDC", "VIRAL"]);
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
    const usdc = buttons.find((b) => b.text === "USDC")!.callback_data;

    const press = () => callbackQuery(mod, usdc, { chat: PRIVATE(mod), message_id: 77 });
    const calls = await send(press());
    expect(calls.map(methodOf)).toEqual(["answerCallbackQuery", "editMessageReplyMarkup", "sendMessage"]);
    expect(calls[1]!.body!.reply_markup).toEqual({ inline_keyboard: [] });
    expect(calls[2]!.body!.text).toMatch(/^Credited 5 USDC to Bob/);

    const again = await send(press());
    expect(again.map(methodOf)).toEqual(["answerCallbackQuery"]);
    expect(again[0]!.body).toMatchObject({
      text: "This question has expired or was already answered. Run the command again.",
      show_alert: true,
    });
    expect(await balanceAtoms(bob)).toBe(before + 5_000_000n);
  });

  it("guides a missing free-text value with a reply prompt", async () => {
    const before = await balanceAtoms(bob);
    const [question] = await send(textMessage(mod, "/admin credit user:@bob token:USDC reason:topup"));
    expect(question!.body!.text).toBe(
      "<b>/admin credit</b> needs the <b>amount</b> (How much, e.g. 12.5 or 1,000).\n\nReply to this message with the <b>amount</b>, or send /cancel.",
    );
    expect(question!.body!.reply_markup).toEqual({
      force_reply: true,
      selective: true,
      input_field_placeholder: "12.5",
    });
    const [done] = await send(textMessage(mod, "2.5"));
    expect(done!.body!.text).toMatch(/^Credited 2\.5 USDC to Bob/);
    expect(await balanceAtoms(bob)).toBe(before + 2_500_000n);
  });

  it("offers the subcommands of a command typed alone", async () => {
    const [question] = await send(textMessage(mod, "/admin"));
    const buttons = keyboardOf(question!)!
      .inline_keyboard.flat()
      .map((b) => b.text);
    expect(buttons).toEqual([
      "/admin credit",
      "/admin debit",
      "/admin leaderboard",
      "/admin epoch",
      "/admin reviewer",
      "/admin bundle",
    ]);
  });

  it("maps Confirm buttons to the dispatcher and answers every callback", async () => {
    const [preview] = await send(textMessage(bob, "/ritual times:2"));
    expect(preview!.body!.text).toBe("Perform the ritual 2 times?");
    const [confirm, cancel] = keyboardOf(preview!)!.inline_keyboard.flat() as Array<{
      text: string;
      callback_data: string;
    }>;
    expect([confirm!.text, cancel!.text]).toEqual(["Confirm", "Cancel"]);

    const stranger = await send(
      callbackQuery(dana, confirm!.callback_data, { chat: PRIVATE(bob), message_id: 90 }),
    );
    expect(stranger.map(methodOf)).toEqual(["answerCallbackQuery"]);
    expect(stranger[0]!.body!.text).toMatch(/belongs to someone else's command/);

    const calls = await send(
      callbackQuery(bob, confirm!.callback_data, { chat: PRIVATE(bob), message_id: 90 }),
    );
    expect(calls.map(methodOf)).toEqual(["answerCallbackQuery", "editMessageText"]);
    expect(calls[1]!.body).toMatchObject({
      message_id: 90,
      text: "The ritual was performed 2 times.",
      reply_markup: { inline_keyboard: [] },
    });
  });

  it("takes a document sent with the command as its file", async () => {
    telegram.files.set("doc-1", { path: "documents/file_1.zip", data: Buffer.from("demo!") });
    const calls = await send(
      documentMessage(bob, "/upload", { file_id: "doc-1", file_name: "demo.zip", file_size: 5 }),
    );
    // "sending a file…" shows while the file is fetched and read.
    expect(calls.map(methodOf)).toEqual(["sendChatAction", "getFile", "file_1.zip", "sendMessage"]);
    expect(calls[0]!.body).toMatchObject({ chat_id: bob.id, action: "upload_document" });
    const digest = createHash("sha256").update("demo!").digest("hex").slice(0, 12);
    expect(calls[3]!.body!.text).toBe(`Received demo.zip: 5 bytes, sha256 ${digest}.`);
  });

  it("refuses a document over the Bot API's 20 MB download limit without asking for it", async () => {
    const calls = await send(
      // /submit takes up to DEMO_MAX_BYTES (50 MB), so the platform's limit is what refuses it.
      documentMessage(bob, "/submit factory:1", {
        file_id: "doc-big",
        file_name: "demo.zip",
        file_size: 21 * 1024 * 1024,
      }),
    );
    expect(calls.map(methodOf)).toEqual(["sendChatAction", "sendMessage"]);
    expect(calls[1]!.body!.text).toContain(
      "demo.zip is 21.0 MB, and Telegram lets bots download at most 20 MB. Send a smaller file",
    );
  });

  it("sends a reply's picture as a photo with the text as its caption", async () => {
    const [photo] = await send(textMessage(bob, "/picture"));
    expect(methodOf(photo!)).toBe("sendPhoto");
    const [file, ...others] = Object.values(photo!.files);
    expect(others).toEqual([]);
    expect(file!.data.equals(TINY_PNG)).toBe(true);
    expect(file!.name).toBe("dot.png");
    expect(photo!.body).toMatchObject({ caption: "<b>A picture</b>\nHere it is.", parse_mode: "HTML" });
  });

  it("shows a bug as a short message with an error id", async () => {
    const [reply] = await send(textMessage(bob, "/crash"));
    expect(reply!.body!.text).toMatch(/^Something went wrong on our side\. .* error id [0-9a-f]{8}\.$/);
  });

  it("acts once on a redelivered update, and once when two replicas get the same update", async () => {
    const before = await balanceAtoms(bob);
    const update = textMessage(mod, "/admin credit user:@bob amount:3 token:USDC reason:again");
    const first = await send(update);
    const redelivered = await send(update);
    expect(first).toHaveLength(1);
    expect(redelivered).toEqual([]);

    const replica = botFor(test, telegram);
    await replica.init();
    const other = await send(update, replica);
    expect(other[0]!.body!.text).toBe(first[0]!.body!.text);
    expect(await balanceAtoms(bob)).toBe(before + 3_000_000n);
  });

  it("takes webhook updates only with the secret token", async () => {
    const hooked = botFor(test, telegram);
    const secret = "webhook-secret-for-tests_0123456789";
    const server = new HttpServer(silentLogger).route(
      "/telegram/webhook",
      webhookCallback(hooked, "http", { secretToken: secret }),
    );
    const port = await server.listen("127.0.0.1", 0);
    try {
      const url = `http://127.0.0.1:${port}/telegram/webhook`;
      const post = (update: Update, headers: Record<string, string>) =>
        fetch(url, {
          method: "POST",
          body: JSON.stringify(update),
          headers: { "content-type": "application/json", ...headers },
        });
      const mark = telegram.api.requests.length;
      expect((await post(textMessage(bob, "/help"), {})).status).toBe(401);
      expect(
        (await post(textMessage(bob, "/help"), { "x-telegram-bot-api-secret-token": "wrong" })).status,
      ).toBe(401);
      expect(visible(telegram.api.since(mark))).toEqual([]);
      const accepted = await post(textMessage(bob, "/balance"), {
        "x-telegram-bot-api-secret-token": secret,
      });
      expect(accepted.status).toBe(200);
      const [reply] = visible(telegram.api.since(mark));
      expect(reply!.body!.chat_id).toBe(bob.id);
      expect(reply!.body!.text).toMatch(/^<b>Your balances<\/b>\n1,0\d\d(\.5)? USDC$/);
    } finally {
      await server.close();
    }
  });
});

// The referral deep link (/start ref_<code>) is tested with the real /referral command in
// referral-deep-link.test.ts.
