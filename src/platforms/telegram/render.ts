// Replies as Telegram messages: HTML built from the reply's parsed markup (markup-html.ts), split
// into messages of at most 4096 characters at line breaks, buttons as an inline keyboard on the last
// one, and the picture as a photo with the text as its caption when it fits (1024).
// https://core.telegram.org/bots/api#formatting-options
import { type Api, GrammyError, InputFile } from "grammy";
import type { InlineKeyboardButton, InlineKeyboardMarkup, Message } from "grammy/types";
import { parseMarkupLine } from "#src/core/markup.ts";
import type { Button, Reply } from "#src/core/reply.ts";
import { truncate } from "../text-split.ts";
import { escapeHtml, lineToHtml, runsToHtml } from "./markup-html.ts";

export { escapeHtml };

export const TELEGRAM_LIMITS = { message: 4096, caption: 1024, callbackData: 64, buttonsPerRow: 3 } as const;

export interface RenderedReply {
  /** HTML messages, in order. */
  texts: string[];
  keyboard?: InlineKeyboardMarkup;
  photo?: { data: Uint8Array; name: string; caption?: string };
  /** A file sent as a document before the texts. */
  document?: { data: Uint8Array; name: string };
}

export function keyboardOf(buttons: readonly Button[]): InlineKeyboardMarkup | undefined {
  const usable = buttons.filter((b) => Buffer.byteLength(b.id) <= TELEGRAM_LIMITS.callbackData);
  if (usable.length === 0) return undefined;
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < usable.length; i += TELEGRAM_LIMITS.buttonsPerRow) {
    rows.push(
      usable.slice(i, i + TELEGRAM_LIMITS.buttonsPerRow).map((b) => ({ text: b.label, callback_data: b.id })),
    );
  }
  return { inline_keyboard: rows };
}

/** Whether HTML shows anything: Telegram refuses a message whose text is only blanks. */
const visible = (html: string) => html.replace(/<[^>]*>/g, "").trim() !== "";

export function renderReply(reply: Reply): RenderedReply {
  // Titles and field names are plain text; the text and field values are markup. A line longer
  // than a message is cut into pieces that each fit, tags closed and reopened around the cut.
  const max = TELEGRAM_LIMITS.message;
  const lines: string[] = [];
  if (reply.title) lines.push(...runsToHtml([{ text: reply.title, bold: true, code: false }], max));
  for (const line of reply.text.split("\n")) lines.push(...lineToHtml(line, max));
  for (const field of reply.fields ?? []) {
    const value = parseMarkupLine(field.value.split("\n").join(" "));
    lines.push(
      ...runsToHtml(
        [{ text: field.name, bold: true, code: false }, { text: ": ", bold: false, code: false }, ...value],
        max,
      ),
    );
  }
  if (reply.page) lines.push(`Page ${reply.page.current} of ${reply.page.total}`);
  const texts: string[] = [];
  let current = "";
  for (const line of lines) {
    if (current && current.length + 1 + line.length > TELEGRAM_LIMITS.message) {
      texts.push(current);
      current = line;
    } else {
      current = current ? `${current}\n${line}` : line;
    }
  }
  if (visible(current) || texts.length === 0) texts.push(visible(current) ? current : "…");
  const keyboard = keyboardOf(reply.buttons ?? []);
  const rendered: RenderedReply = { texts, ...(keyboard ? { keyboard } : {}) };
  if (reply.image) {
    const whole = texts.length === 1 && texts[0]!.length <= TELEGRAM_LIMITS.caption;
    rendered.photo = {
      data: reply.image.png,
      name: reply.image.name,
      caption: whole ? texts[0]! : escapeHtml(truncate(reply.image.alt, TELEGRAM_LIMITS.caption)),
    };
    if (whole) rendered.texts = [];
  }
  if (reply.file) rendered.document = { data: reply.file.data, name: reply.file.name };
  return rendered;
}

export interface SendTarget {
  reply_parameters?: { message_id: number; allow_sending_without_reply: true };
  message_thread_id?: number;
}

/** Sends a reply to a chat; the keyboard goes on the last message. */
export async function sendReply(
  api: Api,
  chatId: number | string,
  reply: Reply,
  target: SendTarget = {},
): Promise<Message[]> {
  const { texts, keyboard, photo, document } = renderReply(reply);
  const sent: Message[] = [];
  const markup = (last: boolean) => (last && keyboard ? { reply_markup: keyboard } : {});
  if (document)
    sent.push(
      await api.sendDocument(chatId, new InputFile(document.data, document.name), {
        ...target,
        ...markup(texts.length === 0 && !photo),
      }),
    );
  if (photo) {
    sent.push(
      await api.sendPhoto(chatId, new InputFile(photo.data, photo.name), {
        ...target,
        ...(photo.caption ? { caption: photo.caption, parse_mode: "HTML" as const } : {}),
        ...markup(texts.length === 0),
      }),
    );
  }
  for (const [i, html] of texts.entries()) {
    sent.push(
      await api.sendMessage(chatId, html, {
        ...(i === 0 && !photo
          ? target
          : target.message_thread_id
            ? { message_thread_id: target.message_thread_id }
            : {}),
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        ...markup(i === texts.length - 1),
      }),
    );
  }
  return sent;
}

/**
 * Puts a reply in place of a message whose button was pressed (the next page, the outcome of a
 * confirmation). What cannot be an edit (a picture, several messages) is sent anew and the old
 * message loses its buttons.
 */
export async function replaceMessage(api: Api, message: Message, reply: Reply): Promise<void> {
  const { texts, keyboard, photo, document } = renderReply(reply);
  const reply_markup = keyboard ?? { inline_keyboard: [] };
  try {
    if (!photo && !document && texts.length === 1) {
      if (message.photo) {
        if (texts[0]!.length <= TELEGRAM_LIMITS.caption) {
          await api.editMessageCaption(message.chat.id, message.message_id, {
            caption: texts[0]!,
            parse_mode: "HTML",
            reply_markup,
          });
          return;
        }
      } else {
        await api.editMessageText(message.chat.id, message.message_id, texts[0]!, {
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
          reply_markup,
        });
        return;
      }
    }
    await api.editMessageReplyMarkup(message.chat.id, message.message_id, {
      reply_markup: { inline_keyboard: [] },
    });
  } catch (error) {
    // Pressing a button that changes nothing (the same page again) is not a failure.
    if (!(error instanceof GrammyError && /message is not modified/.test(error.description))) throw error;
    return;
  }
  await sendReply(
    api,
    message.chat.id,
    reply,
    message.is_topic_message && message.message_thread_id
      ? { message_thread_id: message.message_thread_id }
      : {},
  );
}
