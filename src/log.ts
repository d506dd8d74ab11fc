// Structured logs to standard error (standard output belongs to the console front end and --json).
// Every line is cleaned before it is written: credentials inside URLs are replaced by *** (see
// src/redact.ts), the values of the secret settings by [redacted] wherever they appear, and a few
// keys that only ever hold credentials are censored in logged objects.
import pino, { type Logger } from "pino";
import { redactUrlsIn } from "./redact.ts";

export type { Logger };

const REDACTED_KEYS = [
  // A `token` is a credential (an interaction's, a bot's) or a token symbol (USDC): see censor().
  "token",
  "*.token",
  "secret",
  "*.secret",
  "password",
  "*.password",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "privateKey",
  "*.privateKey",
  "secretKey",
  "*.secretKey",
  // The Solana treasury key (also a Secret that prints as [redacted]).
  "SOLANA_TREASURY_KEY",
  "*.SOLANA_TREASURY_KEY",
];

/**
 * `secrets` (the values of the settings declared secret, and the credentials inside URL settings:
 * see secretValues in config.ts) are censored wherever their value appears in a log line, not only
 * under the keys above: a library's error message may carry a URL with a token in it.
 */
export function createLogger(
  level: string,
  destination: NodeJS.WritableStream = process.stderr,
  secrets: ReadonlyArray<string | undefined> = [],
): Logger {
  const scrub = secretScrubber(secrets) ?? ((line: string) => line);
  const stream = { write: (line: string) => destination.write(redactUrlsIn(scrub(line))) };
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACTED_KEYS, censor },
      serializers: { err: pino.stdSerializers.err },
    },
    stream,
  );
}

/** A token symbol (USDC, CLONES) under a `token` key is not a secret; anything else there is. */
function censor(value: unknown, path: string[]): unknown {
  const symbol = path.at(-1) === "token" && typeof value === "string" && /^[A-Z][A-Z0-9]{1,11}$/.test(value);
  return symbol ? value : "[redacted]";
}

/** Replaces every occurrence of the given secrets (as written and URL-encoded) with [redacted]. */
export function secretScrubber(
  secrets: ReadonlyArray<string | undefined>,
): ((text: string) => string) | undefined {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < 8) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  if (forms.size === 0) return undefined;
  const escaped = [...forms]
    .sort((a, b) => b.length - a.length)
    .map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(escaped.join("|"), "g");
  return (text) => text.replace(pattern, "[redacted]");
}

/** A logger that drops everything: for tests and tools that must stay quiet. */
export const silentLogger: Logger = pino({ level: "silent" });
