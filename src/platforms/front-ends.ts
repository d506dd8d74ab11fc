// Starts the chat front ends the settings ask for: Discord (over the gateway or the HTTP
// interactions endpoint) when DISCORD_TOKEN or DISCORD_PUBLIC_KEY is set, Telegram (long polling or
// webhook) when TELEGRAM_BOT_TOKEN is set, both when both are. main.ts runs the console when this
// starts nothing. Each registers its PlatformSender with the notifier.
import { run } from "@grammyjs/runner";
import { Api } from "grammy";
import type { App } from "#src/app.ts";
import { discordMode, type PlatformsConfig, telegramMode } from "#src/config/platforms.ts";
import type { Dispatcher } from "#src/core/dispatch.ts";
import type { Logger } from "#src/log.ts";
import { createDiscordClient } from "./discord/client.ts";
import { CommandIds } from "./discord/command-ids.ts";
import { FollowUpRoutes } from "./discord/follow-ups.ts";
import { interactionsEndpoint } from "./discord/http-interactions.ts";
import { DiscordFrontEnd } from "./discord/interactions.ts";
import { discordSender } from "./discord/sender.ts";
import { type HttpLimits, HttpServer } from "./http-server.ts";
import { loggable } from "./loggable.ts";
import { createBot } from "./telegram/bot.ts";
import { setTelegramMenus, telegramMenus } from "./telegram/menu.ts";
import { telegramSender } from "./telegram/sender.ts";
import { apiSignal, type StartupRetry, startupCaller } from "./telegram/startup.ts";
import { telegramWebhook } from "./telegram/webhook.ts";

export const DISCORD_INTERACTIONS_PATH = "/discord/interactions";
const TELEGRAM_UPDATES = ["message", "callback_query"] as const;

export interface RunningFrontEnds {
  /** "discord (gateway)", "telegram (webhook)", …: what runs, for the start-up log. */
  names: string[];
  /** The HTTP server's port, when one runs. */
  httpPort?: number;
  stop(): Promise<void>;
}

/** Whether any chat platform is configured (otherwise main.ts opens the console). */
export function chatPlatformsConfigured(config: PlatformsConfig): boolean {
  return discordMode(config) !== undefined || telegramMode(config) !== undefined;
}

export interface FrontEndOptions {
  /** How the Bot API calls at start-up are retried (tests shorten it). */
  telegramStartup?: Partial<StartupRetry>;
  httpLimits?: Partial<HttpLimits>;
}

export async function startFrontEnds(
  app: App,
  log: Logger,
  options: FrontEndOptions = {},
): Promise<RunningFrontEnds | undefined> {
  const { config, services } = app;
  // Front ends see the dispatcher without the commands' service type.
  const dispatcher = app.dispatcher as unknown as Dispatcher<unknown>;
  const names: string[] = [];
  const stops: Array<() => Promise<unknown>> = [];
  const http = new HttpServer(log, options.httpLimits);
  const attachmentTimeoutMs = config.ATTACHMENT_TIMEOUT_SECONDS * 1000;
  try {
    const discord = discordMode(config);
    if (discord) {
      const client = createDiscordClient({
        apiBase: config.DISCORD_API_BASE,
        ...(config.DISCORD_TOKEN ? { token: config.DISCORD_TOKEN } : {}),
      });
      const followUps = new FollowUpRoutes(services.clock);
      const commandIds = new CommandIds((path) =>
        dispatcher.commands.leaves().some((l) => l.path.join(" ") === path),
      );
      const front = new DiscordFrontEnd(dispatcher, { log, attachmentTimeoutMs, followUps, commandIds });
      front.attach(client);
      // Notices follow up on the member's latest interaction in either mode; direct messages and
      // channel posts need the bot token.
      const hasBotToken = Boolean(config.DISCORD_TOKEN);
      services.notifier.register(discordSender(client.rest, { followUps, hasBotToken, commandIds }));
      // With a token, the commands' ids are read now; without, each is learned when first used.
      if (hasBotToken) void commandIds.load(client.rest, log);
      if (discord === "http") {
        http.route(
          DISCORD_INTERACTIONS_PATH,
          interactionsEndpoint({ client, front, publicKey: config.DISCORD_PUBLIC_KEY!, log }),
        );
      } else {
        await client.login(config.DISCORD_TOKEN);
      }
      stops.push(async () => {
        await front.idle();
        await client.destroy();
      });
      names.push(`discord (${discord})`);
    }

    const telegram = telegramMode(config);
    if (telegram) {
      const bot = createBot({
        token: config.TELEGRAM_BOT_TOKEN!,
        apiRoot: config.TELEGRAM_API_ROOT,
        dispatcher,
        actions: services.actions,
        db: services.db.prisma,
        clock: services.clock,
        ensureUser: (user) => services.identity.ensureUser(user),
        log,
        attachmentTimeoutMs,
      });
      const call = startupCaller({
        log,
        apiRoot: config.TELEGRAM_API_ROOT,
        token: config.TELEGRAM_BOT_TOKEN!,
        ...(options.telegramStartup ? { retry: options.telegramStartup } : {}),
      });
      // Start-up calls go through an Api of their own: the bot's retries network errors without
      // end and without a word (bot.init too), which is right for a running bot, not for start-up.
      const setupApi = new Api(config.TELEGRAM_BOT_TOKEN!, { apiRoot: config.TELEGRAM_API_ROOT });
      bot.botInfo = await call("getMe", (signal) => setupApi.getMe(apiSignal(signal)));
      const moderators = config.MODERATORS.filter((m) => m.platform === "telegram").map((m) => m.id);
      const menus = telegramMenus(dispatcher.commands.all(), moderators);
      await call("setMyCommands", (signal) => setTelegramMenus(setupApi, menus, signal));
      services.notifier.register(telegramSender(bot.api));
      const allowed_updates = [...TELEGRAM_UPDATES];
      if (telegram === "webhook") {
        const url = new URL(config.TELEGRAM_WEBHOOK_URL!);
        http.route(
          url.pathname,
          telegramWebhook(bot, { secretToken: config.TELEGRAM_WEBHOOK_SECRET!, timeoutMilliseconds: 9_000 }),
        );
        await call("setWebhook", (signal) =>
          setupApi.setWebhook(
            url.href,
            { secret_token: config.TELEGRAM_WEBHOOK_SECRET!, allowed_updates },
            apiSignal(signal),
          ),
        );
      } else {
        // A webhook left from an earlier webhook deployment would make getUpdates fail.
        await call("deleteWebhook", (signal) => setupApi.deleteWebhook(undefined, apiSignal(signal)));
        const runner = run(bot, { runner: { fetch: { allowed_updates } } });
        stops.push(async () => {
          if (runner.isRunning()) await runner.stop();
        });
      }
      names.push(`telegram (${telegram})`);
    }

    if (names.length === 0) return undefined;
    const httpPort =
      http.paths.length > 0 ? await http.listen(config.HTTP_HOST, config.HTTP_PORT) : undefined;
    stops.unshift(() => http.close());
    log.info({ frontEnds: names, httpPort }, "front ends running");
    return { names, ...(httpPort === undefined ? {} : { httpPort }), stop: () => stopAll(stops, log) };
  } catch (error) {
    await stopAll(stops, log);
    throw error;
  }
}

async function stopAll(stops: Array<() => Promise<unknown>>, log: Logger): Promise<void> {
  for (const stop of stops.splice(0)) {
    await stop().catch((error: unknown) =>
      log.warn({ err: loggable(error) }, "a front end did not stop cleanly"),
    );
  }
}
