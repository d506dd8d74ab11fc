// Starts the chat front ends the settings ask for: Discord (over the gateway or the HTTP
// interactions endpoint) when DISCORD_TOKEN or DISCORD_PUBLIC_KEY is set, Telegram (long polling or
// webhook) when TELEGRAM_BOT_TOKEN is set, both when both are. main.ts runs the console when this
// starts nothing. Each registers its PlatformSender with the notifier.
// A platform's modules (discord.js, grammY: together about 60 MiB and half a second of start-up)
// are imported only when its settings are present.
import type { App } from "#src/app.ts";
import { discordMode, type PlatformsConfig, telegramMode } from "#src/config/platforms.ts";
import type { Dispatcher } from "#src/core/dispatch.ts";
import { DOWNLOAD_PREFIX } from "#src/datasets/signed-link.ts";
import type { Logger } from "#src/log.ts";
import { databaseChecks } from "#src/ops/readiness.ts";
import { DEFAULT_COMMANDS_IN_FLIGHT } from "./admission.ts";
import { type HttpLimits, HttpServer } from "./http-server.ts";
import { loggable } from "./loggable.ts";
import type { StartupRetry } from "./telegram/startup.ts";

export const DISCORD_INTERACTIONS_PATH = "/discord/interactions";
const TELEGRAM_UPDATES = ["message", "callback_query"] as const;

export interface RunningFrontEnds {
  /** "discord (gateway)", "telegram (webhook)", …: what runs, for the start-up log. */
  names: string[];
  /** The HTTP server's port, when one runs. */
  httpPort?: number;
  /** The separate metrics listener's port (METRICS_PORT), when one runs. */
  metricsPort?: number;
  /**
   * Shutdown's first half: takes no new events (HTTP answers 503, the Telegram runner stops
   * fetching, the gateway's interactions are left alone) and resolves once every event under way
   * has been answered. The work commands left in the background (grading) is the app's to drain.
   */
  drain(): Promise<void>;
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
  /** Each front end's "take nothing new, finish what is under way", run together on shutdown. */
  const drains: Array<() => Promise<unknown>> = [];
  const http = new HttpServer(log, options.httpLimits);
  http.readiness(databaseChecks(app.db)).observe(httpObserver(app, config));
  let metricsServer: HttpServer | undefined;
  const metricsEndpoint = {
    render: () => app.metrics.render(),
  };
  if (config.METRICS_TOKEN) {
    app.metrics.collectProcessMetrics();
    http.metrics({ ...metricsEndpoint, token: config.METRICS_TOKEN });
  }
  const attachmentTimeoutMs = config.ATTACHMENT_TIMEOUT_SECONDS * 1000;
  try {
    const discord = discordMode(config);
    if (discord) {
      const [
        { createDiscordClient },
        { CommandIds },
        { FollowUpRoutes },
        { interactionsEndpoint },
        { DiscordFrontEnd },
        { discordInviteGateway, trackInviteJoins },
        { discordSender },
      ] = await Promise.all([
        import("./discord/client.ts"),
        import("./discord/command-ids.ts"),
        import("./discord/follow-ups.ts"),
        import("./discord/http-interactions.ts"),
        import("./discord/interactions.ts"),
        import("./discord/invite-tracking.ts"),
        import("./discord/sender.ts"),
      ]);
      // Joins arrive over the gateway only, and the REST calls need the bot token.
      const inviteTracking =
        config.DISCORD_INVITE_TRACKING && discord === "gateway" && Boolean(config.DISCORD_TOKEN);
      if (config.DISCORD_INVITE_TRACKING && !inviteTracking)
        log.warn(
          "DISCORD_INVITE_TRACKING needs the gateway (DISCORD_TOKEN, not the HTTP endpoint): left off",
        );
      const client = createDiscordClient({
        apiBase: config.DISCORD_API_BASE,
        ...(config.DISCORD_TOKEN ? { token: config.DISCORD_TOKEN } : {}),
        inviteTracking,
        ...(config.DISCORD_SHARD_IDS ? { shards: config.DISCORD_SHARD_IDS } : {}),
        ...(config.DISCORD_SHARD_COUNT ? { shardCount: config.DISCORD_SHARD_COUNT } : {}),
      });
      if (inviteTracking) {
        services.referralInvites.register(discordInviteGateway(client.rest));
        trackInviteJoins(client, services.referralInvites, log);
      }
      const followUps = new FollowUpRoutes(services.clock);
      const commandIds = new CommandIds((path) =>
        dispatcher.commands.leaves().some((l) => l.path.join(" ") === path),
      );
      const front = new DiscordFrontEnd(dispatcher, {
        log,
        attachmentTimeoutMs,
        followUps,
        commandIds,
        inlineAnswerMs: config.DISCORD_INLINE_ANSWER_MS,
        commandsInFlight: config.DISCORD_COMMANDS_IN_FLIGHT ?? DEFAULT_COMMANDS_IN_FLIGHT[services.db.kind],
      });
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
          interactionsEndpoint({
            client,
            front,
            publicKey: config.DISCORD_PUBLIC_KEY!,
            log,
            inlineAnswerMs: config.DISCORD_INLINE_ANSWER_MS,
          }),
        );
      } else {
        await client.login(config.DISCORD_TOKEN);
        // Every shard of this process connected (discord.js reconnects a dropped one itself).
        http.readiness({
          discord: () => (client.isReady() ? undefined : "gateway not connected (shards reconnecting)"),
        });
      }
      drains.push(async () => {
        front.stopAccepting();
        await front.idle();
      });
      stops.push(async () => {
        await front.idle();
        await client.destroy();
      });
      names.push(`discord (${discord})`);
    }

    const telegram = telegramMode(config);
    if (telegram) {
      const [
        { run },
        { Api },
        { createBot },
        { setTelegramMenus, telegramMenus },
        { telegramSender },
        { apiSignal, startupCaller },
        { telegramWebhook },
      ] = await Promise.all([
        import("@grammyjs/runner"),
        import("grammy"),
        import("./telegram/bot.ts"),
        import("./telegram/menu.ts"),
        import("./telegram/sender.ts"),
        import("./telegram/startup.ts"),
        import("./telegram/webhook.ts"),
      ]);
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
        http.readiness({ telegram: () => (runner.isRunning() ? undefined : "long polling stopped") });
        // Stopping the runner stops fetching and waits for the updates it is handling.
        const stopRunner = async () => {
          if (runner.isRunning()) await runner.stop();
        };
        drains.push(stopRunner);
        stops.push(stopRunner);
      }
      names.push(`telegram (${telegram})`);
    }

    if (names.length === 0) return undefined;
    // Signed dataset download links point here (PUBLIC_URL); with S3 they may be presigned instead.
    if (config.PUBLIC_URL) http.routePrefix(DOWNLOAD_PREFIX, services.datasets.downloadRoute(log));
    // The HTTP server runs for the platforms' endpoints, or for /metrics (and with it /healthz
    // and /readyz) when a token guards it.
    const httpPort =
      http.paths.length > 0 || config.METRICS_TOKEN
        ? await http.listen(config.HTTP_HOST, config.HTTP_PORT)
        : undefined;
    stops.unshift(() => http.close());
    if (config.METRICS_PORT !== undefined) {
      app.metrics.collectProcessMetrics();
      metricsServer = new HttpServer(log, options.httpLimits).metrics({
        ...metricsEndpoint,
        token: undefined,
      });
      const server = metricsServer;
      stops.push(() => server.close());
    }
    const metricsPort = await metricsServer?.listen(config.METRICS_HOST, config.METRICS_PORT!);
    log.info({ frontEnds: names, httpPort, metricsPort }, "front ends running");
    return {
      names,
      ...(httpPort === undefined ? {} : { httpPort }),
      ...(metricsPort === undefined ? {} : { metricsPort }),
      // The HTTP server first refuses new requests, while each front end finishes its own.
      drain: async () => {
        await Promise.all([http.drain(), ...drains.map((drain) => drain())]);
      },
      stop: () => stopAll(stops, log),
    };
  } catch (error) {
    await stopAll(stops, log);
    throw error;
  }
}

/** Ack latency, failed requests and drain refusals for the metrics, by the route's platform. */
function httpObserver(app: App, config: App["config"]) {
  const telegramPath = config.TELEGRAM_WEBHOOK_URL
    ? new URL(config.TELEGRAM_WEBHOOK_URL).pathname
    : undefined;
  const platformOf = (path: string) =>
    path === DISCORD_INTERACTIONS_PATH ? "discord" : path === telegramPath ? "telegram" : "other";
  const { metrics } = app;
  return {
    answered: (path: string, status: number, seconds: number) => {
      if (status < 400) metrics.ackSeconds.observe({ platform: platformOf(path) }, seconds);
    },
    failed: () => metrics.internalErrors.inc({ source: "http" }),
    refusedDraining: (path: string) => metrics.rejectedWhileDraining.inc({ path }),
  };
}

async function stopAll(stops: Array<() => Promise<unknown>>, log: Logger): Promise<void> {
  for (const stop of stops.splice(0)) {
    await stop().catch((error: unknown) =>
      log.warn({ err: loggable(error) }, "a front end did not stop cleanly"),
    );
  }
}
