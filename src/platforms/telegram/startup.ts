// The Bot API calls made before the Telegram front end runs (getMe, the command menus, the webhook).
// Telegram or the network may be down when the bot starts: each call is given a time limit and
// retried with a growing, bounded wait, every failure is logged with its reason, and after the last
// attempt start-up stops with a message saying what could not be reached and what to check. A
// refusal that waiting cannot fix (a wrong token) stops at once.
import { type Api, GrammyError, HttpError } from "grammy";
import type { Logger } from "#src/log.ts";
import { redactUrlsIn } from "#src/redact.ts";
import { TelegramStartupError } from "./startup-error.ts";
// Registers how the logs shorten this library's errors (../loggable.ts).
import "./errors.ts";

export interface StartupRetry {
  /** Tries per call, the first included. */
  attempts: number;
  /** The wait after the first failure; it doubles after each further one, up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** How long one call may take before it counts as failed. */
  callTimeoutMs: number;
}

/** About four minutes in all before giving up, the longest wait 30 s, each call 15 s at most. */
export const DEFAULT_STARTUP_RETRY: StartupRetry = {
  attempts: 8,
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
  callTimeoutMs: 15_000,
};

/** grammY types its methods' signal as its fetch shim's; at run time Node's own AbortSignal is what it takes. */
export function apiSignal(signal: AbortSignal | undefined): Parameters<Api["getMe"]>[0] {
  return signal as unknown as Parameters<Api["getMe"]>[0];
}

export { TelegramStartupError };

export interface StartupCallOptions {
  log: Logger;
  /** TELEGRAM_API_ROOT, named in the messages (its credentials redacted). */
  apiRoot: string;
  /** The bot token, kept out of every reason (a network error may carry the request URL). */
  token: string;
  retry?: Partial<StartupRetry>;
}

/** Runs start-up calls to the Bot API, each retried as this file says. */
export function startupCaller(options: StartupCallOptions) {
  const retry = { ...DEFAULT_STARTUP_RETRY, ...options.retry };
  const where = redactUrlsIn(options.apiRoot);
  return async function call<T>(what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    let delay = retry.firstDelayMs;
    for (let attempt = 1; ; attempt++) {
      const signal = AbortSignal.timeout(retry.callTimeoutMs);
      try {
        return await run(signal);
      } catch (error) {
        const reason = reasonOf(error, signal, retry.callTimeoutMs, options.token);
        if (!retriable(error))
          throw new TelegramStartupError(
            `Telegram refused ${what} at ${where}: ${reason}. Check TELEGRAM_BOT_TOKEN (from @BotFather) and TELEGRAM_API_ROOT.`,
          );
        if (attempt >= retry.attempts)
          throw new TelegramStartupError(
            `Telegram could not be reached at ${where} for ${what} after ${attempt} attempts (last: ${reason}). ` +
              "Check the network and TELEGRAM_API_ROOT, then start the bot again.",
          );
        options.log.warn(
          { call: what, attempt, attempts: retry.attempts, reason, retryInMs: delay, apiRoot: where },
          "Telegram not reachable at start-up; retrying",
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, retry.maxDelayMs);
      }
    }
  };
}

/** Network failures, time-outs, rate limits and Telegram's own 5xx pass; other refusals do not. */
function retriable(error: unknown): boolean {
  if (error instanceof GrammyError) return error.error_code === 429 || error.error_code >= 500;
  return true;
}

function reasonOf(error: unknown, signal: AbortSignal, timeoutMs: number, token: string): string {
  if (signal.aborted) return `no answer within ${timeoutMs / 1000} s`;
  let reason: string;
  if (error instanceof GrammyError) reason = `HTTP ${error.error_code}: ${error.description}`;
  else if (error instanceof HttpError) {
    const inner = error.error as { code?: string; message?: string; cause?: { code?: string } } | undefined;
    const code = inner?.code ?? inner?.cause?.code;
    reason = [code, inner?.message].filter(Boolean).join(": ") || error.message;
  } else reason = error instanceof Error ? error.message : String(error);
  return redactUrlsIn(reason).split(token).join("[redacted]");
}
