// The environment, read once at start-up and validated. A bad value stops the bot with a message
// naming the variable and what it expects. Every setting is listed, with a comment, in .env.example.
import { PublicKey } from "@solana/web3.js";
import { Decimal } from "decimal.js";
import { z } from "zod";
import { Secret } from "./chain/secret.ts";
import { parseTreasuryKey, readTreasuryKeyFile, TreasuryKeyError } from "./chain/treasury.ts";
import { isValidCron } from "./epochs/schedule.ts";
import { redactUrlsIn, urlCredentials } from "./redact.ts";

const PLATFORMS = ["discord", "telegram", "console"] as const;

/**
 * The most DEMO_MAX_BYTES may be: the largest file Discord accepts from a boosted server. /submit
 * refuses anything above it before downloading, and anything above DEMO_MAX_BYTES from the size the
 * platform reports, also before downloading.
 */
export const DEMO_UPLOAD_CEILING_BYTES = 500 * 1024 * 1024;
export type Platform = (typeof PLATFORMS)[number];

/** `platform:id` pairs, e.g. `discord:81234,telegram:5551234,console:alice`. */
const platformIdList = z
  .string()
  .default("")
  .transform((raw, ctx) => {
    const ids: Array<{ platform: Platform; id: string }> = [];
    for (const item of raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [platform, id] = item.split(":", 2) as [string, string | undefined];
      if (!PLATFORMS.includes(platform as Platform) || !id) {
        ctx.addIssue({
          code: "custom",
          message: `expected platform:id pairs separated by commas (platform is discord, telegram or console); "${item}" is not one`,
        });
        return z.NEVER;
      }
      ids.push({ platform: platform as Platform, id });
    }
    return ids;
  });

const databaseUrl = z
  .string()
  .min(1)
  .default("./data/forgebot")
  .refine((url) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^(postgres(ql)?|memory|file):\/\//i.test(url), {
    message:
      "expected postgresql://user:password@host:port/database, memory://, or a directory for the embedded database",
  });

/**
 * `job=value` pairs separated by semicolons (cron lists use commas), for settings given per job.
 * `parse` returns the value's setting, or undefined when the value is not one; `expected` says what
 * a good setting looks like, for the message that stops the bot.
 */
function perJob<T>(parse: (value: string) => T | undefined, expected: string) {
  return z
    .string()
    .default("")
    .transform((raw, ctx) => {
      const byJob: Record<string, T> = {};
      for (const item of raw
        .split(";")
        .map((s) => s.trim())
        .filter(Boolean)) {
        const at = item.indexOf("=");
        const name = item.slice(0, at).trim();
        const value = at > 0 ? parse(item.slice(at + 1).trim()) : undefined;
        if (at <= 0 || !/^[a-z][a-z0-9-]*$/.test(name) || value === undefined) {
          ctx.addIssue({ code: "custom", message: `${expected}; "${item}" is not one` });
          return z.NEVER;
        }
        byJob[name] = value;
      }
      return byJob;
    });
}

/** `job=cron expression` pairs; `off` disables a job. */
const jobSchedules = perJob((value) => {
  const expression = value.replace(/\s+/g, " ");
  return expression === "off" || isValidCron(expression) ? expression : undefined;
}, 'expected job=cron pairs separated by semicolons, e.g. "withdrawals=*/5 * * * *; arena-emission=0 0 * * *" (UTC; "off" disables a job)');

/** The longest timeout a job may have: a week, well within what a timer can wait. */
const MAX_JOB_TIMEOUT_SECONDS = 7 * 86_400;

/** `job=seconds` pairs, like JOB_SCHEDULES: how long a run of a job may take. */
const jobTimeouts = perJob((value) => {
  const seconds = Number(value);
  return /^\d+$/.test(value) && seconds >= 1 && seconds <= MAX_JOB_TIMEOUT_SECONDS ? seconds : undefined;
}, `expected job=seconds pairs separated by semicolons, e.g. "withdrawals=300; arena-emission=7200" (whole seconds from 1 to ${MAX_JOB_TIMEOUT_SECONDS})`);

/** `platform:id` of a channel, e.g. `discord:1234567890123456789` or `telegram:-1001234567890`. */
const channelRef = z
  .string()
  .trim()
  .regex(/^(discord|telegram|console):\S+$/, "expected platform:channelId, e.g. discord:1234567890123456789")
  .transform((text) => {
    const at = text.indexOf(":");
    return { platform: text.slice(0, at) as Platform, id: text.slice(at + 1) };
  });
/** A percentage 0..100 as an exact decimal string. */
const percent = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((text) => /^\d+(\.\d+)?$/.test(text) && Number(text) <= 100, {
      message: "expected a percentage from 0 to 100, e.g. 10 or 2.5",
    });

const durationSeconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A plain decimal (digits, one point) within bounds, kept as text so no float ever holds it. */
const decimalSetting = (fallback: string, bounds: { min?: string; max?: string; exclusiveMin?: boolean }) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((text) => /^\d+(\.\d+)?$/.test(text), { message: "expected a decimal number such as 0.5" })
    .refine(
      (text) => {
        if (!/^\d+(\.\d+)?$/.test(text)) return true; // reported by the check above
        const value = new Decimal(text);
        if (bounds.min !== undefined && (bounds.exclusiveMin ? value.lte(bounds.min) : value.lt(bounds.min)))
          return false;
        return bounds.max === undefined || value.lte(bounds.max);
      },
      {
        message: `expected a number ${bounds.exclusiveMin ? "above" : "from"} ${bounds.min ?? "0"}${bounds.max === undefined ? "" : ` to ${bounds.max}`}`,
      },
    );

/**
 * A secret setting (a token, a key, a URL that is itself a credential): its value is censored in
 * every log line and never echoed in a configuration error. Only settings wrapped in this are
 * secret; the name decides nothing (ARENA_TOKEN is a token symbol, shown like any setting).
 */
const secret = <T extends z.ZodType>(schema: T): T => schema.meta({ secret: true });

/** An optional setting: unset and empty (`NAME=` in .env) both mean "not set". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    schema.optional(),
  );

const solanaAddress = z
  .string()
  .trim()
  .refine(
    (text) => {
      try {
        return new PublicKey(text).toBase58() === text;
      } catch {
        return false;
      }
    },
    { message: "expected a Solana address (base58, 32 bytes)" },
  );

const snowflake = optional(z.string().regex(/^\d{17,20}$/, "expected a Discord id (17-20 digits)"));

const httpUrl = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((url) => /^https?:\/\/[^\s/]+/i.test(url), { message: "expected an http:// or https:// URL" })
    .transform((url) => url.replace(/\/+$/, ""));

export const configSchema = z
  .object({
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    MODERATORS: platformIdList,
    /** How long a /link code stays valid. */
    LINK_CODE_TTL_SECONDS: durationSeconds(600),
    /** How long a Confirm button stays valid after the preview. */
    CONFIRMATION_TTL_SECONDS: durationSeconds(900),
    /** Extra tokens, `SYMBOL:decimals[:mint]` separated by commas, beside USDC, SOL, CLONES, VIRAL and ETH. */
    EXTRA_TOKENS: z
      .string()
      .default("")
      .transform((raw, ctx) => {
        const tokens: Array<{ symbol: string; decimals: number; mint?: string }> = [];
        for (const item of raw
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)) {
          const [symbol = "", decimals = "", mint] = item.split(":");
          if (!/^[A-Z][A-Z0-9]{1,11}$/.test(symbol) || !/^\d{1,2}$/.test(decimals) || Number(decimals) > 30) {
            ctx.addIssue({
              code: "custom",
              message: `expected SYMBOL:decimals[:mint] items (symbol 2-12 capitals or digits, decimals 0-30); "${item}" is not one`,
            });
            return z.NEVER;
          }
          tokens.push({ symbol, decimals: Number(decimals), ...(mint ? { mint } : {}) });
        }
        return tokens;
      }),
    /** The bot's name, as the wallet-link message names it. */
    BOT_NAME: z.string().trim().min(1).max(64).default("Forgebot"),
    /** A Solana JSON-RPC endpoint; without one the bot runs off-chain (moderators credit and debit). */
    SOLANA_RPC_URL: secret(
      optional(
        z
          .string()
          .trim()
          .refine((url) => /^https?:\/\/[^\s]+$/i.test(url), {
            message: "expected an http:// or https:// URL",
          }),
      ),
    ),
    /** The treasury's secret key, base58 or a JSON byte array; kept out of every log and reply. */
    SOLANA_TREASURY_KEY: secret(optional(z.string().transform((key) => new Secret(key)))),
    /** ...or a file holding it (solana-keygen's JSON). */
    SOLANA_TREASURY_KEY_FILE: optional(z.string().trim()),
    /** The treasury's address without its key: deposits are verified, withdrawals are not sent. */
    SOLANA_TREASURY_ADDRESS: optional(solanaAddress),
    /** How long a /wallet link message can be signed and verified. */
    WALLET_CHALLENGE_TTL_SECONDS: durationSeconds(600),
    /** At most this many withdrawals per Solana transaction (fewer if they would not fit). */
    WITHDRAWAL_BATCH_SIZE: z.coerce.number().int().min(1).max(20).default(8),
    /** A withdrawal whose batches expired unsent this many times fails, and its money is returned. */
    WITHDRAWAL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),

    // --- Periodic jobs (src/epochs) ---
    /** on: this process ticks the periodic jobs (several processes may: each period runs once). */
    SCHEDULER: z.enum(["on", "off"]).default("on"),
    /** Schedules replacing the jobs' defaults, `job=cron` separated by semicolons (UTC). */
    JOB_SCHEDULES: jobSchedules,
    /** A run whose process stopped renewing its heartbeat for this long is resumed by another. */
    JOB_LEASE_SECONDS: durationSeconds(60),
    /** A failed period is retried on later ticks until it has been tried this many times. */
    JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
    /** At most this many missed periods per job are caught up (the most recent ones). */
    JOB_MAX_CATCH_UP: z.coerce.number().int().min(1).max(10_000).default(30),
    /** How long a run may take for a job without a timeout of its own (src/jobs.ts has them). */
    JOB_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(MAX_JOB_TIMEOUT_SECONDS).default(1800),
    /** Timeouts replacing the jobs' own, `job=seconds` separated by semicolons. */
    JOB_TIMEOUTS: jobTimeouts,
    /** Done job runs older than this many days are deleted (the job-runs-retention job). */
    JOB_RUNS_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(30),
    /**
     * Idempotency records older than this many days are deleted (the idempotency-retention job).
     * At least 2: Telegram redelivers an update for up to a day, and a replay must still find its key.
     */
    IDEMPOTENCY_RETENTION_DAYS: z.coerce
      .number()
      .int()
      .min(2, "keep idempotency records at least 2 days: platforms redeliver events for up to a day")
      .max(36_500)
      .default(7),
    /** Where job results are posted, `platform:channelId`; unset, they are only logged. */
    JOB_ANNOUNCE_CHANNEL: optional(channelRef),

    // --- The arena (src/arena): the staking game's daily emission and its parameters. ---
    /** The token staked in the arena and paid as its rewards. */
    ARENA_TOKEN: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z][A-Z0-9]{1,11}$/, "expected a token symbol such as CLONES")
      .default("CLONES"),
    /** E: what each epoch shares, in ARENA_TOKEN (e.g. 309157.68); 0 pays nothing. */
    ARENA_EMISSION: decimalSetting("0", { min: "0" }),
    /** gamma: the fixed part of the node/validator split, 0 to 0.5. */
    ARENA_GAMMA: decimalSetting("0", { min: "0", max: "0.5" }),
    /** alpha: the influence of stake on a share (t^alpha), above 0, at most 4. */
    ARENA_ALPHA: decimalSetting("1", { min: "0", max: "4", exclusiveMin: true }),
    /** eps: how much of delegated stake counts in the effective stake, 0 to 1. */
    ARENA_EPSILON: decimalSetting("1", { min: "0", max: "1" }),
    /** r: the rank ratio of rank mode (g = r^(rank - 1)), above 0, at most 1. */
    ARENA_RANK_RATIO: decimalSetting("0.8", { min: "0", max: "1", exclusiveMin: true }),
    /** rank (g from the rank by consensus score) or score (g is the consensus score itself). */
    ARENA_SCORE_MODE: z.enum(["rank", "score"]).default("rank"),
    // --- Ambassadors (src/economy/ambassadors/staking.ts, referrals.ts): docs/economy.md section 6. ---
    /** Days unstaked CLONES cool down (still counting for the tier) before they return; 0 returns them at once. */
    UNSTAKE_COOLDOWN_DAYS: z.coerce.number().int().min(0).max(365).default(7),
    /** The CLONES supply, in whole tokens: tier N needs a stake of N x 0.1% of it. */
    CLONES_SUPPLY: z
      .string()
      .trim()
      .default("1000000000")
      .refine((raw) => /^[1-9][0-9_,]{0,30}$/.test(raw), {
        message: "expected a whole number of CLONES, e.g. 1000000000",
      })
      .transform((raw) => BigInt(raw.replace(/[_,]/g, ""))),
    /** New referrals one ambassador may record per UTC day. */
    REFERRAL_DAILY_CAP: z.coerce.number().int().min(1).max(100000).default(25),
    /** Where a Discord or console referral link points, e.g. https://example.org/join (the code is appended as ?ref=). */
    REFERRAL_LINK_BASE: optional(
      z
        .string()
        .trim()
        .refine((url) => /^https?:\/\/[^\s]+$/i.test(url), {
          message: "expected an http:// or https:// URL",
        }),
    ),
    /** The Telegram bot's username (without @), for t.me referral deep links. */
    TELEGRAM_BOT_USERNAME: optional(
      z
        .string()
        .trim()
        .regex(/^@?[A-Za-z][A-Za-z0-9_]{3,31}$/, "expected a bot username like forge_bot")
        .transform((name) => name.replace(/^@/, "")),
    ),

    // --- Leaderboards and cards (src/leaderboards). ---
    /** Graded demonstrations a farmer needs in a period to be ranked by average quality. */
    LEADERBOARD_MIN_QUALITY_COUNT: z.coerce.number().int().min(1).max(10_000).default(5),
    /** The token money boards use when none is given. */
    LEADERBOARD_DEFAULT_TOKEN: z.string().trim().min(1).default("USDC"),
    /** A scheduled post not marked sent this long after its attempt began is retried by any process. */
    LEADERBOARD_POST_LEASE_SECONDS: z.coerce.number().int().min(10).max(3600).default(60),
    /** Attempts per scheduled post (the first included) before it is recorded failed. */
    LEADERBOARD_POST_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
    /** Send cards (PNG pictures) with leaderboards, profiles and pools; off: text replies only. */
    CARD_IMAGES: z
      .enum(["true", "false", "on", "off", "1", "0"])
      .default("true")
      .transform((v) => v === "true" || v === "on" || v === "1"),

    // --- Chat platforms (src/platforms): each runs when its settings are present. ---
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
    /** `npm run deploy-commands` registers to this server only (instantly) instead of globally. */
    DISCORD_GUILD_ID: snowflake,
    /** Discord's REST base URL, for a proxy. */
    DISCORD_API_BASE: httpUrl("https://discord.com/api"),
    /** The token from @BotFather. Runs the Telegram front end. */
    TELEGRAM_BOT_TOKEN: secret(
      optional(z.string().regex(/^\d+:[\w-]{20,}$/, "expected a token like 123456:ABC-...")),
    ),
    /** The Bot API root, for a local Bot API server. */
    TELEGRAM_API_ROOT: httpUrl("https://api.telegram.org"),
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

    // --- Factories and pools (docs/economy.md sections 2, 3 and 5) ---
    /** The fee policy new pools get: clones (fee on rewards) or forge (fee on deposits). */
    FEE_POLICY: z.enum(["clones", "forge"]).default("clones"),
    /** clones: percent of each reward kept as platform fee. */
    CLONES_REWARD_FEE_PERCENT: percent("10"),
    /** forge: percent of each deposit kept as platform fee. */
    FORGE_DEPOSIT_FEE_PERCENT: percent("20"),
    /** forge: the one-time setup fee, "AMOUNT TOKEN"; deducted from the deposit when it is the pool's token. */
    FORGE_SETUP_FEE: z
      .string()
      .trim()
      .default("250 USDC")
      .refine((text) => /^\d+(\.\d+)?\s+[A-Z0-9]{2,12}$/.test(text), {
        message: 'expected an amount and a token, e.g. "250 USDC" or "1 SOL"',
      }),
    /** Scores below this pay nothing (0-100). */
    QUALITY_THRESHOLD: z.coerce.number().int().min(0).max(100).default(50),
    /** How long a submission's reserved bid waits for its grade before it returns to the pool. */
    RESERVATION_TTL_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .default(168),
    /** VIRAL a creator must have staked to open a factory paying in their own token. */
    OWN_TOKEN_MIN_VIRAL_STAKE: z
      .string()
      .trim()
      .default("1000")
      .refine((text) => /^\d+(\.\d+)?$/.test(text), { message: "expected a VIRAL amount, e.g. 1000" }),
    /** How many demonstrations are graded at once in the background. */
    GRADING_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
    /** CLONES burned per XP boost, and what it buys. */
    XP_BOOST_PRICE: z
      .string()
      .trim()
      .default("100")
      .refine((text) => /^\d+(\.\d+)?$/.test(text), { message: "expected a CLONES amount, e.g. 100" }),
    XP_BOOST_MULTIPLIER: z.coerce.number().min(1).max(10).default(2),
    XP_BOOST_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(24),
    // --- Demonstrations and the quality agent (src/grading). ---
    /** The largest demonstration upload (meta.json, input_log.jsonl and the video, or their zip unpacked). */
    DEMO_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(DEMO_UPLOAD_CEILING_BYTES)
      .default(50 * 1024 * 1024),
    /** The largest input_log.jsonl. */
    DEMO_MAX_LOG_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(20 * 1024 * 1024),
    /** An external quality agent (see the README's "Quality agent"); unset: the built-in rubric grades. */
    GRADER_URL: optional(
      z
        .string()
        .trim()
        .refine((url) => /^https?:\/\/[^\s]+$/i.test(url), {
          message: "expected an http:// or https:// URL",
        }),
    ),
    /** Sent to GRADER_URL as `Authorization: Bearer <token>`. */
    GRADER_TOKEN: secret(optional(z.string().trim().min(1))),
    /** How long the external grader may take to answer, in milliseconds. */
    GRADER_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    /** When the external grader fails (timeout, error, a malformed or out-of-range answer): rubric or manual. */
    GRADER_FALLBACK: z.enum(["rubric", "manual"]).default("rubric"),
  })
  .superRefine((config, ctx) => {
    // The chat platforms: settings that only make sense together.
    for (const [path, message] of chatPlatformProblems(config))
      ctx.addIssue({ code: "custom", path: [path], message });
    // The treasury: one key source at most, readable, agreeing with the address if both are given.
    if (config.SOLANA_TREASURY_KEY && config.SOLANA_TREASURY_KEY_FILE) {
      ctx.addIssue({
        code: "custom",
        path: ["SOLANA_TREASURY_KEY_FILE"],
        message: "set SOLANA_TREASURY_KEY or SOLANA_TREASURY_KEY_FILE, not both",
      });
      return;
    }
    let address: string | undefined;
    try {
      if (config.SOLANA_TREASURY_KEY)
        address = parseTreasuryKey(config.SOLANA_TREASURY_KEY.reveal()).publicKey.toBase58();
      else if (config.SOLANA_TREASURY_KEY_FILE)
        address = readTreasuryKeyFile(config.SOLANA_TREASURY_KEY_FILE).publicKey.toBase58();
    } catch (error) {
      if (!(error instanceof TreasuryKeyError)) throw error;
      const path = config.SOLANA_TREASURY_KEY ? "SOLANA_TREASURY_KEY" : "SOLANA_TREASURY_KEY_FILE";
      ctx.addIssue({ code: "custom", path: [path], message: error.message });
      return;
    }
    if (address && config.SOLANA_TREASURY_ADDRESS && address !== config.SOLANA_TREASURY_ADDRESS) {
      ctx.addIssue({
        code: "custom",
        path: ["SOLANA_TREASURY_ADDRESS"],
        message: `does not match the treasury key, whose address is ${address}; leave it unset or correct it`,
      });
    }
    if (config.SOLANA_RPC_URL && !address && !config.SOLANA_TREASURY_ADDRESS) {
      ctx.addIssue({
        code: "custom",
        path: ["SOLANA_RPC_URL"],
        message:
          "a chain needs a treasury: set SOLANA_TREASURY_KEY or SOLANA_TREASURY_KEY_FILE (or SOLANA_TREASURY_ADDRESS to only verify deposits)",
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Validates the environment (and command-line overrides, which win). Throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    const got = env[name];
    return `${name}: ${issue.message}${got === undefined ? "" : ` (got ${shown(name, got)})`}`;
  });
  throw new ConfigError(problems);
}

/** How Discord is reached, if at all: the gateway (a bot token) or the HTTP interactions endpoint. */
export function discordMode(
  config: Pick<Config, "DISCORD_MODE" | "DISCORD_PUBLIC_KEY" | "DISCORD_TOKEN">,
): "gateway" | "http" | undefined {
  if (config.DISCORD_MODE) return config.DISCORD_MODE;
  if (config.DISCORD_PUBLIC_KEY) return "http";
  return config.DISCORD_TOKEN ? "gateway" : undefined;
}

/** How Telegram updates arrive, if the bot runs there: long polling or a webhook. */
export function telegramMode(
  config: Pick<Config, "TELEGRAM_BOT_TOKEN" | "TELEGRAM_MODE" | "TELEGRAM_WEBHOOK_URL">,
): "polling" | "webhook" | undefined {
  if (!config.TELEGRAM_BOT_TOKEN) return undefined;
  return config.TELEGRAM_MODE ?? (config.TELEGRAM_WEBHOOK_URL ? "webhook" : "polling");
}

type ChatSettings = Parameters<typeof discordMode>[0] &
  Parameters<typeof telegramMode>[0] &
  Pick<Config, "TELEGRAM_WEBHOOK_SECRET">;

function chatPlatformProblems(config: ChatSettings): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  const discord = discordMode(config);
  if (discord === "gateway" && !config.DISCORD_TOKEN)
    problems.push(["DISCORD_TOKEN", "the gateway (DISCORD_MODE=gateway) needs the bot token"]);
  if (discord === "http" && !config.DISCORD_PUBLIC_KEY)
    problems.push([
      "DISCORD_PUBLIC_KEY",
      "the HTTP interactions endpoint needs the application's public key",
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

/** The names of the settings declared secret (wrapped in secret() above). */
export function secretSettingNames(): string[] {
  return Object.entries(configSchema.shape)
    .filter(([, schema]) => schema.meta()?.secret === true)
    .map(([name]) => name);
}

/**
 * What the logger censors wherever it appears: the values of the secret settings, and the
 * credentials inside any setting that is a URL (a database password, a grader's ?api-key=).
 */
export function secretValues(config: Config): string[] {
  const secrets = new Set(secretSettingNames());
  return Object.entries(config).flatMap(([name, value]) => {
    const text = value instanceof Secret ? value.reveal() : typeof value === "string" ? value : undefined;
    if (text === undefined) return [];
    return [...(secrets.has(name) ? [text] : []), ...urlCredentials(text)];
  });
}

// A rejected value is echoed to help the operator, unless the setting is secret; credentials in a
// URL (a grader's or an RPC node's key, a database password) are replaced by *** first.
function shown(name: string, value: string): string {
  if (secretSettingNames().includes(name)) return "a value that is not shown because it is secret";
  return `"${truncate(redactUrlsIn(value))}"`;
}

function truncate(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}
