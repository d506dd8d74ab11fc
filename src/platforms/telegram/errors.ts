// grammY's request errors as the logs keep them (see ../loggable.ts): without the request.
import { GrammyError, HttpError } from "grammy";
import { registerLoggableErrors } from "../loggable.ts";

export function describeTelegramError(error: unknown): Record<string, unknown> | undefined {
  if (error instanceof GrammyError)
    return { type: error.name, message: error.message, code: error.error_code, method: error.method };
  if (error instanceof HttpError) return { type: error.name, message: error.message };
  return undefined;
}

registerLoggableErrors(describeTelegramError);
