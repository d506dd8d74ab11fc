// The referral deep link t.me/<bot>?start=ref_<code>: Telegram delivers it as "/start ref_<code>";
// the real grammY bot routes it to /referral use, which records the referral once.
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { type FakeTelegram, methodOf, startFakeTelegram } from "#test/helpers/fake-telegram.ts";
import { startTestBot } from "#test/helpers/telegram-bot.ts";
import { type Member, telegramFixture, textMessage, updateId } from "#test/helpers/telegram-updates.ts";

const ambassador: Member = { id: 218485601, first_name: "Ada", username: "ada" };
const bob: Member = { id: 218485600, first_name: "Bob", username: "bob" };

describe("Telegram referral deep links", () => {
  let test: TestApp;
  let telegram: FakeTelegram;
  let bot: Bot;

  beforeAll(async () => {
    test = await createTestApp("pglite", { env: { TELEGRAM_BOT_USERNAME: "forge_test_bot" } });
    telegram = await startFakeTelegram();
    bot = await startTestBot(test, telegram);
  });

  afterAll(async () => {
    await telegram?.close();
    await test?.close();
  });

  async function send(update: Update) {
    const mark = telegram.api.requests.length;
    await bot.handleUpdate(update);
    return telegram.api.since(mark).filter((c) => methodOf(c) === "sendMessage");
  }

  it("/referral link on Telegram gives the t.me deep link, and opening it records the referral", async () => {
    const [link] = await send(textMessage(ambassador, "/referral link"));
    const text = String(link!.body!.text);
    const url = /https:\/\/t\.me\/forge_test_bot\?start=ref_([0-9A-Z]{12})/.exec(text);
    expect(url, text).not.toBeNull();
    const code = url![1]!;

    // The member opens the link: Telegram sends "/start ref_<code>" (the grammY docs' captured
    // /start update, with the payload a deep link adds).
    const start = telegramFixture("message-start-bot-command-entity.grammy-docs") as Update & {
      message: { text: string; from: Member; chat: { id: number } };
    };
    start.update_id = updateId();
    start.message.text = `/start ref_${code}`;
    start.message.from = { ...start.message.from, ...bob };
    start.message.chat = { ...start.message.chat, id: bob.id };
    const [reply] = await send(start);
    expect(reply!.body!.chat_id).toBe(bob.id);
    expect(reply!.body!.text).toContain("You were referred by Ada");

    const { services } = test.app;
    const bobUser = await services.identity.findByPlatformId(services.db.prisma, "telegram", String(bob.id));
    const adaUser = await services.identity.findByPlatformId(
      services.db.prisma,
      "telegram",
      String(ambassador.id),
    );
    const referral = await services.referrals.referrerOf(services.db.prisma, bobUser!.userId);
    expect(referral).toMatchObject({ referrerUserId: adaUser!.userId, code, platform: "telegram" });

    // Opening the link again changes nothing and says why.
    const [again] = await send(textMessage(bob, `/start ref_${code}`));
    expect(again!.body!.text).toContain("already referred by Ada");
    expect(await services.db.prisma.referral.count()).toBe(1);
  });

  it("a deep link to one's own code is refused with the reason", async () => {
    const [link] = await send(textMessage(ambassador, "/referral link"));
    const code = /start=ref_([0-9A-Z]{12})/.exec(String(link!.body!.text))![1]!;
    const [reply] = await send(textMessage(ambassador, `/start ref_${code}`));
    expect(reply!.body!.text).toContain("That is your own referral code");
  });
});
