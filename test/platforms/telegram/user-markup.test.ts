// A factory named with the reply markup's own markers (and HTML's specials) through the real grammY
// path: every answer must still be HTML Telegram accepts (the loopback Telegram refuses what the
// real one would), showing the name as typed, bold where the list puts names in bold, nothing more.
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { type FakeTelegram, methodOf, startFakeTelegram } from "#test/helpers/fake-telegram.ts";
import type { CapturedRequest } from "#test/helpers/loopback.ts";
import { startTestBot } from "#test/helpers/telegram-bot.ts";
import { assertWellFormedTelegramHtml, parseTelegramHtml } from "#test/helpers/telegram-html.ts";
import { type Member, textMessage } from "#test/helpers/telegram-updates.ts";

const cora: Member = { id: 318485600, first_name: "Cora <3 **", username: "cora" };
const NAME = "a`b**c`d <&> _x_";
const TASK = "T**1`";
const APP = "App<1>";

describe("members' markup characters on Telegram", () => {
  let test: TestApp;
  let telegram: FakeTelegram;
  let bot: Bot;

  beforeAll(async () => {
    test = await createTestApp("pglite");
    telegram = await startFakeTelegram();
    bot = await startTestBot(test, telegram);
  });

  afterAll(async () => {
    await telegram?.close();
    await test?.close();
  });

  /** The one message an update is answered with. */
  async function answer(update: Update): Promise<CapturedRequest> {
    const mark = telegram.api.requests.length;
    await bot.handleUpdate(update);
    const calls = telegram.api.since(mark).filter((c) => methodOf(c) !== "getMe");
    expect(calls.map(methodOf)).toEqual(["sendMessage"]);
    expect(calls[0]!.body!.parse_mode).toBe("HTML");
    return calls[0]!;
  }

  const bolds = (html: string) => {
    const { text, entities } = parseTelegramHtml(html);
    return entities.filter((e) => e.tag === "b").map((e) => text.slice(e.start, e.end));
  };

  it("creates, lists and shows (info) a factory named a`b**c`d <&> _x_ in HTML Telegram accepts", async () => {
    const created = await answer(
      textMessage(
        cora,
        `/factory create name:"${NAME}" token:USDC bid:0.2 task:"${TASK}" app:"${APP}" objectives:"Open *it*; Build"`,
      ),
    );
    const card = assertWellFormedTelegramHtml(String(created.body!.text));
    expect(card).toContain(`• task_1: ${TASK} in ${APP} — Open *it*; Build`);
    expect(bolds(String(created.body!.text))).toEqual([`Factory #1 "${NAME}" created`, TASK]);

    const listed = await answer(textMessage(cora, "/factory list"));
    const list = assertWellFormedTelegramHtml(String(listed.body!.text));
    expect(list).toMatch(new RegExp(`^Factories\\n#1 ${escapeRegExp(NAME)} — bid 0\\.2 USDC`));
    expect(bolds(String(listed.body!.text))).toEqual(["Factories", NAME]);

    const viewed = await answer(textMessage(cora, "/factory info factory:1"));
    expect(assertWellFormedTelegramHtml(String(viewed.body!.text))).toContain(
      `Factory #1: ${NAME}\nStatus: waiting for its first funding`,
    );
  });
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
