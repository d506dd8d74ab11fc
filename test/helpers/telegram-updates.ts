// Telegram updates for tests, shaped like the captured ones in test/fixtures/telegram.
import { readFileSync } from "node:fs";
import type { Update } from "grammy/types";

export function telegramFixture(name: string): Update {
  return JSON.parse(readFileSync(new URL(`../fixtures/telegram/${name}.json`, import.meta.url), "utf8"));
}

export interface Member {
  id: number;
  first_name: string;
  username?: string;
}

let nextUpdate = 500_000_000;
let nextMessage = 1;
export const updateId = () => nextUpdate++;

export const PRIVATE = (member: Member) => ({
  id: member.id,
  type: "private" as const,
  first_name: member.first_name,
});
export const GROUP = { id: -1001293752024, type: "supergroup" as const, title: "CryptoInside Chat" };

type Chat = ReturnType<typeof PRIVATE> | typeof GROUP;

/** A text message; a leading /command gets its bot_command entity, as Telegram adds it. */
export function textMessage(
  from: Member,
  text: string,
  chat: Chat = PRIVATE(from),
  extra: Record<string, unknown> = {},
): Update {
  const command = /^\/\S+/.exec(text);
  return {
    update_id: updateId(),
    message: {
      message_id: nextMessage++,
      date: 1_767_225_600,
      chat,
      from: { ...from, is_bot: false, language_code: "en" },
      text,
      ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
      ...extra,
    },
  } as Update;
}

/** A document sent with a caption. */
export function documentMessage(
  from: Member,
  caption: string,
  document: { file_id: string; file_name: string; file_size: number },
  chat: Chat = PRIVATE(from),
): Update {
  const command = /^\/\S+/.exec(caption);
  return {
    update_id: updateId(),
    message: {
      message_id: nextMessage++,
      date: 1_767_225_600,
      chat,
      from: { ...from, is_bot: false },
      caption,
      ...(command
        ? { caption_entities: [{ type: "bot_command", offset: 0, length: command[0].length }] }
        : {}),
      document: { ...document, file_unique_id: `${document.file_id}-u`, mime_type: "application/zip" },
    },
  } as Update;
}

/** A press on an inline keyboard button of a message the bot sent. */
export function callbackQuery(
  from: Member,
  data: string,
  message: { chat: Chat; message_id: number; text?: string },
): Update {
  return {
    update_id: updateId(),
    callback_query: {
      id: String(updateId()),
      from: { ...from, is_bot: false },
      chat_instance: "ci",
      data,
      message: {
        message_id: message.message_id,
        date: 1_767_225_600,
        chat: message.chat,
        from: { id: 7000000001, is_bot: true, first_name: "Forgebot", username: "forge_test_bot" },
        text: message.text ?? "…",
      },
    },
  } as Update;
}
