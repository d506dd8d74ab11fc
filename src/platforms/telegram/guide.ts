// Guided input for typed commands on Telegram. When a command lacks a value it needs (or got one
// that is not among its choices), the bot asks for it instead of only refusing: an inline keyboard
// when the value has choices (a subcommand, a token, yes/no, a spec's choices or suggestions), a
// reply prompt otherwise (a file is sent as a document or photo in reply). The partly typed command
// waits as a draft in the database (any replica can take the answer), owned by the member, answered
// at most once; the completed command then runs through the dispatcher like any other, with the
// answering update's id as its key. A draft ends when answered, on /cancel, when the member sends
// another command, or when it expires; plain text is read as its answer only when it replies to the
// question or comes right after it (within ANSWER_WINDOW_MS), so an abandoned question never turns
// later chat into an option.
import type { ForceReply, InlineKeyboardMarkup } from "grammy/types";
import type { PendingActions } from "#src/core/actions.ts";
import type { Clock } from "#src/core/clock.ts";
import type { PlatformUser } from "#src/core/context.ts";
import type { Dispatcher, DispatchResult, Invocation } from "#src/core/dispatch.ts";
import { UserError } from "#src/core/errors.ts";
import { exampleFor, type RawAttachment, type RawOptionValue } from "#src/core/options.ts";
import type { AttachmentOptionSpec, Choice, OptionSpec, UserRef } from "#src/core/spec.ts";
import type { TxClient } from "#src/db/database.ts";
import { escapeHtml, markupToHtml } from "./markup-html.ts";
import { TELEGRAM_LIMITS } from "./render.ts";

export interface GuideDeps {
  dispatcher: Dispatcher<unknown>;
  actions: PendingActions;
  db: TxClient;
  clock: Clock;
  ensureUser(user: PlatformUser): Promise<UserRef>;
}

export interface Question {
  html: string;
  markup: InlineKeyboardMarkup | ForceReply;
}

/** What a draft becomes once answered: the command to run. */
export type Completed = Pick<Invocation, "path" | "options">;

const PREFIX = "in:";
/** The subcommand slot in callback data; option slots are the option's index in its spec. */
const SUBCOMMAND = "s";
const KEYBOARD_LIMIT = 24;
/** A message that does not reply to the question still answers it this soon after it was asked. */
export const ANSWER_WINDOW_MS = 2 * 60 * 1000;

/** What a member sent in answer to a question: text, or a file (built for the option's limits). */
export interface Answer {
  text: string;
  file?: (spec: AttachmentOptionSpec) => RawAttachment;
  /** Whether the message replies to one of the bot's messages (the question, with force_reply). */
  repliesToBot: boolean;
}

const expired = () =>
  new UserError(
    "question_expired",
    "This question has expired or was already answered. Run the command again.",
  );

export class Guide {
  constructor(private readonly deps: GuideDeps) {}

  static isChoice(data: string): boolean {
    return data.startsWith(PREFIX);
  }

  /** After a failed dispatch: a question that asks for what was missing, or undefined. */
  async ask(invocation: Invocation, result: DispatchResult): Promise<Question | undefined> {
    const registry = this.deps.dispatcher.commands;
    if (result.code === "missing_subcommand") {
      const depth = invocation.path.length;
      const next = [
        ...new Set(
          registry
            .leaves()
            .filter((l) => invocation.path.every((part, i) => l.path[i] === part) && l.path.length > depth)
            .map((l) => l.path[depth]!),
        ),
      ];
      if (next.length === 0) return undefined;
      const draft = await this.draft(invocation, invocation.options);
      return {
        html: `<b>/${escapeHtml(invocation.path.join(" "))}</b> does several things. Choose one, or send /cancel:`,
        markup: keyboard(
          next.map((word) => ({
            label: `/${[...invocation.path, word].join(" ")}`,
            data: callback(draft, SUBCOMMAND, word),
          })),
        ),
      };
    }
    if (result.code !== "missing_option" && result.code !== "invalid_option") return undefined;
    const option = (result.reply.data as { error?: { option?: string } } | undefined)?.error?.option;
    const specs = registry.resolve(invocation.path).leaf.options ?? {};
    const spec: OptionSpec | undefined = option ? specs[option] : undefined;
    if (!option || !spec) return undefined;
    const choices = await this.choicesFor(invocation, option, spec);
    if (result.code === "invalid_option" && choices.length === 0) return undefined;
    const { [option]: _asked, ...kept } = invocation.options;
    const draft = await this.draft(invocation, kept);
    const slot = String(Object.keys(specs).indexOf(option));
    const buttons = choices
      .map((c) => ({ label: c.name, data: callback(draft, slot, String(c.value)) }))
      .filter((b) => Buffer.byteLength(b.data) <= TELEGRAM_LIMITS.callbackData)
      .slice(0, KEYBOARD_LIMIT);
    // A missing value is asked for in Telegram's terms; a refused one keeps the reason it was refused.
    const command = `<b>/${escapeHtml(invocation.path.join(" "))}</b>`;
    const why =
      result.code === "missing_option"
        ? `${command} needs the <b>${escapeHtml(option)}</b> (${escapeHtml(spec.description)}).`
        : markupToHtml(result.reply.text);
    if (buttons.length > 0) {
      return {
        html: `${why}\n\nChoose the <b>${escapeHtml(option)}</b>, or send /cancel:`,
        markup: keyboard(buttons),
      };
    }
    const how =
      spec.type === "attachment"
        ? "Send it as a file (📎 → File) in reply to this message"
        : `Reply to this message with the <b>${escapeHtml(option)}</b>`;
    return {
      html: `${why}\n\n${how}, or send /cancel.`,
      markup: {
        force_reply: true,
        selective: true,
        input_field_placeholder:
          spec.type === "attachment"
            ? "📎 attach the file"
            : exampleFor(option, spec)
                .slice(option.length + 1)
                .replace(/^"|"$/g, "")
                .slice(0, 64),
      },
    };
  }

  /** A keyboard button of a question: the command it completes. Throws UserError when stale. */
  async choose(user: PlatformUser, data: string): Promise<Completed> {
    const match = /^in:([a-z0-9]{4,32}):([a-z0-9]+):(.*)$/s.exec(data);
    if (!match) throw expired();
    const [, id, slot, value] = match as unknown as [string, string, string, string];
    const draft = await this.claim(user, id);
    if (slot === SUBCOMMAND) return { path: [...draft.path, value], options: draft.options };
    const names = Object.keys(this.deps.dispatcher.commands.resolve(draft.path).leaf.options ?? {});
    const option = names[Number(slot)];
    if (!option) throw expired();
    return { path: draft.path, options: { ...draft.options, [option]: value } };
  }

  /**
   * A message from a member with an open question (text, or a document or photo): the command it
   * completes, or undefined when nothing is waiting for this message. Throws UserError (the
   * question stays open) when it asks for a file and got text, or the other way round.
   */
  async answer(user: PlatformUser, reply: Answer): Promise<Completed | undefined> {
    const { actions, db, clock, dispatcher } = this.deps;
    const owner = await this.deps.ensureUser(user);
    const now = clock.now();
    const open = await actions.latestOpen(db, owner.userId, now, "draft");
    if (!open) return undefined;
    // Chat long after an unanswered question is chat, not an answer.
    if (!reply.repliesToBot && now.getTime() - open.createdAt.getTime() > ANSWER_WINDOW_MS) return undefined;
    const value = reply.text.trim();
    let awaited: [string, OptionSpec] | undefined;
    try {
      const specs = Object.entries<OptionSpec>(dispatcher.commands.resolve(open.path).leaf.options ?? {});
      awaited = specs.find(([name, spec]) => spec.required && open.options[name] === undefined);
      if (!awaited) return undefined;
    } catch {
      // The draft waits for a subcommand: the answer is its name.
      if (!value) return undefined;
      const draft = await this.claim(user, open.id);
      return { path: [...draft.path, value.replace(/^\//, "").toLowerCase()], options: draft.options };
    }
    const [name, spec] = awaited;
    const command = `/${open.path.join(" ")}`;
    if (spec.type === "attachment") {
      if (!reply.file)
        throw new UserError(
          "file_expected",
          `${command} is waiting for the ${name} as a file: attach it (📎 → File) in reply to my question, or send /cancel.`,
        );
      const draft = await this.claim(user, open.id);
      return { path: draft.path, options: { ...draft.options, [name]: reply.file(spec) } };
    }
    if (!value)
      throw new UserError(
        "text_expected",
        `${command} is waiting for the ${name} (${spec.description}) as text: reply to my question with it, or send /cancel.`,
      );
    const draft = await this.claim(user, open.id);
    return { path: draft.path, options: { ...draft.options, [name]: value } };
  }

  /** Ends the member's open questions (/cancel, or another command): the commands they named. */
  async drop(user: PlatformUser, resolution: "cancelled" | "superseded"): Promise<string[]> {
    const { actions, db, clock } = this.deps;
    const owner = await this.deps.ensureUser(user);
    const now = clock.now();
    const open =
      resolution === "cancelled" ? await actions.latestOpen(db, owner.userId, now, "draft") : undefined;
    const ended = await actions.endOpen(db, owner.userId, "draft", resolution, now);
    return ended > 0 && open ? [`/${open.path.join(" ")}`] : [];
  }

  private async choicesFor(
    invocation: Invocation,
    option: string,
    spec: OptionSpec,
  ): Promise<Array<Choice<string | number>>> {
    if ((spec.type === "string" || spec.type === "integer") && spec.choices) return [...spec.choices];
    if (spec.type === "boolean")
      return [
        { name: "Yes", value: "yes" },
        { name: "No", value: "no" },
      ];
    return this.deps.dispatcher.autocomplete(invocation, option, "");
  }

  private async draft(invocation: Invocation, options: Record<string, RawOptionValue>): Promise<string> {
    const owner = await this.deps.ensureUser(invocation.user);
    // Files cannot wait in a draft; the member sends them with the completed command.
    const storable = Object.fromEntries(
      Object.entries(options).filter(([, v]) => typeof v !== "object" || v.kind !== "attachment"),
    );
    const action = await this.deps.actions.create(
      this.deps.db,
      { userId: owner.userId, kind: "draft", path: invocation.path, options: storable, platform: "telegram" },
      this.deps.clock.now(),
    );
    return action.id;
  }

  /** The member's open draft, marked answered so that it completes one command only. */
  private async claim(user: PlatformUser, id: string) {
    const { actions, db, clock } = this.deps;
    const draft = await actions.get(db, id);
    if (draft?.kind !== "draft" || draft.expiresAt.getTime() <= clock.now().getTime()) throw expired();
    const owner = await this.deps.ensureUser(user);
    if (draft.userId !== owner.userId)
      throw new UserError(
        "not_your_question",
        "This question belongs to someone else's command. Run the command yourself.",
      );
    if (!(await actions.resolve(db, id, "confirmed", clock.now()))) throw expired();
    return draft;
  }
}

function callback(draft: string, slot: string, value: string): string {
  return `${PREFIX}${draft}:${slot}:${value}`;
}

function keyboard(buttons: Array<{ label: string; data: string }>): InlineKeyboardMarkup {
  const rows: InlineKeyboardMarkup["inline_keyboard"] = [];
  for (let i = 0; i < buttons.length; i += TELEGRAM_LIMITS.buttonsPerRow) {
    rows.push(
      buttons
        .slice(i, i + TELEGRAM_LIMITS.buttonsPerRow)
        .map((b) => ({ text: b.label, callback_data: b.data })),
    );
  }
  return { inline_keyboard: rows };
}
