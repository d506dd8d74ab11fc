// The Telegram Bot API at the edge of the network, on loopback: grammY's calls (sendMessage,
// answerCallbackQuery, getFile, setMyCommands, getUpdates, …) are recorded and answered like
// Telegram answers them; file downloads are served; getUpdates long-polls a queue the test fills.
// Text and captions sent with parse_mode HTML are parsed like Telegram parses them, and refused
// the same way ("can't parse entities") when they break its rules.
import type { Update } from "grammy/types";
import { type CapturedRequest, Loopback } from "./loopback.ts";
import { TELEGRAM_TEXT_LIMITS, telegramHtmlProblem } from "./telegram-html.ts";

export const TELEGRAM_TOKEN = "7000000001:AAFakeTokenForTests_abcdefghijklmnop";
export const BOT = { id: 7000000001, username: "forge_test_bot", first_name: "Forgebot" };

export interface FakeTelegram {
  api: Loopback;
  /** TELEGRAM_API_ROOT for the bot under test. */
  apiRoot: string;
  /** Chats the bot may not write to (as before a member presses Start). */
  blocked: Set<number>;
  /** Files getFile can find, by file_id. */
  files: Map<string, { path: string; data: Buffer }>;
  /** Queues an update for getUpdates (long polling). */
  push(update: Update): void;
  /** Bot API calls of one method, in order. */
  calls(method: string): CapturedRequest[];
  close(): Promise<void>;
}

export function methodOf(request: CapturedRequest): string {
  return request.path.split("/").at(-1)!;
}

/** Telegram's answer to a text or caption its HTML parser refuses, or undefined. */
function htmlRefusal(body: Record<string, unknown>): string | undefined {
  if (body.parse_mode !== "HTML") return undefined;
  const problem =
    body.text !== undefined
      ? telegramHtmlProblem(String(body.text), TELEGRAM_TEXT_LIMITS.message)
      : body.caption !== undefined
        ? telegramHtmlProblem(String(body.caption), TELEGRAM_TEXT_LIMITS.caption)
        : undefined;
  return problem ? `Bad Request: ${problem}` : undefined;
}

export async function startFakeTelegram(): Promise<FakeTelegram> {
  let nextMessageId = 1000;
  const blocked = new Set<number>();
  const files = new Map<string, { path: string; data: Buffer }>();
  const queue: Update[] = [];
  const polls: Array<(updates: Update[]) => void> = [];
  let lastOffset = 0;
  const pending = (offset: number) => queue.filter((u) => u.update_id >= offset);

  const message = (chatId: number, body: Record<string, unknown>, id = nextMessageId++) => ({
    message_id: id,
    date: 1_767_225_600,
    chat:
      chatId > 0
        ? { id: chatId, type: "private", first_name: "Member" }
        : { id: chatId, type: "supergroup", title: "Group" },
    from: { id: BOT.id, is_bot: true, first_name: BOT.first_name, username: BOT.username },
    ...(body.text ? { text: body.text } : {}),
    ...(body.caption ? { caption: body.caption } : {}),
    ...(body.photo !== undefined || body.caption !== undefined
      ? { photo: [{ file_id: "p", file_unique_id: "p", width: 1, height: 1 }] }
      : {}),
    ...(body.reply_markup ? { reply_markup: body.reply_markup } : {}),
  });

  const api = await Loopback.start(async (request) => {
    const file = /^\/file\/bot[^/]+\/(.+)$/.exec(request.path);
    if (file) {
      const found = [...files.values()].find((f) => f.path === file[1]);
      return found
        ? { body: found.data, headers: { "content-type": "application/octet-stream" } }
        : { status: 404 };
    }
    const method = methodOf(request);
    const body = request.body ?? {};
    const ok = (result: unknown) => ({ body: { ok: true, result } });
    const chatId = Number(body.chat_id);
    const refused = htmlRefusal(body);
    if (refused) return { status: 400, body: { ok: false, error_code: 400, description: refused } };
    switch (method) {
      case "getMe":
        return ok({
          ...BOT,
          is_bot: true,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        });
      case "sendMessage":
      case "sendPhoto":
        if (blocked.has(chatId))
          return {
            status: 403,
            body: {
              ok: false,
              error_code: 403,
              description: "Forbidden: bot can't initiate conversation with a user",
            },
          };
        return ok(message(chatId, { ...body, ...(method === "sendPhoto" ? { photo: true } : {}) }));
      case "editMessageText":
      case "editMessageCaption":
      case "editMessageReplyMarkup":
        return ok(message(chatId, body, Number(body.message_id)));
      case "getFile": {
        const found = files.get(String(body.file_id));
        if (!found)
          return {
            status: 400,
            body: { ok: false, error_code: 400, description: "Bad Request: invalid file_id" },
          };
        return ok({
          file_id: body.file_id,
          file_unique_id: "u",
          file_size: found.data.length,
          file_path: found.path,
        });
      }
      case "getUpdates": {
        const offset = Number(body.offset ?? 0);
        lastOffset = Math.max(lastOffset, offset);
        const ready = pending(offset);
        if (ready.length > 0) return ok(ready);
        return ok(await new Promise<Update[]>((resolve) => polls.push(resolve)));
      }
      default:
        return ok(true);
    }
  });
  return {
    api,
    apiRoot: api.url,
    blocked,
    files,
    push(update) {
      queue.push(update);
      for (const resolve of polls.splice(0)) resolve(pending(lastOffset));
    },
    calls: (method) => api.requests.filter((r) => methodOf(r) === method),
    async close() {
      for (const resolve of polls.splice(0)) resolve([]);
      await api.close();
    },
  };
}
