// Messages outside a command's answer, sent to Telegram: privately to a member (who must have
// started a chat with the bot) or into a group or channel.
import type { Api } from "grammy";
import type { PlatformSender } from "#src/core/notifier.ts";
import { sendReply } from "./render.ts";

export function telegramSender(api: Api): PlatformSender {
  return {
    platform: "telegram",
    async sendToUser(platformUserId, message) {
      await sendReply(api, platformUserId, message);
    },
    // No dedupKey: the Bot API has no idempotency key, so a repeated attempt posts again (see
    // src/leaderboards/schedules.ts for why scheduled posts accept that).
    async postToChannel(channelId, message) {
      await sendReply(api, channelId, message);
    },
  };
}
