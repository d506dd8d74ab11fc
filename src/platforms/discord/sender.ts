// Messages outside a command's answer (a grade arriving later, a channel post) sent to Discord over
// REST: a direct message opens the member's DM channel first. Needs the bot token.
import { createHash } from "node:crypto";
import { type REST, Routes } from "discord.js";
import type { PlatformSender, PostOptions } from "#src/core/notifier.ts";
import type { Reply } from "#src/core/reply.ts";
import { renderReply } from "./render.ts";

/** Discord accepts a nonce of at most 25 characters. */
const NONCE_LENGTH = 25;

/**
 * The nonce of part `part` of the post `dedupKey`: the same on every attempt, so with enforce_nonce
 * Discord returns the message an earlier attempt created (within a few minutes, from the same bot)
 * instead of posting it again.
 * https://discord.com/developers/docs/resources/message#create-message-jsonform-params
 */
export function discordNonce(dedupKey: string, part: number): string {
  return createHash("sha256").update(`${dedupKey}#${part}`).digest("hex").slice(0, NONCE_LENGTH);
}

async function post(rest: REST, channelId: string, reply: Reply, options: PostOptions = {}): Promise<void> {
  for (const [part, message] of renderReply(reply).entries()) {
    await rest.post(Routes.channelMessages(channelId), {
      body: {
        ...(options.dedupKey ? { nonce: discordNonce(options.dedupKey, part), enforce_nonce: true } : {}),
        embeds: message.embeds,
        components: message.components,
        allowed_mentions: { parse: [] },
        attachments: message.files.map((f, id) => ({ id, filename: f.name, description: f.description })),
      },
      files: message.files.map((f, i) => ({ key: `files[${i}]`, name: f.name, data: f.data })),
    });
  }
}

export function discordSender(rest: REST): PlatformSender {
  return {
    platform: "discord",
    async sendToUser(platformUserId, message) {
      const channel = (await rest.post(Routes.userChannels(), {
        body: { recipient_id: platformUserId },
      })) as {
        id: string;
      };
      await post(rest, channel.id, message);
    },
    postToChannel: (channelId, message, options) => post(rest, channelId, message, options),
  };
}
