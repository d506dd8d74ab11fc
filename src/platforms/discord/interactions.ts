// Discord interactions -> the dispatcher -> Discord messages. discord.js parses every interaction
// (from the gateway, or from the HTTP endpoint through the same action the gateway uses), and this
// front end answers it: within Discord's 3 seconds it answers the command itself when the command
// finishes within the acknowledger's budget (over the HTTP endpoint, in the HTTP response), and
// otherwise acknowledges (a "thinking…" deferral, ephemeral for personal replies) and edits the
// answer in when the command is done.
// Slash commands -> dispatcher.dispatch, autocomplete -> dispatcher.autocomplete, buttons (whose
// custom_id is the core's button id) -> dispatcher.press. The interaction id is the idempotency key.
import {
  ApplicationCommandOptionType,
  type AutocompleteInteraction,
  type BaseInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type CommandInteractionOption,
  Events,
  type InteractionEditReplyOptions,
  type InteractionReplyOptions,
  MessageFlags,
} from "discord.js";
import type { PlatformUser } from "#src/core/context.ts";
import type { Dispatcher, DispatchResult, Invocation } from "#src/core/dispatch.ts";
import type { RawOptionValue } from "#src/core/options.ts";
import type { Reply } from "#src/core/reply.ts";
import type { Choice, OptionSpec } from "#src/core/spec.ts";
import type { Logger } from "#src/log.ts";
import { fetchAvatar } from "../avatar.ts";
import { downloadFile } from "../download.ts";
import { loggable } from "../loggable.ts";
import { RecentEvents } from "../recent-events.ts";
import { truncate } from "../text-split.ts";
import type { CommandIds } from "./command-ids.ts";
import type { FollowUpRoutes } from "./follow-ups.ts";
import { type DiscordMessage, renderReply } from "./render.ts";
// Registers how the logs shorten this library's errors (../loggable.ts).
import "./errors.ts";

type Autocomplete = Array<{ name: string; value: string | number }>;

/**
 * The first answer to an interaction. Over the gateway it is a REST callback; over the HTTP
 * endpoint it is the body of the HTTP response. Everything after it (edits, follow-ups) is REST.
 */
export interface Acknowledger {
  /**
   * How long a command may run before it is deferred; an answer ready by then is the first answer
   * itself (no edit afterwards). 0: always defer first.
   */
  readonly inlineBudgetMs: number;
  /** Answers a command with its message (the budget was met). */
  reply(interaction: ChatInputCommandInteraction, message: DiscordMessage, ephemeral: boolean): Promise<void>;
  deferReply(interaction: ChatInputCommandInteraction, ephemeral: boolean): Promise<void>;
  deferUpdate(interaction: ButtonInteraction): Promise<void>;
  autocomplete(interaction: AutocompleteInteraction, choices: Autocomplete): Promise<void>;
  /** A kind of interaction this bot does not handle (a modal, a context menu). */
  unsupported(interaction: BaseInteraction): Promise<void>;
}

export const gatewayAcknowledger: Acknowledger = {
  // Over the gateway the first answer is a REST call either way: defer at once, as before.
  inlineBudgetMs: 0,
  async reply(interaction, message, ephemeral) {
    await interaction.reply(asReply(message, ephemeral));
  },
  async deferReply(interaction, ephemeral) {
    await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  },
  async deferUpdate(interaction) {
    await interaction.deferUpdate();
  },
  async autocomplete(interaction, choices) {
    await interaction.respond(choices);
  },
  async unsupported(interaction) {
    if (interaction.isRepliable())
      await interaction.reply({
        content: "This is not something Forgebot handles.",
        flags: MessageFlags.Ephemeral,
      });
  },
};

export interface DiscordFrontEndOptions {
  log: Logger;
  /** How long downloading an attachment may take. */
  attachmentTimeoutMs: number;
  /** Where each member's latest interaction is remembered, for notices sent as follow-ups. */
  followUps?: FollowUpRoutes;
  /** The slash commands' ids, learned from interactions, for clickable command mentions. */
  commandIds?: CommandIds;
}

export class DiscordFrontEnd {
  readonly #recent = new RecentEvents();
  /** Interactions that arrived over HTTP, by id: their first answer goes into the HTTP response. */
  readonly #acknowledgers = new Map<string, Acknowledger>();
  readonly #running = new Map<string, Promise<void>>();
  #accepting = true;

  constructor(
    private readonly dispatcher: Dispatcher<unknown>,
    private readonly options: DiscordFrontEndOptions,
  ) {}

  /** Handles the interactions `client` emits (from its gateway, or fed by `feed`). */
  attach(client: Client): void {
    client.on(Events.InteractionCreate, (interaction) => {
      if (!this.#accepting) {
        // Shutting down over the gateway: better unanswered (Discord tells the member to try
        // again) than started and cut off. The HTTP endpoint refuses these before they get here.
        this.options.log.info(
          { interactionId: interaction.id },
          "shutting down: discord interaction not taken",
        );
        return;
      }
      const acknowledger = this.#acknowledgers.get(interaction.id) ?? gatewayAcknowledger;
      this.#acknowledgers.delete(interaction.id);
      const task = this.handle(interaction, acknowledger);
      this.#running.set(interaction.id, task);
      void task.finally(() => {
        if (this.#running.get(interaction.id) === task) this.#running.delete(interaction.id);
      });
    });
  }

  /**
   * Feeds a raw interaction (the HTTP endpoint's body) through discord.js's own INTERACTION_CREATE
   * action, as if it had come over the gateway; `acknowledger` gives the first answer. Resolves
   * when it has been handled; undefined when discord.js emitted nothing (a kind it does not know).
   */
  feed(client: Client, raw: { id: string }, acknowledger: Acknowledger): Promise<void> | undefined {
    this.#acknowledgers.set(raw.id, acknowledger);
    try {
      // The action discord.js's gateway handler calls for INTERACTION_CREATE; it emits synchronously.
      (
        client as unknown as { actions: { InteractionCreate: { handle(data: unknown): void } } }
      ).actions.InteractionCreate.handle(raw);
    } finally {
      this.#acknowledgers.delete(raw.id);
    }
    return this.#running.get(raw.id);
  }

  /** Takes no new interactions from now on (shutdown); those under way go on. */
  stopAccepting(): void {
    this.#accepting = false;
  }

  /** Resolves when every interaction being handled has been answered (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
  }

  private async handle(interaction: BaseInteraction, ack: Acknowledger): Promise<void> {
    try {
      if (!this.#recent.add(interaction.id)) {
        this.options.log.info(
          { interactionId: interaction.id },
          "discord interaction delivered twice; answered once",
        );
        return;
      }
      if (interaction.isAutocomplete()) {
        await this.autocomplete(interaction, ack);
        return;
      }
      if (!interaction.isChatInputCommand() && !interaction.isButton()) {
        await ack.unsupported(interaction);
        return;
      }
      // Notices for this member may follow up on this interaction once its own answer is in.
      const answered = this.options.followUps?.remember(
        interaction.user.id,
        interaction.applicationId,
        interaction.token,
      );
      try {
        if (interaction.isChatInputCommand()) await this.command(interaction, ack);
        else await this.button(interaction, ack);
      } finally {
        answered?.();
      }
    } catch (error) {
      this.options.log.warn(
        { err: loggable(error), interactionId: interaction.id },
        "could not answer a discord interaction",
      );
    }
  }

  private async command(interaction: ChatInputCommandInteraction, ack: Acknowledger): Promise<void> {
    const path = pathOf(interaction);
    this.options.commandIds?.learn(interaction.commandName, interaction.commandId);
    // Personal and ephemeral commands are answered privately from the start; so are unknown ones.
    const leaf = this.leafOf(path);
    const ephemeral = leaf ? Boolean(leaf.personal || leaf.ephemeral) : true;
    const dispatched = this.dispatcher.dispatch({
      ...this.origin(interaction),
      path,
      options: this.optionsOf(interaction, leaf?.options),
    });
    const quick = await settledWithin(dispatched, ack.inlineBudgetMs);
    if (quick) {
      await this.answerAtOnce(interaction, ack, quick.value, ephemeral);
      return;
    }
    await ack.deferReply(interaction, ephemeral);
    await this.answer(interaction, await dispatched, ephemeral);
  }

  /** The first message is the answer itself; the rest (a long reply) follow up. */
  private async answerAtOnce(
    interaction: ChatInputCommandInteraction,
    ack: Acknowledger,
    result: DispatchResult,
    ephemeral: boolean,
  ): Promise<void> {
    // Nothing was shown yet, so errors and personal data can go privately from the start.
    const privately = ephemeral || !result.ok || Boolean(result.reply.personal);
    const [first, ...rest] = this.render(result.reply);
    await ack.reply(interaction, first!, privately);
    for (const message of rest) await interaction.followUp(asReply(message, privately));
  }

  private async autocomplete(interaction: AutocompleteInteraction, ack: Acknowledger): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const choices = await this.dispatcher.autocomplete(
      { ...this.origin(interaction), path: pathOf(interaction), options: {} },
      focused.name,
      String(focused.value),
    );
    await ack.autocomplete(interaction, choices.slice(0, 25).map(discordChoice));
  }

  private async button(interaction: ButtonInteraction, ack: Acknowledger): Promise<void> {
    await ack.deferUpdate(interaction);
    const result = await this.dispatcher.press({
      ...this.origin(interaction),
      buttonId: interaction.customId,
    });
    if (!result.ok) {
      // The message with the button stays as it was; only the presser sees why nothing happened.
      await interaction.followUp(asReply(this.render(result.reply)[0]!, true));
      return;
    }
    const [first, ...rest] = this.render(result.reply);
    const ephemeral = interaction.message.flags.has(MessageFlags.Ephemeral);
    if (result.reply.personal && !ephemeral) {
      await interaction.followUp(asReply(first!, true));
    } else {
      await interaction.editReply(asEdit(first!));
    }
    for (const message of rest)
      await interaction.followUp(asReply(message, ephemeral || Boolean(result.reply.personal)));
  }

  /** Edits the deferred answer in; errors and personal data only ever reach the member who asked. */
  private async answer(
    interaction: ChatInputCommandInteraction,
    result: DispatchResult,
    deferredEphemeral: boolean,
  ): Promise<void> {
    const messages = this.render(result.reply);
    const privately = !result.ok || Boolean(result.reply.personal);
    if (privately && !deferredEphemeral) {
      // The public "thinking…" goes; the answer comes privately.
      await interaction.deleteReply();
      for (const message of messages) await interaction.followUp(asReply(message, true));
      return;
    }
    const [first, ...rest] = messages;
    await interaction.editReply(asEdit(first!));
    for (const message of rest) await interaction.followUp(asReply(message, deferredEphemeral));
  }

  private render(reply: Reply): DiscordMessage[] {
    const ids = this.options.commandIds;
    return renderReply(reply, ids ? (code) => ids.mention(code) : undefined);
  }

  private leafOf(path: string[]) {
    try {
      return this.dispatcher.commands.resolve(path).leaf;
    } catch {
      return undefined;
    }
  }

  private origin(interaction: BaseInteraction): Omit<Invocation, "path" | "options"> {
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

  private optionsOf(
    interaction: ChatInputCommandInteraction,
    specs: Readonly<Record<string, OptionSpec>> | undefined,
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
      const value = this.optionValue(option, specs?.[option.name]);
      if (value !== undefined) options[option.name] = value;
    }
    return options;
  }

  private optionValue(
    option: CommandInteractionOption,
    spec: OptionSpec | undefined,
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
          read: () =>
            downloadFile(file.url, file.name, { maxBytes: cap, timeoutMs: this.options.attachmentTimeoutMs }),
        };
      }
      default:
        return option.value ?? undefined;
    }
  }
}

/**
 * `work`'s value if it settles within `budgetMs`, else undefined (it goes on running; await it
 * later). A rejection within the budget is thrown here.
 */
export async function settledWithin<T>(
  work: Promise<T>,
  budgetMs: number,
): Promise<{ value: T } | undefined> {
  // The caller awaits `work` itself later; until then a rejection must not count as unhandled.
  work.catch(() => undefined);
  if (budgetMs <= 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, budgetMs, undefined);
  });
  try {
    return await Promise.race([work.then((value) => ({ value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

function pathOf(interaction: ChatInputCommandInteraction | AutocompleteInteraction): string[] {
  const group = interaction.options.getSubcommandGroup(false);
  const sub = interaction.options.getSubcommand(false);
  return [interaction.commandName, ...(group ? [group] : []), ...(sub ? [sub] : [])];
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

function discordChoice(choice: Choice<string | number>): { name: string; value: string | number } {
  return {
    name: truncate(choice.name, 100) || String(choice.value),
    value: typeof choice.value === "string" ? choice.value.slice(0, 100) : choice.value,
  };
}

function files(message: DiscordMessage) {
  return message.files.map((f) => ({
    attachment: f.data,
    name: f.name,
    ...(f.description ? { description: f.description } : {}),
  }));
}

function asEdit(message: DiscordMessage): InteractionEditReplyOptions {
  return {
    content: "",
    embeds: message.embeds,
    components: message.components,
    files: files(message),
    allowedMentions: { parse: [] },
  };
}

export function asReply(message: DiscordMessage, ephemeral: boolean): InteractionReplyOptions {
  return {
    embeds: message.embeds,
    components: message.components,
    files: files(message),
    allowedMentions: { parse: [] },
    ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
  };
}
