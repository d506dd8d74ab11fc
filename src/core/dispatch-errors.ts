// What a command's failure becomes: a member's mistake (a UserError) is shown as its message and
// stable code; anything else is a bug, logged with a short id the member can quote, and shown as
// that id only. No reply, failed or not, shows a URL's credentials.
import { randomBytes } from "node:crypto";
import type { Platform } from "#src/config.ts";
import type { Logger } from "#src/log.ts";
import { redactReplyUrls } from "#src/redact.ts";
import type { DispatchResult } from "./dispatch.ts";
import { isUserError } from "./errors.ts";

/** The result of a command or button press that threw `error`. */
export function resultOfError(
  error: unknown,
  path: string[] | undefined,
  platform: Platform,
  log: Logger,
): DispatchResult {
  if (isUserError(error)) {
    return {
      ok: false,
      code: error.code,
      reply: {
        text: error.message,
        tone: "error",
        ...(error.details ? { data: { error: error.details } } : {}),
      },
      ...(path ? { path } : {}),
    };
  }
  const errorId = randomBytes(4).toString("hex");
  log.error({ err: error, errorId, path, platform }, "command failed");
  return {
    ok: false,
    code: "internal",
    errorId,
    reply: {
      text: `Something went wrong on our side. If it keeps happening, tell a moderator the error id ${errorId}.`,
      tone: "error",
    },
    ...(path ? { path } : {}),
  };
}

/** No reply shows a URL's credentials (an error that quotes an RPC node's URL with its key, say). */
export function withRedactedUrls(result: DispatchResult): DispatchResult {
  return { ...result, reply: redactReplyUrls(result.reply) };
}
