// Issue 11 on Telegram, with updates fed to the real grammY bot and Bot API calls captured: each
// preview's callback data names that preview; Confirm on a preview that was replaced, confirmed,
// refused, cancelled or expired answers so and changes nothing; a preview for money the member
// does not have is refused without a Confirm button.
import type { Bot } from "grammy";
import type { InlineKeyboardMarkup, Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE } from "#src/core/clock.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { type FakeTelegram, methodOf, startFakeTelegram } from "#test/helpers/fake-telegram.ts";
import type { CapturedRequest } from "#test/helpers/loopback.ts";
import { startTestBot } from "#test/helpers/telegram-bot.ts";
import { callbackQuery, type Member, PRIVATE, textMessage } from "#test/helpers/telegram-updates.ts";

const mod: Member = { id: 5964236330, first_name: "Mod", username: "moddy" };
const cora: Member = { id: 218485700, first_name: "Cora", username: "cora" };
const USDC = 1_000_000n;

describe("Telegram confirmation buttons", () => {
  let test: TestApp;
  let telegram: FakeTelegram;
  let bot: Bot;

  beforeAll(async () => {
    test = await createTestApp("pglite", { env: { MODERATORS: `telegram:${mod.id}`, FEE_POLICY: "clones" } });
    telegram = await startFakeTelegram();
    bot = await startTestBot(test, telegram);
  });

  afterAll(async () => {
    await telegram?.close();
    await test?.close();
  });

  async function send(update: Update): Promise<CapturedRequest[]> {
    const mark = telegram.api.requests.length;
    await bot.handleUpdate(update);
    return telegram.api.since(mark).filter((c) => methodOf(c) !== "getMe");
  }

  /** Runs a command line; the text of the one message it sent. */
  async function say(from: Member, line: string): Promise<CapturedRequest> {
    const calls = await send(textMessage(from, line));
    expect(calls.map(methodOf)).toEqual(["sendMessage"]);
    return calls[0]!;
  }

  let nextMessageId = 500;
  /** Asks for a funding preview; its Confirm and Cancel callback data, and its message id. */
  async function fundPreview(amount: string) {
    const message = await say(cora, `/pool fund factory:1 amount:${amount}`);
    expect(String(message.body!.text)).toMatch(/^<b>Fund factory #1\?<\/b>/);
    const [confirm, cancel] = (
      message.body!.reply_markup as InlineKeyboardMarkup
    ).inline_keyboard.flat() as Array<{
      text: string;
      callback_data: string;
    }>;
    expect([confirm!.text, cancel!.text]).toEqual(["Confirm", "Cancel"]);
    return { confirm: confirm!.callback_data, cancel: cancel!.callback_data, messageId: nextMessageId++ };
  }

  const press = (data: string, messageId: number) =>
    send(callbackQuery(cora, data, { chat: PRIVATE(cora), message_id: messageId }));

  /** A refused press: only the callback's alert, the message with the buttons left as it was. */
  async function refusedPress(data: string, messageId: number): Promise<string> {
    const calls = await press(data, messageId);
    expect(calls.map(methodOf)).toEqual(["answerCallbackQuery"]);
    expect(calls[0]!.body!.show_alert).toBe(true);
    return String(calls[0]!.body!.text);
  }

  async function money() {
    const { identity, funds, factories } = test.app.services;
    const prisma = test.app.db.prisma;
    const user = (await identity.findByPlatformId(prisma, "telegram", String(cora.id)))!;
    const balances = await funds.balances(prisma, user.userId);
    return {
      balance: balances.find((b) => b.token === "USDC" && b.purpose === "main")?.balanceAtoms ?? 0n,
      pool: (await factories.view(prisma, 1)).balanceAtoms,
    };
  }

  it("names each preview in its callback data, and Confirm on a replaced one changes nothing", async () => {
    await say(cora, "/balance");
    await say(mod, "/admin credit user:@cora amount:200 token:USDC reason:grant");
    const created = await say(
      cora,
      '/factory create name:"Shop carts" token:USDC bid:1 task:"Implement shopping cart" app:Flutter objectives:"Open; Implement; Test"',
    );
    expect(String(created.body!.text)).toMatch(/#1/);

    const hundred = await fundPreview("100");
    const ten = await fundPreview("10");
    const prisma = test.app.db.prisma;
    for (const [preview, amount] of [
      [hundred, "100"],
      [ten, "10"],
    ] as const) {
      const id = /^cf:([a-z0-9]+)$/.exec(preview.confirm)![1]!;
      expect(preview.cancel).toBe(`cx:${id}`);
      const stored = await prisma.pendingAction.findUniqueOrThrow({ where: { id } });
      expect(stored.options).toMatchObject({ amount });
    }

    expect(await refusedPress(hundred.confirm, hundred.messageId)).toBe(
      "This preview is no longer open: a newer command replaced it. Nothing was done; run the command again if you still want it.",
    );
    expect(await money()).toEqual({ balance: 200n * USDC, pool: 0n });

    const done = await press(ten.confirm, ten.messageId);
    expect(done.map(methodOf)).toEqual(["answerCallbackQuery", "editMessageText"]);
    expect(done[1]!.body).toMatchObject({ message_id: ten.messageId, reply_markup: { inline_keyboard: [] } });
    expect(String(done[1]!.body!.text)).toMatch(/^<b>Factory #1 funded<\/b>/);
    expect(await money()).toEqual({ balance: 190n * USDC, pool: 10n * USDC });

    expect(await refusedPress(ten.confirm, ten.messageId)).toBe(
      "This preview is no longer open: it was already confirmed.",
    );
    expect(await refusedPress(hundred.cancel, hundred.messageId)).toMatch(
      /^This preview is no longer open: a newer command/,
    );
    expect(await money()).toEqual({ balance: 190n * USDC, pool: 10n * USDC });
  });

  it("ends a preview whose Confirm was refused: pressing it once the money is there does nothing", async () => {
    const preview = await fundPreview("150");
    await say(mod, "/admin debit user:@cora amount:100 token:USDC reason:correction");
    expect(await refusedPress(preview.confirm, preview.messageId)).toMatch(
      /^Insufficient funds: 90 USDC available/,
    );
    await say(mod, "/admin credit user:@cora amount:100 token:USDC reason:grant");
    expect(await refusedPress(preview.confirm, preview.messageId)).toBe(
      "This preview is no longer open: its confirmation was refused. Nothing was done; run the command again if you still want it.",
    );
    expect(await money()).toEqual({ balance: 190n * USDC, pool: 10n * USDC });
  });

  it("answers Confirm on a cancelled or expired preview, and changes nothing", async () => {
    const cancelled = await fundPreview("5");
    const cancel = await press(cancelled.cancel, cancelled.messageId);
    expect(cancel.map(methodOf)).toEqual(["answerCallbackQuery", "editMessageText"]);
    expect(cancel[1]!.body!.text).toBe("Cancelled. Nothing was changed.");
    expect(await refusedPress(cancelled.confirm, cancelled.messageId)).toMatch(
      /^This preview is no longer open: it was cancelled\./,
    );

    const expired = await fundPreview("5");
    test.clock.advance(16 * MINUTE);
    expect(await refusedPress(expired.confirm, expired.messageId)).toMatch(/^This preview has expired\./);
    expect(await money()).toEqual({ balance: 190n * USDC, pool: 10n * USDC });
  });

  it("refuses a preview for more than the balance, with no Confirm button", async () => {
    const refused = await say(cora, "/pool fund factory:1 amount:500");
    expect(refused.body!.text).toBe(
      "Insufficient funds: 190 USDC available, 500 USDC needed. Funding needs 500 USDC; nothing was moved.",
    );
    expect(refused.body!.reply_markup).toBeUndefined();
    const boost = await say(cora, "/xp boost");
    expect(String(boost.body!.text)).toMatch(/^An XP boost burns 100 CLONES\. Insufficient funds: 0 CLONES/);
    expect(boost.body!.reply_markup).toBeUndefined();
    expect(await money()).toEqual({ balance: 190n * USDC, pool: 10n * USDC });
  });
});
