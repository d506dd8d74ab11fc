// Structured logs to standard error (standard output belongs to the console front end and --json).
// Secrets are redacted by key name wherever they appear in a logged object.
import pino, { type Logger } from "pino";

export type { Logger };

const REDACTED_KEYS = [
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
 * `secrets` (bot tokens, webhook secrets) are also censored wherever their value appears in a log
 * line, not only under the keys above: a library's error message may carry a URL with a token in it.
 */
export function createLogger(
  level: string,
  destination: NodeJS.WritableStream = process.stderr,
  secrets: ReadonlyArray<string | undefined> = [],
): Logger {
  const scrub = secretScrubber(secrets);
  const stream = scrub
    ? { write: (line: string) => destination.write(scrub(line)) }
    : (destination as pino.DestinationStream);
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACTED_KEYS, censor: "[redacted]" },
      serializers: { err: pino.stdSerializers.err },
    },
    stream,
  );
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
