// Messages outside a command's answer (a grade arriving later, a channel post) sent to Discord over
// REST: a direct message opens the member's DM channel first. Needs the bot token.
import { type REST, Routes } from "discord.js";
import type { PlatformSender } from "#src/core/notifier.ts";
import type { Reply } from "#src/core/reply.ts";
import { renderReply } from "./render.ts";

async function post(rest: REST, channelId: string, reply: Reply): Promise<void> {
  for (const message of renderReply(reply)) {
    await rest.post(Routes.channelMessages(channelId), {
      body: {
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
    postToChannel: (channelId, message) => post(rest, channelId, message),
  };
}
