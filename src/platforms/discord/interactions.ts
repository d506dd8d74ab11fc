// Discord interactions -> the dispatcher -> Discord messages. discord.js parses every interaction
// (from the gateway, or from the HTTP endpoint through the same action the gateway uses), and this
// front end answers it: within Discord's 3 seconds it answers the command itself when the command
// finishes by the acknowledger's deadline (counted from the interaction's arrival; over the HTTP
// endpoint the answer is the HTTP response, over the gateway a direct reply), and otherwise
// acknowledges (a "thinking…" deferral, ephemeral for personal replies) and edits the answer in
// when the command is done. At most `commandsInFlight` commands run at once (src/platforms/admission.ts):
// the rest wait their turn, so the loop stays responsive and deferrals go out on time.
// Slash commands -> dispatcher.dispatch, autocomplete -> dispatcher.autocomplete, buttons (whose
// custom_id is the core's button id) -> dispatcher.press. The interaction id is the idempotency key.
import {
  type AutocompleteInteraction,
  type BaseInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  Events,
  type InteractionEditReplyOptions,
  type InteractionReplyOptions,
  MessageFlags,
} from "discord.js";
import type { Dispatcher, DispatchResult } from "#src/core/dispatch.ts";
import type { Reply } from "#src/core/reply.ts";
import type { Choice } from "#src/core/spec.ts";
import type { Logger } from "#src/log.ts";
import { Admission, DEFAULT_COMMANDS_IN_FLIGHT } from "../admission.ts";
import { loggable } from "../loggable.ts";
import { RecentEvents } from "../recent-events.ts";
import { truncate } from "../text-split.ts";
import type { CommandIds } from "./command-ids.ts";
import type { FollowUpRoutes } from "./follow-ups.ts";
import { optionsOf, originOf, pathOf } from "./invocation.ts";
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
   * When (performance.now()) the first answer must go: the interaction's arrival plus the inline
   * budget. An answer ready by then is the first answer itself (no edit afterwards); otherwise the
   * command is deferred then. At or before arrival: always defer first.
   */
  readonly answerBy: number;
  /** Answers a command with its message (the budget was met). */
  reply(interaction: ChatInputCommandInteraction, message: DiscordMessage, ephemeral: boolean): Promise<void>;
  deferReply(interaction: ChatInputCommandInteraction, ephemeral: boolean): Promise<void>;
  deferUpdate(interaction: ButtonInteraction): Promise<void>;
  autocomplete(interaction: AutocompleteInteraction, choices: Autocomplete): Promise<void>;
  /** A kind of interaction this bot does not handle (a modal, a context menu). */
  unsupported(interaction: BaseInteraction): Promise<void>;
}

/**
 * Over the gateway the first answer is a REST callback either way: the answer itself (type 4)
 * when it is ready by `answerBy`, else a deferral. Discord's 3 seconds count from when it sent the
 * event, so the budget must leave room for the callback's own trip.
 */
export const gatewayAcknowledger = (answerBy: number): Acknowledger => ({
  answerBy,
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
});

export interface DiscordFrontEndOptions {
  log: Logger;
  /** How long downloading an attachment may take. */
  attachmentTimeoutMs: number;
  /** Where each member's latest interaction is remembered, for notices sent as follow-ups. */
  followUps?: FollowUpRoutes;
  /** The slash commands' ids, learned from interactions, for clickable command mentions. */
  commandIds?: CommandIds;
  /**
   * Over the gateway: how long after its arrival a command may take to be answered directly
   * (DISCORD_INLINE_ANSWER_MS); a slower one is deferred. Default 0: always defer. (Over the HTTP
   * endpoint each request's acknowledger carries its own deadline.)
   */
  inlineAnswerMs?: number;
  /**
   * Commands (and button presses, autocompletes) run at once; the rest wait, and a command that
   * must wait is deferred at once. 0: no limit. Default: DEFAULT_COMMANDS_IN_FLIGHT.postgres.
   */
  commandsInFlight?: number;
}

export class DiscordFrontEnd {
  readonly #recent = new RecentEvents();
  /** Interactions that arrived over HTTP, by id: their first answer goes into the HTTP response. */
  readonly #acknowledgers = new Map<string, Acknowledger>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #admission: Admission;
  #accepting = true;

  constructor(
    private readonly dispatcher: Dispatcher<unknown>,
    private readonly options: DiscordFrontEndOptions,
  ) {
    this.#admission = new Admission(options.commandsInFlight ?? DEFAULT_COMMANDS_IN_FLIGHT.postgres);
  }

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
      const acknowledger =
        this.#acknowledgers.get(interaction.id) ??
        gatewayAcknowledger(performance.now() + (this.options.inlineAnswerMs ?? 0));
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
    const invocation = {
      ...originOf(interaction),
      path,
      options: optionsOf(interaction, leaf?.options, this.options.attachmentTimeoutMs),
    };
    // A command that must wait for a slot will not be quick: it is deferred at once, so under load
    // the acknowledgement never waits on the queue (the budget only serves commands that start now).
    const mustWait = this.#admission.full;
    const dispatched = this.#admission.run(() => this.dispatcher.dispatch(invocation));
    const quick = await settledWithin(dispatched, mustWait ? 0 : ack.answerBy - performance.now());
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
    const invocation = { ...originOf(interaction), path: pathOf(interaction), options: {} };
    const choices = await this.#admission.run(() =>
      this.dispatcher.autocomplete(invocation, focused.name, String(focused.value)),
    );
    await ack.autocomplete(interaction, choices.slice(0, 25).map(discordChoice));
  }

  private async button(interaction: ButtonInteraction, ack: Acknowledger): Promise<void> {
    await ack.deferUpdate(interaction);
    const press = { ...originOf(interaction), buttonId: interaction.customId };
    const result = await this.#admission.run(() => this.dispatcher.press(press));
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
