// discord.js's request errors as the logs keep them (see ../loggable.ts): without the request.
import { DiscordAPIError, HTTPError, RateLimitError } from "discord.js";
import { registerLoggableErrors } from "../loggable.ts";

export function describeDiscordError(error: unknown): Record<string, unknown> | undefined {
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
  return undefined;
}

registerLoggableErrors(describeDiscordError);
