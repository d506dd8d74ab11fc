// What a Discord interaction asks, in the core's terms: its command path, its options typed by the
// command's spec (users, channels, attachments that download on demand), and its origin (who, where,
// the interaction id as the idempotency key).
import {
  ApplicationCommandOptionType,
  type AutocompleteInteraction,
  type BaseInteraction,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
} from "discord.js";
import type { PlatformUser } from "#src/core/context.ts";
import type { Invocation } from "#src/core/dispatch.ts";
import type { RawOptionValue } from "#src/core/options.ts";
import type { OptionSpec } from "#src/core/spec.ts";
import { fetchAvatar } from "../avatar.ts";
import { downloadFile } from "../download.ts";

export function pathOf(interaction: ChatInputCommandInteraction | AutocompleteInteraction): string[] {
  const group = interaction.options.getSubcommandGroup(false);
  const sub = interaction.options.getSubcommand(false);
  return [interaction.commandName, ...(group ? [group] : []), ...(sub ? [sub] : [])];
}

export function originOf(interaction: BaseInteraction): Omit<Invocation, "path" | "options"> {
  return {
    platform: "discord",
    eventId: interaction.id,
    user: userOf(interaction),
    ...(interaction.channelId
      ? {
          channel: {
            platform: "discord",
            id: interaction.channelId,
            ...(interaction.channel && "name" in interaction.channel && interaction.channel.name
              ? { name: interaction.channel.name }
              : {}),
          },
        }
      : {}),
    isPrivateChat: !interaction.inGuild(),
    locale: interaction.locale,
    avatar: () => fetchAvatar(interaction.user.displayAvatarURL({ extension: "png", size: 128 })),
  };
}

/** The leaf subcommand's options, typed by `specs`; attachments download within `attachmentTimeoutMs`. */
export function optionsOf(
  interaction: ChatInputCommandInteraction,
  specs: Readonly<Record<string, OptionSpec>> | undefined,
  attachmentTimeoutMs: number,
): Record<string, RawOptionValue> {
  let data: readonly CommandInteractionOption[] = interaction.options.data;
  while (
    data.length === 1 &&
    (data[0]!.type === ApplicationCommandOptionType.Subcommand ||
      data[0]!.type === ApplicationCommandOptionType.SubcommandGroup)
  ) {
    data = data[0]!.options ?? [];
  }
  const options: Record<string, RawOptionValue> = {};
  for (const option of data) {
    const value = optionValue(option, specs?.[option.name], attachmentTimeoutMs);
    if (value !== undefined) options[option.name] = value;
  }
  return options;
}

function optionValue(
  option: CommandInteractionOption,
  spec: OptionSpec | undefined,
  attachmentTimeoutMs: number,
): RawOptionValue | undefined {
  switch (option.type) {
    case ApplicationCommandOptionType.User: {
      const user = option.user;
      return {
        kind: "user",
        platformUserId: user?.id ?? String(option.value),
        ...(user ? { username: user.username, displayName: displayName(user, option.member) } : {}),
      };
    }
    case ApplicationCommandOptionType.Channel:
      return {
        kind: "channel",
        id: String(option.value),
        ...(option.channel && "name" in option.channel && option.channel.name
          ? { name: option.channel.name }
          : {}),
      };
    case ApplicationCommandOptionType.Attachment: {
      const file = option.attachment;
      if (!file) return undefined;
      // Never read more than Discord says the file has, nor more than the option allows.
      const cap = Math.min(file.size, spec?.type === "attachment" ? spec.maxBytes : file.size);
      return {
        kind: "attachment",
        name: file.name,
        sizeBytes: file.size,
        ...(file.contentType ? { contentType: file.contentType } : {}),
        read: () => downloadFile(file.url, file.name, { maxBytes: cap, timeoutMs: attachmentTimeoutMs }),
      };
    }
    default:
      return option.value ?? undefined;
  }
}

function userOf(interaction: BaseInteraction): PlatformUser {
  return {
    platform: "discord",
    id: interaction.user.id,
    username: interaction.user.username,
    displayName: displayName(interaction.user, interaction.member),
  };
}

/** The server nickname, else the display name, else the user name. */
function displayName(user: { username: string; globalName: string | null }, member: unknown): string {
  const nick =
    member && typeof member === "object"
      ? ((member as { nickname?: string | null }).nickname ?? (member as { nick?: string | null }).nick)
      : undefined;
  return nick || user.globalName || user.username;
}
