// Telegram's webhook: Telegram POSTs each update here with the secret given to setWebhook. The
// request is checked before grammY sees it: the secret first (401, the body unread), then the size
// (413) and the body (400 unless it is a JSON update), so junk gets a client error, not a 500 and an
// error in the logs. What passes goes through grammY's own webhook handling (its timeout included).
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Bot, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import { readBody } from "../http-server.ts";

const SECRET_HEADER = "x-telegram-bot-api-secret-token";
/** Updates are a few kilobytes (a message with its entities); Telegram sends nothing near this. */
const MAX_UPDATE_BYTES = 1024 * 1024;

export interface WebhookOptions {
  secretToken: string;
  /** How long an update is waited for before Telegram is answered anyway (the update goes on). */
  timeoutMilliseconds: number;
}

/** The HTTP server's route handler for the webhook's path. */
export function telegramWebhook(bot: Bot, options: WebhookOptions) {
  const handle = webhookCallback(bot, parsedUpdateAdapter, {
    secretToken: options.secretToken,
    // A slow command answers Telegram anyway and goes on; a retry would be dropped as seen.
    onTimeout: "return",
    timeoutMilliseconds: options.timeoutMilliseconds,
  });
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refuse = (status: number, error: string) =>
      void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error }));
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    const header = req.headers[SECRET_HEADER];
    const secret = Array.isArray(header) ? header[0] : header;
    if (!sameSecret(secret, options.secretToken)) return refuse(401, "secret token is wrong");
    const body = await readBody(req, MAX_UPDATE_BYTES);
    if (!body) return refuse(413, "update too large");
    let update: unknown;
    try {
      update = JSON.parse(body.toString("utf8"));
    } catch {
      return refuse(400, "body is not JSON");
    }
    if (!isUpdate(update)) return refuse(400, "body is not a Telegram update (an object with update_id)");
    await handle(update, res, secret);
  };
}

function isUpdate(value: unknown): value is Update {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Number.isSafeInteger((value as { update_id?: unknown }).update_id)
  );
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** grammY's handling of an update this file has already read and checked. */
function parsedUpdateAdapter(update: Update, res: ServerResponse, header: string | undefined) {
  return {
    update,
    header,
    end: () => {
      if (!res.writableEnded) res.end();
    },
    respond: (json: string) => {
      if (!res.headersSent) res.writeHead(200, { "content-type": "application/json" });
      res.end(json);
    },
    unauthorized: () => {
      res.writeHead(401, { "content-type": "application/json" }).end('{"error":"secret token is wrong"}');
    },
  };
}
