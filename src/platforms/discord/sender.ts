// Messages outside a command's answer (a grade arriving later, a channel post) sent to Discord over
// REST. A notice for a member goes as an ephemeral follow-up on their latest interaction while its
// token is valid (no bot token needed), else as a direct message (opening their DM channel first;
// needs the bot token). Channel posts need the bot token.
import { createHash } from "node:crypto";
import { DiscordAPIError, MessageFlags, type REST, Routes } from "discord.js";
import type { PlatformSender, PostOptions } from "#src/core/notifier.ts";
import type { Reply } from "#src/core/reply.ts";
import type { CommandIds } from "./command-ids.ts";
import type { FollowUpRoutes } from "./follow-ups.ts";
import { type DiscordMessage, renderReply } from "./render.ts";

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

function messageBody(message: DiscordMessage) {
  return {
    embeds: message.embeds,
    components: message.components,
    allowed_mentions: { parse: [] },
    attachments: message.files.map((f, id) => ({ id, filename: f.name, description: f.description })),
  };
}

const render = (reply: Reply, ids?: CommandIds) =>
  renderReply(reply, ids ? (code) => ids.mention(code) : undefined);

const filesOf = (message: DiscordMessage) =>
  message.files.map((f, i) => ({ key: `files[${i}]`, name: f.name, data: f.data }));

async function post(
  rest: REST,
  channelId: string,
  reply: Reply,
  options: PostOptions = {},
  ids?: CommandIds,
): Promise<void> {
  for (const [part, message] of render(reply, ids).entries()) {
    await rest.post(Routes.channelMessages(channelId), {
      body: {
        ...(options.dedupKey ? { nonce: discordNonce(options.dedupKey, part), enforce_nonce: true } : {}),
        ...messageBody(message),
      },
      files: filesOf(message),
    });
  }
}

/**
 * How long a notice waits for the interaction's own answer. A notice sent from inside the command
 * it would follow up (a moderator acting on their own submission) must not wait for itself.
 */
const ANSWER_WAIT_MS = 5_000;

function answeredOrLater(answered: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const later = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ANSWER_WAIT_MS);
    timer.unref();
  });
  return Promise.race([answered, later]).finally(() => clearTimeout(timer));
}

export interface DiscordSenderOptions {
  /** The members' latest interactions (the front end fills it); without it, only DMs. */
  followUps?: FollowUpRoutes;
  /** Whether a bot token is set: DMs and channel posts need one. */
  hasBotToken: boolean;
  /** The slash commands' ids, for clickable command mentions. */
  commandIds?: CommandIds;
}

export function discordSender(rest: REST, options: DiscordSenderOptions): PlatformSender {
  const { followUps, hasBotToken, commandIds } = options;
  return {
    platform: "discord",
    postsToChannels: hasBotToken,
    async sendToUser(platformUserId, message) {
      const route = followUps?.latest(platformUserId);
      let followUpError: unknown;
      if (route) {
        await answeredOrLater(route.answered);
        try {
          for (const part of render(message, commandIds))
            await rest.post(Routes.webhook(route.applicationId, route.token), {
              body: { ...messageBody(part), flags: MessageFlags.Ephemeral },
              files: filesOf(part),
              auth: false,
            });
          return;
        } catch (error) {
          // The token was refused (the interaction was deleted, or it expired early): try a DM.
          if (!(error instanceof DiscordAPIError)) throw error;
          followUps!.forget(platformUserId, route.token);
          followUpError = error;
        }
      }
      if (!hasBotToken)
        throw new Error(
          followUpError
            ? "Discord refused the follow-up, and without DISCORD_TOKEN the bot cannot send a DM"
            : "the member has no recent interaction to follow up, and without DISCORD_TOKEN the bot cannot send a DM",
        );
      // Closed DMs (error 50007, "Cannot send messages to this user") throw here.
      const channel = (await rest.post(Routes.userChannels(), {
        body: { recipient_id: platformUserId },
      })) as {
        id: string;
      };
      await post(rest, channel.id, message, {}, commandIds);
    },
    async postToChannel(channelId, message, postOptions) {
      if (!hasBotToken) throw new Error("posting in a Discord channel needs DISCORD_TOKEN");
      await post(rest, channelId, message, postOptions, commandIds);
    },
  };
}
