// The Telegram front end: a grammY bot whose updates go through the one command core.
//   /fund pool:3 amount:50 token:USDC      typed like on the console (subcommands as words)
//   a document or photo with a command     fills the command's file option
//   /start ref_<code>                      a referral deep link
// Middleware order (after the grammY template): error boundary -> drop redelivered updates ->
// one update at a time per chat -> features -> a hint for anything else. The update id is the
// idempotency key; personal answers asked for in a group go to the member's private chat.

import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type Context, GrammyError } from "grammy";
import type { Message } from "grammy/types";
import { parseCommandLine } from "#src/core/command-line.ts";
import type { Dispatcher, Invocation } from "#src/core/dispatch.ts";
import { isUserError } from "#src/core/errors.ts";
import { markupToPlain } from "#src/core/markup.ts";
import type { Reply } from "#src/core/reply.ts";
import type { AttachmentOptionSpec, OptionSpec } from "#src/core/spec.ts";
import type { Logger } from "#src/log.ts";
import { loggable } from "../loggable.ts";
import { RecentEvents } from "../recent-events.ts";
import { truncate } from "../text-split.ts";
import { Guide, type GuideDeps } from "./guide.ts";
import { attachmentOf, userOf, withFiles, withRepliedMember } from "./message-content.ts";
import { escapeHtml, replaceMessage, type SendTarget, sendReply } from "./render.ts";
// Registers how the logs shorten this library's errors (../loggable.ts).
import "./errors.ts";

export interface TelegramDeps extends Omit<GuideDeps, "dispatcher"> {
  token: string;
  /** The Bot API root (TELEGRAM_API_ROOT): Telegram's, a local Bot API server, or a test's. */
  apiRoot: string;
  dispatcher: Dispatcher<unknown>;
  log: Logger;
  attachmentTimeoutMs: number;
}

/** The referral feature's command, run for `/start ref_<code>` once it exists. */
const REFERRAL_PATH = ["referral", "use"];
/** /cancel ends an open question; it is the front end's, like the console's /cancel. */
const CANCEL = "cancel";
/** Telegram shows a chat action for 5 seconds; it is sent again this often while work goes on. */
const CHAT_ACTION_REPEAT_MS = 4_000;

export function createBot(deps: TelegramDeps): Bot {
  const bot = new Bot(deps.token, { client: { apiRoot: deps.apiRoot } });
  // Flood limits (429) and Telegram's passing 5xx are waited out and retried.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 }));
  const front = new TelegramFrontEnd(deps);
  const recent = new RecentEvents();
  const safe = bot.errorBoundary((error) => {
    deps.log.error(
      { err: loggable(error.error), updateId: error.ctx.update.update_id },
      "telegram update failed",
    );
  });
  safe.use((ctx, next) => {
    if (recent.add(String(ctx.update.update_id))) return next();
    deps.log.info({ updateId: ctx.update.update_id }, "telegram update delivered twice; handled once");
  });
  safe.use(sequentialize((ctx: Context) => (ctx.chat?.id ?? ctx.from?.id)?.toString()));
  safe.command("start", (ctx) => front.start(ctx, typeof ctx.match === "string" ? ctx.match.trim() : ""));
  safe.on("callback_query:data", (ctx) => front.callback(ctx));
  safe.on(["message:text", "message:caption"], (ctx) => front.message(ctx));
  safe.on("message", (ctx) => front.unhandled(ctx));
  // Long polling reports errors here (the boundary above catches those of the features).
  bot.catch((error) => deps.log.error({ err: loggable(error.error) }, "telegram update failed"));
  return bot;
}

class TelegramFrontEnd {
  readonly #guide: Guide;

  constructor(private readonly deps: TelegramDeps) {
    this.#guide = new Guide(deps);
  }

  async start(ctx: Context, payload: string): Promise<void> {
    const referral = /^ref_([A-Za-z0-9_-]{1,56})$/.exec(payload);
    if (referral && this.has(REFERRAL_PATH)) {
      await this.run(ctx, { ...this.origin(ctx), path: REFERRAL_PATH, options: { code: referral[1]! } });
      return;
    }
    const name = ctx.from ? userOf(ctx.from).displayName : "there";
    await this.deliver(ctx, {
      title: `Welcome to Forgebot, ${name}!`,
      text:
        "Forgebot runs the pools, payouts and rewards of this community. Type /help to see the commands, " +
        "e.g. /balance. Options are written name:value, like /history token:USDC.",
      tone: "info",
    });
  }

  async message(ctx: Context): Promise<void> {
    const message = ctx.message!;
    const text = message.text ?? message.caption ?? "";
    if (!text.startsWith("/")) {
      await this.answerQuestion(ctx, text);
      return;
    }
    // In a group, a command addressed to another bot (/cmd@otherbot), or one no one here knows
    // and not addressed to us (/mute @bob 1h, another bot's), is not ours: say nothing, before
    // reading its options as ours would be read.
    const head = /^\/([^\s@]+)(?:@(\S+))?/.exec(text);
    const addressedTo = head?.[2];
    if (addressedTo && addressedTo.toLowerCase() !== ctx.me.username.toLowerCase()) return;
    const name = head?.[1]?.toLowerCase() ?? "";
    const ours = this.deps.dispatcher.commands.get(name) !== undefined || name === CANCEL;
    if (ctx.chat?.type !== "private" && !addressedTo && !ours) return;
    let parsed: ReturnType<typeof parseCommandLine>;
    try {
      // A command we do not have is answered as such, whatever its options look like.
      parsed = parseCommandLine(ours ? text : text.split(/\s/)[0]!, ctx.me.username);
    } catch (error) {
      if (!isUserError(error) || error.code === "not_for_this_bot") return;
      await this.deliver(ctx, { text: error.message, tone: "error" });
      return;
    }
    if (!parsed) return;
    const user = userOf(ctx.from!);
    if (parsed.path[0] === CANCEL && !this.deps.dispatcher.commands.get(CANCEL)) {
      const dropped = await this.#guide.drop(user, "cancelled");
      await this.deliver(ctx, {
        text:
          dropped.length > 0
            ? `Cancelled ${dropped.join(", ")}: nothing was done.`
            : "There is no question of mine waiting for an answer.",
        tone: "info",
      });
      return;
    }
    // A new command ends any question left unanswered.
    await this.#guide.drop(user, "superseded");
    const specs = this.optionSpecs(parsed.path);
    const options = withFiles(ctx, specs, withRepliedMember(ctx.message!, specs, parsed.options), this.deps);
    await this.run(ctx, { ...this.origin(ctx), path: parsed.path, options });
  }

  async callback(ctx: Context): Promise<void> {
    const query = ctx.callbackQuery!;
    let answered = false;
    const answer = async (text?: string) => {
      if (answered) return;
      answered = true;
      await ctx.answerCallbackQuery(text ? { text: truncate(text, 200), show_alert: true } : {});
    };
    try {
      const data = query.data ?? "";
      if (Guide.isChoice(data)) {
        let completed: Awaited<ReturnType<Guide["choose"]>>;
        try {
          completed = await this.#guide.choose(userOf(query.from), data);
        } catch (error) {
          if (!isUserError(error)) throw error;
          await answer(error.message);
          return;
        }
        await answer();
        if (query.message)
          await ctx.api.editMessageReplyMarkup(query.message.chat.id, query.message.message_id, {
            reply_markup: { inline_keyboard: [] },
          });
        await this.run(ctx, { ...this.origin(ctx), ...completed });
        return;
      }
      const result = await this.deps.dispatcher.press({ ...this.origin(ctx), buttonId: data });
      if (!result.ok) {
        // An alert is plain text: the reply's markup shows as what it reads.
        await answer(markupToPlain(result.reply.text));
        return;
      }
      await answer();
      const message = query.message as Message | undefined;
      if (!message) return;
      if (result.reply.personal && message.chat.type !== "private") {
        await this.sendPrivately(ctx, result.reply);
        return;
      }
      await replaceMessage(ctx.api, message, result.reply);
    } finally {
      // Every press is answered, or the member's button keeps spinning.
      await answer().catch((error: unknown) =>
        this.deps.log.warn({ err: loggable(error) }, "could not answer a callback"),
      );
    }
  }

  /** Any other message: a file may answer an open question; else a hint in a private chat. */
  async unhandled(ctx: Context): Promise<void> {
    const message = ctx.message;
    if (message?.document || message?.photo) {
      await this.answerQuestion(ctx, "");
      return;
    }
    await this.hint(ctx);
  }

  private async hint(ctx: Context): Promise<void> {
    if (ctx.chat?.type !== "private") return;
    await this.deliver(ctx, { text: "Commands start with a slash: type /help to see them.", tone: "info" });
  }

  /**
   * A message that is not a command (text, or a document or photo): the answer to the member's open
   * question, else a hint in a private chat. In a group only replies to the bot are read.
   */
  private async answerQuestion(ctx: Context, text: string): Promise<void> {
    const message = ctx.message!;
    const repliesToBot = message.reply_to_message?.from?.id === ctx.me.id;
    if (ctx.chat?.type !== "private" && !repliesToBot) return;
    if (!ctx.from) return;
    let completed: Awaited<ReturnType<Guide["answer"]>>;
    try {
      completed = await this.#guide.answer(userOf(ctx.from), {
        text,
        repliesToBot,
        ...(message.document || message.photo
          ? { file: (spec: AttachmentOptionSpec) => attachmentOf(ctx, spec.maxBytes, this.deps)! }
          : {}),
      });
    } catch (error) {
      if (!isUserError(error)) throw error;
      await this.deliver(ctx, { text: error.message, tone: "error" });
      return;
    }
    if (completed) {
      await this.run(ctx, { ...this.origin(ctx), ...completed });
      return;
    }
    await this.hint(ctx);
  }

  /** Runs a command; asks for what it lacks when the guide can, else shows the outcome. */
  private async run(ctx: Context, invocation: Invocation): Promise<void> {
    // A file is fetched and checked before the answer: the member sees "sending a file…" meanwhile.
    const withFile = Object.values(invocation.options).some(
      (v) => typeof v === "object" && v.kind === "attachment",
    );
    const stopAction = withFile ? this.chatAction(ctx, "upload_document") : undefined;
    let result: Awaited<ReturnType<Dispatcher<unknown>["dispatch"]>>;
    try {
      result = await this.deps.dispatcher.dispatch(invocation);
    } finally {
      stopAction?.();
    }
    if (!result.ok) {
      const question = await this.#guide.ask(invocation, result);
      if (question) {
        await ctx.api.sendMessage(ctx.chat!.id, question.html, {
          ...this.target(ctx),
          parse_mode: "HTML",
          reply_markup: question.markup,
        });
        return;
      }
    }
    await this.deliver(ctx, result.reply);
  }

  /** Answers in the chat; personal answers asked for in a group go to the member's private chat. */
  private async deliver(ctx: Context, reply: Reply): Promise<void> {
    const chat = ctx.chat!;
    if (reply.personal && chat.type !== "private") {
      await this.sendPrivately(ctx, reply);
      return;
    }
    await sendReply(ctx.api, chat.id, reply, this.target(ctx));
  }

  private async sendPrivately(ctx: Context, reply: Reply): Promise<void> {
    const from = ctx.from!;
    const mention = `<a href="tg://user?id=${from.id}">${escapeHtml(userOf(from).displayName)}</a>`;
    let pointer: string;
    try {
      await sendReply(ctx.api, from.id, reply);
      pointer = `${mention}, I sent you the answer in our private chat.`;
    } catch (error) {
      // Telegram lets a bot write to someone only after they have started a chat with it.
      if (!(error instanceof GrammyError && (error.error_code === 403 || error.error_code === 400)))
        throw error;
      pointer =
        `${mention}, this answer is private and I cannot message you yet: open a chat with ` +
        `@${escapeHtml(ctx.me.username)}, press Start, then send the command there.`;
    }
    await ctx.api.sendMessage(ctx.chat!.id, pointer, { ...this.target(ctx), parse_mode: "HTML" });
  }

  /** Replies go under the command that asked (and in its forum topic). */
  private target(ctx: Context): SendTarget {
    const message = ctx.message;
    if (!message) return {};
    return {
      reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
      ...(message.is_topic_message && message.message_thread_id
        ? { message_thread_id: message.message_thread_id }
        : {}),
    };
  }

  private origin(ctx: Context): Omit<Invocation, "path" | "options"> {
    const chat = ctx.chat;
    return {
      platform: "telegram",
      eventId: String(ctx.update.update_id),
      user: userOf(ctx.from!),
      ...(chat
        ? {
            channel: {
              platform: "telegram",
              id: String(chat.id),
              ...("title" in chat && chat.title ? { name: chat.title } : {}),
            },
          }
        : {}),
      isPrivateChat: chat?.type === "private",
      ...(ctx.from?.language_code ? { locale: ctx.from.language_code } : {}),
    };
  }

  /**
   * Shows a chat action ("sending a file…") until the returned function is called: Telegram shows
   * one for 5 seconds, so it is sent again every 4. Failures are only logged.
   */
  private chatAction(ctx: Context, action: "typing" | "upload_document"): () => void {
    const chatId = ctx.chat?.id;
    if (chatId === undefined) return () => {};
    const thread = ctx.message?.is_topic_message ? ctx.message.message_thread_id : undefined;
    const send = () =>
      void ctx.api
        .sendChatAction(chatId, action, thread ? { message_thread_id: thread } : {})
        .catch((error: unknown) =>
          this.deps.log.warn({ err: loggable(error) }, "could not send a chat action"),
        );
    send();
    const timer = setInterval(send, CHAT_ACTION_REPEAT_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** The options of the command at `path`, or none when there is no such command. */
  private optionSpecs(path: readonly string[]): Record<string, OptionSpec> {
    return this.has(path) ? (this.deps.dispatcher.commands.resolve(path).leaf.options ?? {}) : {};
  }

  private has(path: readonly string[]): boolean {
    try {
      this.deps.dispatcher.commands.resolve(path);
      return true;
    } catch {
      return false;
    }
  }
}
