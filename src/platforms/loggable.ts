// What of a platform library's error goes into the logs. discord.js and grammY errors carry the
// request they failed on (URLs with interaction tokens, request bodies with members' data); their
// name, message and status say enough. Anything else (a bug) is logged whole, with its stack.
import { DiscordAPIError, HTTPError, RateLimitError } from "discord.js";
import { GrammyError, HttpError } from "grammy";

export function loggable(error: unknown): unknown {
  if (error instanceof DiscordAPIError)
    return {
      type: error.name,
      message: error.message,
      code: error.code,
      status: error.status,
      method: error.method,
    };
  if (error instanceof HTTPError || error instanceof RateLimitError)
    return { type: error.name, message: error.message, method: error.method };
  if (error instanceof GrammyError)
    return { type: error.name, message: error.message, code: error.error_code, method: error.method };
  if (error instanceof HttpError) return { type: error.name, message: error.message };
  return error;
}
