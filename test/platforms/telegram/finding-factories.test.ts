// Finding a factory on Telegram, through the real grammY bot: a command missing its factory offers
// the factories as buttons (the member's own first, then the live ones), "#1" works where the bot
// prints #1, a mistyped command is answered with the command meant, and /poolcard needs no token.
import type { Bot } from "grammy";
import type { InlineKeyboardMarkup, Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { type FakeTelegram, methodOf, startFakeTelegram } from "#test/helpers/fake-telegram.ts";
import type { CapturedRequest } from "#test/helpers/loopback.ts";
import { startTestBot } from "#test/helpers/telegram-bot.ts";
import { callbackQuery, type Member, PRIVATE, textMessage } from "#test/helpers/telegram-updates.ts";

const cora: Member = { id: 218485611, first_name: "Cora", username: "cora" };
const dan: Member = { id: 218485612, first_name: "Dan", username: "dan" };

describe("finding factories on Telegram", () => {
  let test: TestApp;
  let telegram: FakeTelegram;
  let bot: Bot;

  beforeAll(async () => {
    test = await createTestApp("pglite", { env: { CARD_IMAGES: "false" } });
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
  const textOf = (calls: CapturedRequest[]) => String(calls.at(-1)?.body?.text ?? "");

  it("offers the factories as buttons when one is missing, and runs the one pressed", async () => {
    const create = (who: Member, name: string) =>
      send(
        textMessage(
          who,
          `/factory create name:"${name}" token:USDC bid:0.5 task:"Fill it" app:Sheets objectives:"Open; Fill"`,
        ),
      );
    expect(textOf(await create(dan, "Dan forms"))).toContain('Factory #1 "Dan forms" created');
    expect(textOf(await create(cora, "Cora sheets"))).toContain('Factory #2 "Cora sheets" created');

    const [question] = await send(textMessage(cora, "/factory info"));
    const buttons = (question!.body!.reply_markup as InlineKeyboardMarkup).inline_keyboard.flat() as Array<{
      text: string;
      callback_data: string;
    }>;
    expect(buttons.map((b) => b.text)).toEqual(["#2 Cora sheets (USDC, yours)", "#1 Dan forms (USDC)"]);
    const calls = await send(
      callbackQuery(cora, buttons[1]!.callback_data, { chat: PRIVATE(cora), message_id: 5 }),
    );
    expect(textOf(calls)).toContain("Dan forms");
    expect(textOf(calls)).toContain("Status: waiting for its first funding");
  });

  it('accepts "#1" where the bot prints #1, and /poolcard without a token', async () => {
    expect(textOf(await send(textMessage(cora, "/factory info factory:#1")))).toContain("Dan forms");
    const pool = textOf(await send(textMessage(cora, "/poolcard factory:#2")));
    expect(pool).toContain("Pool: Cora sheets (USDC)");
    expect(pool).toContain("Funds left: 0 USDC");
  });

  it("answers a mistyped command with the one meant", async () => {
    expect(textOf(await send(textMessage(cora, "/factroy list")))).toBe(
      "There is no command /factroy. Did you mean /factory? Type /help to see the commands.",
    );
    expect(textOf(await send(textMessage(cora, "/factory lst")))).toBe(
      "/factory lst does not exist. Did you mean /factory list?",
    );
  });
});
