// Command specs as Discord slash commands: one JSON body per command, ready for a bulk overwrite.
// Nothing here is written per command: every command (and every one added later) is rendered from
// its spec, and `discordLimitProblems` (limits.ts) checks the result against Discord's limits.
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
} from "discord.js";
import { type CommandSpec, leavesOf, type OptionSpec, type Options } from "#src/core/spec.ts";

/** One option as Discord takes it (a subset of the API's application command option). */
export interface SlashOption {
  type: ApplicationCommandOptionType;
  name: string;
  description: string;
  required?: boolean;
  choices?: Array<{ name: string; value: string | number }>;
  autocomplete?: boolean;
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  channel_types?: ChannelType[];
  options?: SlashOption[];
}

/** One command as `PUT /applications/{id}/commands` takes it. */
export interface SlashCommand {
  type: ApplicationCommandType.ChatInput;
  name: string;
  description: string;
  options: SlashOption[];
  /** "32" (Manage Server) for moderator commands: hidden from other members until a server grants it. */
  default_member_permissions: string | null;
  contexts: InteractionContextType[];
  integration_types: ApplicationIntegrationType[];
}

/** Moderator commands are shown to members who may manage the server; admins can widen that. */
export const MODERATOR_PERMISSIONS = PermissionFlagsBits.ManageGuild.toString();

/** Where a post can go: text channels, announcements and threads. */
const POSTABLE_CHANNELS = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.AnnouncementThread,
];

function option(name: string, spec: OptionSpec): SlashOption {
  const base = { name, description: spec.description, ...(spec.required ? { required: true } : {}) };
  switch (spec.type) {
    case "string":
      return {
        ...base,
        type: ApplicationCommandOptionType.String,
        ...(spec.choices ? { choices: spec.choices.map((c) => ({ name: c.name, value: c.value })) } : {}),
        ...(spec.autocomplete && !spec.choices ? { autocomplete: true } : {}),
        ...(spec.minLength !== undefined ? { min_length: spec.minLength } : {}),
        ...(spec.maxLength !== undefined ? { max_length: spec.maxLength } : {}),
      };
    case "integer":
      return {
        ...base,
        type: ApplicationCommandOptionType.Integer,
        ...(spec.choices ? { choices: spec.choices.map((c) => ({ name: c.name, value: c.value })) } : {}),
        ...(spec.autocomplete && !spec.choices ? { autocomplete: true } : {}),
        ...(spec.minValue !== undefined ? { min_value: spec.minValue } : {}),
        ...(spec.maxValue !== undefined ? { max_value: spec.maxValue } : {}),
      };
    // Amounts and decimals are text: Discord's NUMBER is a double and would round them.
    case "amount":
      return { ...base, type: ApplicationCommandOptionType.String, max_length: 64 };
    case "decimal":
      return { ...base, type: ApplicationCommandOptionType.String, max_length: 60 };
    // Tokens are suggested as the member types (the registry can grow without a redeploy).
    case "token":
      return { ...base, type: ApplicationCommandOptionType.String, autocomplete: true, max_length: 12 };
    case "boolean":
      return { ...base, type: ApplicationCommandOptionType.Boolean };
    case "user":
      return { ...base, type: ApplicationCommandOptionType.User };
    case "channel":
      return { ...base, type: ApplicationCommandOptionType.Channel, channel_types: POSTABLE_CHANNELS };
    case "attachment":
      return { ...base, type: ApplicationCommandOptionType.Attachment };
  }
}

/** A leaf's options with the required ones first, as Discord demands, otherwise in spec order. */
export function slashOptions(options: Options | undefined): SlashOption[] {
  const all = Object.entries<OptionSpec>(options ?? {}).map(([name, spec]) => option(name, spec));
  return [...all.filter((o) => o.required), ...all.filter((o) => !o.required)];
}

export function slashCommand(command: CommandSpec<unknown>): SlashCommand {
  const moderatorsOnly = leavesOf(command).every((leaf) => leaf.access === "moderator");
  const options: SlashOption[] = command.leaf ? slashOptions(command.leaf.options) : [];
  for (const [name, leaf] of Object.entries(command.subcommands ?? {})) {
    options.push({
      type: ApplicationCommandOptionType.Subcommand,
      name,
      description: leaf.description,
      options: slashOptions(leaf.options),
    });
  }
  for (const [name, group] of Object.entries(command.groups ?? {})) {
    options.push({
      type: ApplicationCommandOptionType.SubcommandGroup,
      name,
      description: group.description,
      options: Object.entries(group.subcommands).map(([sub, leaf]) => ({
        type: ApplicationCommandOptionType.Subcommand,
        name: sub,
        description: leaf.description,
        options: slashOptions(leaf.options),
      })),
    });
  }
  return {
    type: ApplicationCommandType.ChatInput,
    name: command.name,
    description: command.description,
    options,
    // Moderator commands only in servers, where the permission below applies (it does not in DMs);
    // the dispatcher and the services check the moderator list again whatever Discord shows.
    default_member_permissions: moderatorsOnly ? MODERATOR_PERMISSIONS : null,
    contexts: moderatorsOnly
      ? [InteractionContextType.Guild]
      : [InteractionContextType.Guild, InteractionContextType.BotDM],
    integration_types: [ApplicationIntegrationType.GuildInstall],
  };
}

/**
 * Commands that mix moderator-only subcommands with subcommands for everyone. Discord hides or
 * shows a whole command (default_member_permissions), never one subcommand, so such a command
 * would offer its moderator subcommands to every member: they belong in a command of their own
 * (the moderators' are under /admin). One line per command, saying which subcommands to move.
 */
export function mixedAccessProblems(commands: Iterable<CommandSpec<unknown>>): string[] {
  const problems: string[] = [];
  for (const command of commands) {
    const leaves = leavesOf(command);
    const moderatorOnly = leaves.filter((l) => l.access === "moderator");
    if (moderatorOnly.length === 0 || moderatorOnly.length === leaves.length) continue;
    problems.push(
      `/${command.name} mixes moderator-only subcommands (${moderatorOnly.map((l) => `/${l.path.join(" ")}`).join(", ")}) ` +
        "with subcommands for everyone; Discord would show them to every member: move them into a moderator command such as /admin.",
    );
  }
  return problems;
}

export function slashCommands(commands: Iterable<CommandSpec<unknown>>): SlashCommand[] {
  return [...commands].map(slashCommand);
}
