// What a Telegram message brings to a command besides its text: who sent it, the member it
// replies to (a command sent in reply names them), and the document or photo sent with it (a
// command's file option, downloaded only when the command reads it).
import type { Context } from "grammy";
import type { Message, User } from "grammy/types";
import type { PlatformUser } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { formatBytes, type RawAttachment, type RawOptionValue } from "#src/core/options.ts";
import type { OptionSpec } from "#src/core/spec.ts";
import { downloadFile } from "../download.ts";

/** The largest file the Bot API lets a bot download (getFile). */
const TELEGRAM_BOT_DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024;

/** Where a bot downloads files from: the Bot API root and the bot's token (never logged). */
export interface FileSource {
  apiRoot: string;
  token: string;
  attachmentTimeoutMs: number;
}

/** A Telegram user as the command core knows members: their id, @username and display name. */
export function userOf(from: User): PlatformUser {
  const name = [from.first_name, from.last_name].filter(Boolean).join(" ").trim();
  return {
    platform: "telegram",
    id: String(from.id),
    ...(from.username ? { username: from.username } : {}),
    displayName: name || from.username || String(from.id),
  };
}

/**
 * A command sent as a reply to a member's message names that member in its first member option
 * not given (/admin credit amount:5 … in reply to Bob): Telegram tells the bot who they are, so
 * they need not have used the bot before. A forum topic's own first message is no reply.
 */
export function withRepliedMember(
  message: Message,
  specs: Record<string, OptionSpec>,
  options: Record<string, string>,
): Record<string, RawOptionValue> {
  const replied = message.reply_to_message;
  const member = replied?.from;
  if (!member || member.is_bot) return options;
  if (message.is_topic_message && replied.message_id === message.message_thread_id) return options;
  const slot = Object.entries<OptionSpec>(specs).find(
    ([name, spec]) => spec.type === "user" && !(name in options),
  );
  if (!slot) return options;
  const user = userOf(member);
  return {
    ...options,
    [slot[0]]: {
      kind: "user",
      platformUserId: user.id,
      ...(user.username ? { username: user.username } : {}),
      displayName: user.displayName,
    },
  };
}

/** A document or photo sent with the command fills the command's first file option not given. */
export function withFiles(
  ctx: Context,
  specs: Record<string, OptionSpec>,
  options: Record<string, RawOptionValue>,
  source: FileSource,
): Record<string, RawOptionValue> {
  const message = ctx.message!;
  const document = message.document;
  const photo = message.photo?.at(-1);
  if (!document && !photo) return options;
  const slot = Object.entries<OptionSpec>(specs).find(
    ([name, spec]) => spec.type === "attachment" && !(name in options),
  );
  if (slot?.[1].type !== "attachment") return options;
  const attachment = attachmentOf(ctx, slot[1].maxBytes, source);
  return attachment ? { ...options, [slot[0]]: attachment } : options;
}

/** The document or photo of the message as an option value, read only when the command asks. */
export function attachmentOf(ctx: Context, maxBytes: number, source: FileSource): RawAttachment | undefined {
  const message = ctx.message!;
  const document = message.document;
  const photo = message.photo?.at(-1);
  if (!document && !photo) return undefined;
  const file = document
    ? {
        id: document.file_id,
        name: document.file_name ?? "document",
        size: document.file_size,
        type: document.mime_type,
      }
    : { id: photo!.file_id, name: "photo.jpg", size: photo!.file_size, type: "image/jpeg" };
  return {
    kind: "attachment",
    name: file.name,
    sizeBytes: file.size ?? 0,
    ...(file.type ? { contentType: file.type } : {}),
    read: async () => {
      // The Bot API refuses getFile above 20 MB ("file is too big"): say so before asking.
      if ((file.size ?? 0) > TELEGRAM_BOT_DOWNLOAD_LIMIT_BYTES)
        throw new UserError(
          "file_too_large",
          `${file.name} is ${formatBytes(file.size ?? 0)}, and Telegram lets bots download at most 20 MB. Send a smaller file (leave the video out), or upload it on Discord.`,
        );
      const info = await ctx.api.getFile(file.id);
      if (!info.file_path) throw new Error("Telegram gave no file path");
      // The URL holds the bot token: it is never logged, and errors about it never show it.
      const url = `${source.apiRoot}/file/bot${source.token}/${info.file_path}`;
      return downloadFile(url, file.name, {
        maxBytes: Math.min(maxBytes, info.file_size ?? file.size ?? maxBytes),
        timeoutMs: source.attachmentTimeoutMs,
      });
    },
  };
}
