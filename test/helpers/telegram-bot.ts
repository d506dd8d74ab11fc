// The real grammY bot of a test app, pointed at the fake Bot API and initialised, as the Telegram
// front end builds it: the tests that drive the bot with raw updates start it this one way.
import type { Bot } from "grammy";
import type { Dispatcher } from "#src/core/dispatch.ts";
import { silentLogger } from "#src/log.ts";
import { createBot } from "#src/platforms/telegram/bot.ts";
import type { TestApp } from "./app.ts";
import { type FakeTelegram, TELEGRAM_TOKEN } from "./fake-telegram.ts";

export async function startTestBot(test: TestApp, telegram: FakeTelegram): Promise<Bot> {
  const { services } = test.app;
  const bot = createBot({
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
  await bot.init();
  return bot;
}
