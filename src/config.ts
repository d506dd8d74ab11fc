// The environment, read once at start-up and validated. A bad value stops the bot with a message
// naming the variable and what it expects. Every setting is listed, with a comment, in .env.example.
//
// Each domain declares its settings in src/config/ (a slice, with its type); this composes them.
// A service takes its slice's type (or a Pick of it), not the whole Config.
import { z } from "zod";
import { Secret } from "./chain/secret.ts";
import { type AmbassadorsConfig, ambassadorsSettings } from "./config/ambassadors.ts";
import { type ArenaConfig, arenaSettings } from "./config/arena.ts";
import { type BotConfig, botSettings } from "./config/bot.ts";
import { type ChainConfig, chainSettings, treasuryProblems } from "./config/chain.ts";
import { type DatabaseConfig, databaseSettings } from "./config/database.ts";
import { type DatasetTokensConfig, datasetTokensSettings } from "./config/dataset-tokens.ts";
import { type GradingConfig, gradingSettings } from "./config/grading.ts";
import { type JobsConfig, jobsSettings } from "./config/jobs.ts";
import { type LeaderboardsConfig, leaderboardsSettings } from "./config/leaderboards.ts";
import { type OperationsConfig, operationsSettings } from "./config/operations.ts";
import { chatPlatformProblems, type PlatformsConfig, platformsSettings } from "./config/platforms.ts";
import { type PoolsConfig, poolsSettings } from "./config/pools.ts";
import { type RateLimitsConfig, rateLimitsSettings } from "./config/rate-limits.ts";
import { type StorageConfig, storageProblems, storageSettings } from "./config/storage.ts";
import { redactUrlsIn, urlCredentials } from "./redact.ts";

export { DEMO_UPLOAD_CEILING_BYTES } from "./config/grading.ts";
export { discordMode, telegramMode } from "./config/platforms.ts";
export type { Platform } from "./config/settings.ts";
export type {
  AmbassadorsConfig,
  ArenaConfig,
  BotConfig,
  ChainConfig,
  DatabaseConfig,
  DatasetTokensConfig,
  GradingConfig,
  JobsConfig,
  LeaderboardsConfig,
  OperationsConfig,
  PlatformsConfig,
  PoolsConfig,
  RateLimitsConfig,
  StorageConfig,
};

/** Every setting; configuration errors list the problems in this order. */
export const configSchema = z.object({
  ...databaseSettings,
  ...botSettings,
  ...rateLimitsSettings,
  ...chainSettings,
  ...jobsSettings,
  ...arenaSettings,
  ...ambassadorsSettings,
  ...leaderboardsSettings,
  ...platformsSettings,
  ...operationsSettings,
  ...poolsSettings,
  ...gradingSettings,
  ...storageSettings,
  ...datasetTokensSettings,
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
  // Settings that only make sense together are checked once each is valid on its own; the
  // treasury's check is the one that reads a file (the key file), so it is not part of the schema.
  const issues: Array<{ name: string; message: string }> = result.success
    ? [
        ...chatPlatformProblems(result.data),
        ...treasuryProblems(result.data),
        ...storageProblems(result.data),
      ].map(([name, message]) => ({
        name,
        message,
      }))
    : result.error.issues.map((issue) => ({
        name: issue.path.join(".") || "(environment)",
        message: issue.message,
      }));
  if (result.success && issues.length === 0) return result.data;
  const problems = issues.map(({ name, message }) => {
    const got = env[name];
    return `${name}: ${message}${got === undefined ? "" : ` (got ${shown(name, got)})`}`;
  });
  throw new ConfigError(problems);
}

/** The names of the settings declared secret (wrapped in secret() in their slice). */
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
