// Chat platforms (src/platforms): each runs when its settings are present.
import { z } from "zod";
import { apiBaseUrl, durationSeconds, optional, type SliceConfig, secret } from "./settings.ts";

const snowflake = optional(z.string().regex(/^\d{17,20}$/, "expected a Discord id (17-20 digits)"));

export const platformsSettings = {
  /** The bot token from the Discord developer portal (Bot tab). Runs the gateway front end. */
  DISCORD_TOKEN: secret(
    optional(z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]+$/, "expected a Discord bot token")),
  ),
  /** The application id (General Information); found from the token when not set. */
  DISCORD_APPLICATION_ID: snowflake,
  /** The application's public key: turns on the HTTP interactions endpoint. */
  DISCORD_PUBLIC_KEY: optional(z.string().regex(/^[0-9a-f]{64}$/i, "expected 64 hexadecimal characters")),
  /** gateway or http; by default http when DISCORD_PUBLIC_KEY is set, otherwise gateway. */
  DISCORD_MODE: optional(z.enum(["gateway", "http"])),
  /**
   * Gateway sharding: the shard ids this process runs, e.g. `0,1` or `4-7`; empty: every shard
   * (discord.js's default: all of DISCORD_SHARD_COUNT, or the count Discord recommends).
   */
  DISCORD_SHARD_IDS: optional(
    z
      .string()
      .trim()
      .regex(/^\d{1,5}(-\d{1,5})?(\s*,\s*\d{1,5}(-\d{1,5})?)*$/, "expected shard ids such as 0,1 or 4-7")
      .transform(shardIds),
  ),
  /** Gateway sharding: the total number of shards across every process; empty: Discord's recommendation. */
  DISCORD_SHARD_COUNT: optional(z.coerce.number().int().min(1).max(10_000)),
  /** `npm run deploy-commands` registers to this server only (instantly) instead of globally. */
  DISCORD_GUILD_ID: snowflake,
  /**
   * Personal referral invites (/referral link) and attributing the members who join through them.
   * Needs the privileged Server Members intent switched on in the developer portal (Bot tab), and
   * the bot's Create Invite and Manage Server permissions; gateway mode only.
   */
  DISCORD_INVITE_TRACKING: z
    .enum(["true", "false", "on", "off", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "on" || v === "1"),
  /**
   * A command answered within this many milliseconds of its arrival goes in the first answer itself
   * (the HTTP response, or a direct reply over the gateway); a slower one is deferred and edited
   * in. Discord waits 3 s, network included.
   */
  DISCORD_INLINE_ANSWER_MS: z.coerce.number().int().min(0).max(2500).default(2000),
  /**
   * Discord commands run at once by this process; the rest wait their turn (deferred at once).
   * 0: no limit; unset: 2 on PGlite, 8 on PostgreSQL.
   */
  DISCORD_COMMANDS_IN_FLIGHT: optional(z.coerce.number().int().min(0).max(10_000)),
  /** Discord's REST base URL, for a proxy. */
  DISCORD_API_BASE: apiBaseUrl("https://discord.com/api"),
  /** The token from @BotFather. Runs the Telegram front end. */
  TELEGRAM_BOT_TOKEN: secret(
    optional(z.string().regex(/^\d+:[\w-]{20,}$/, "expected a token like 123456:ABC-...")),
  ),
  /** The Bot API root, for a local Bot API server. */
  TELEGRAM_API_ROOT: apiBaseUrl("https://api.telegram.org"),
  /** polling or webhook; by default webhook when TELEGRAM_WEBHOOK_URL is set, otherwise polling. */
  TELEGRAM_MODE: optional(z.enum(["polling", "webhook"])),
  /** The public https URL Telegram posts updates to (its path is served on HTTP_PORT). */
  TELEGRAM_WEBHOOK_URL: optional(z.url({ protocol: /^https?$/, error: "expected an https:// URL" })),
  /** Sent by Telegram with every webhook update; anything without it is refused. */
  TELEGRAM_WEBHOOK_SECRET: secret(
    optional(
      z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, "expected 16-256 characters of A-Z, a-z, 0-9, _ and -"),
    ),
  ),
  /** The HTTP server for the Discord interactions endpoint and the Telegram webhook. */
  HTTP_HOST: z.string().min(1).default("0.0.0.0"),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** How long downloading a user's file (an attachment, a Telegram document) may take. */
  ATTACHMENT_TIMEOUT_SECONDS: durationSeconds(30),
};

export type PlatformsConfig = SliceConfig<typeof platformsSettings>;

/** "0,2-4" -> [0, 2, 3, 4], in order, without repeats. */
function shardIds(text: string): number[] {
  const ids = new Set<number>();
  for (const part of text.split(",")) {
    const [from, to = from] = part.trim().split("-").map(Number) as [number, number?];
    for (let id = from; id <= to; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** How Discord is reached, if at all: the gateway (a bot token) or the HTTP interactions endpoint. */
export function discordMode(
  config: Pick<PlatformsConfig, "DISCORD_MODE" | "DISCORD_PUBLIC_KEY" | "DISCORD_TOKEN">,
): "gateway" | "http" | undefined {
  if (config.DISCORD_MODE) return config.DISCORD_MODE;
  if (config.DISCORD_PUBLIC_KEY) return "http";
  return config.DISCORD_TOKEN ? "gateway" : undefined;
}

/** How Telegram updates arrive, if the bot runs there: long polling or a webhook. */
export function telegramMode(
  config: Pick<PlatformsConfig, "TELEGRAM_BOT_TOKEN" | "TELEGRAM_MODE" | "TELEGRAM_WEBHOOK_URL">,
): "polling" | "webhook" | undefined {
  if (!config.TELEGRAM_BOT_TOKEN) return undefined;
  return config.TELEGRAM_MODE ?? (config.TELEGRAM_WEBHOOK_URL ? "webhook" : "polling");
}

/** The chat platforms' settings that only make sense together. */
export function chatPlatformProblems(config: PlatformsConfig): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  const discord = discordMode(config);
  if (discord === "gateway" && !config.DISCORD_TOKEN)
    problems.push(["DISCORD_TOKEN", "the gateway (DISCORD_MODE=gateway) needs the bot token"]);
  if (discord === "http" && !config.DISCORD_PUBLIC_KEY)
    problems.push([
      "DISCORD_PUBLIC_KEY",
      "the HTTP interactions endpoint needs the application's public key",
    ]);
  const shards = config.DISCORD_SHARD_IDS;
  if (shards && config.DISCORD_SHARD_COUNT === undefined)
    problems.push([
      "DISCORD_SHARD_COUNT",
      "DISCORD_SHARD_IDS needs the total count of shards across processes",
    ]);
  if (
    shards &&
    config.DISCORD_SHARD_COUNT !== undefined &&
    shards.some((id) => id >= config.DISCORD_SHARD_COUNT!)
  )
    problems.push([
      "DISCORD_SHARD_IDS",
      `shard ids run from 0 to DISCORD_SHARD_COUNT - 1 (${config.DISCORD_SHARD_COUNT - 1})`,
    ]);
  if ((shards || config.DISCORD_SHARD_COUNT !== undefined) && discord === "http")
    problems.push([
      "DISCORD_SHARD_IDS",
      "sharding is for the gateway; the HTTP endpoint has no shards (unset it, or DISCORD_MODE=gateway)",
    ]);
  if (config.TELEGRAM_MODE && !config.TELEGRAM_BOT_TOKEN)
    problems.push(["TELEGRAM_BOT_TOKEN", "TELEGRAM_MODE is set but there is no bot token"]);
  if (telegramMode(config) === "webhook") {
    if (!config.TELEGRAM_WEBHOOK_URL)
      problems.push(["TELEGRAM_WEBHOOK_URL", "webhook mode needs the public URL Telegram posts to"]);
    if (!config.TELEGRAM_WEBHOOK_SECRET)
      problems.push(["TELEGRAM_WEBHOOK_SECRET", "webhook mode needs a secret so forged updates are refused"]);
  }
  return problems;
}
