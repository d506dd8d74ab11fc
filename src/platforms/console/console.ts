// The terminal front end: an interactive prompt, or a script of lines from a file or standard input.
//   @alice /admin credit user:@bob amount:"1,000.5" token:USDC reason:"grant"
// A line names its user (@name; the default user otherwise), then the command as typed on Discord.
// Buttons become commands: /confirm and /cancel answer the latest confirmation, /next and /prev
// turn the pages of the latest list. --json prints one JSON object per command on standard output.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseCommandLine } from "#src/core/command-line.ts";
import type { PlatformUser } from "#src/core/context.ts";
import type { Dispatcher, DispatchResult } from "#src/core/dispatch.ts";
import { isUserError, UserError } from "#src/core/errors.ts";
import type { PlatformSender } from "#src/core/notifier.ts";
import type { Button, Reply } from "#src/core/reply.ts";
import { plainText, renderForTerminal } from "./render.ts";

export interface ConsoleOptions {
  /** Who runs a line that names no @user. */
  defaultUser: string;
  json: boolean;
  /** ANSI bold on an interactive terminal. */
  color: boolean;
  /** Where pictures are written (their path is printed). */
  imageDir: string;
  write(text: string): void;
}

/** One processed line, as --json prints it. */
export interface ConsoleRecord {
  line: number;
  user: string;
  command: string;
  ok: boolean;
  code: string;
  text: string;
  data?: unknown;
  errorId?: string;
  image?: string;
}

const USER_NAME = /^[a-z0-9_.-]{1,32}$/i;
const BUTTON_COMMANDS = new Set(["confirm", "cancel", "next", "prev"]);

export class ConsoleFrontEnd {
  readonly #session = randomBytes(4).toString("hex");
  readonly #lastButtons = new Map<string, Button[]>();
  #lineNumber = 0;
  /** Lines whose command failed on our side (not the user's mistakes). */
  internalErrors = 0;

  constructor(
    private readonly dispatcher: Dispatcher<unknown>,
    private readonly options: ConsoleOptions,
  ) {}

  /** Runs one line and prints its outcome; blank and comment lines do nothing. */
  async runLine(text: string): Promise<ConsoleRecord | undefined> {
    const line = ++this.#lineNumber;
    let userName = this.options.defaultUser;
    let result: DispatchResult;
    try {
      const parsed = parseCommandLine(text);
      if (!parsed) return undefined;
      userName = parsed.user ?? userName;
      if (!USER_NAME.test(userName)) {
        throw new UserError(
          "syntax",
          `"@${userName}" is not a user name: use letters, digits, _ . or -, at most 32.`,
        );
      }
      const user = this.userOf(userName);
      const eventId = `${this.#session}:${line}`;
      const verb = parsed.path[0]!;
      if (parsed.path.length === 1 && BUTTON_COMMANDS.has(verb)) {
        result = await this.pressFor(user, verb, eventId, parsed.options);
      } else {
        result = await this.dispatcher.dispatch({
          platform: "console",
          eventId,
          user,
          path: parsed.path,
          options: parsed.options,
          isPrivateChat: true,
          allowLocalFiles: true,
        });
      }
    } catch (error) {
      if (!isUserError(error)) throw error;
      result = { ok: false, code: error.code, reply: { text: error.message, tone: "error" } };
    }
    if (result.code === "internal") this.internalErrors++;
    // A moderators-only refusal ("Only moderators can ..."), not a rule that even moderators meet
    // (a creator never scores their own factory): on the console, say how to name moderators.
    if (result.code === "forbidden" && result.reply.text.startsWith("Only moderators can "))
      result = {
        ...result,
        reply: {
          ...result.reply,
          text: `${result.reply.text} On the console, name the moderators when you start it: npm start -- --moderators ${userName.toLowerCase()} (or MODERATORS=console:${userName.toLowerCase()} in .env).`,
        },
      };
    this.#lastButtons.set(userName.toLowerCase(), result.reply.buttons ?? []);
    return this.print(line, userName, text.trim(), result);
  }

  /** Runs every line of `input` in order. */
  async runScript(input: NodeJS.ReadableStream): Promise<void> {
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    for await (const text of lines) {
      if (!this.options.json && parseSafely(text)) this.options.write(`> ${text.trim()}\n`);
      await this.runLine(text);
    }
  }

  /** An interactive prompt until /quit or end of input. */
  async runInteractive(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<void> {
    const names = this.dispatcher.commands.leaves().map((l) => `/${l.path.join(" ")}`);
    const rl = createInterface({
      input,
      output,
      prompt: `${this.options.defaultUser}> `,
      completer: (line: string) => {
        const hits = names.filter((n) => n.startsWith(line));
        return [hits.length ? hits : names, line];
      },
    });
    this.options.write(
      `Forgebot console. You are @${this.options.defaultUser}; start a line with @name to act as someone else.\n` +
        `Type /help for the commands, /quit to leave.\n`,
    );
    rl.prompt();
    for await (const text of rl) {
      if (/^\s*\/(quit|exit)\s*$/.test(text)) break;
      await this.runLine(text);
      rl.prompt();
    }
    rl.close();
  }

  /** Delivers notices (grades, reports) and channel posts to this terminal. */
  sender(): PlatformSender {
    const show = (to: string, message: Reply) => {
      if (this.options.json) {
        this.options.write(
          `${JSON.stringify({ notice: { to, text: plainText(message), data: message.data } })}\n`,
        );
      } else {
        this.options.write(`  [${to}] ${plainText(message).replace(/\n/g, "\n    ")}\n`);
      }
    };
    return {
      platform: "console",
      sendToUser: async (platformUserId, message) => show(`to @${platformUserId}`, message),
      postToChannel: async (channelId, message) => show(`in #${channelId.replace(/^#/, "")}`, message),
    };
  }

  private userOf(name: string): PlatformUser {
    const id = name.toLowerCase();
    return { platform: "console", id, username: id, displayName: name };
  }

  private async pressFor(
    user: PlatformUser,
    verb: string,
    eventId: string,
    options: Record<string, string>,
  ): Promise<DispatchResult> {
    let buttonId: string | undefined;
    if (verb === "confirm" || verb === "cancel") {
      const id = options.id ?? (await this.dispatcher.latestConfirmation(user))?.id;
      if (!id) throw new UserError("nothing_to_confirm", `There is nothing waiting for /${verb}.`);
      buttonId = `${verb === "confirm" ? "cf" : "cx"}:${id}`;
    } else {
      const wanted = verb === "next" ? "Next" : "Previous";
      buttonId = this.#lastButtons.get(user.id)?.find((b) => b.label.includes(wanted))?.id;
      if (!buttonId) throw new UserError("no_page", `There is no ${wanted.toLowerCase()} page to show.`);
    }
    return this.dispatcher.press({ platform: "console", eventId, user, buttonId, isPrivateChat: true });
  }

  private print(line: number, user: string, command: string, result: DispatchResult): ConsoleRecord {
    const { reply } = result;
    let image: string | undefined;
    if (reply.image) {
      mkdirSync(this.options.imageDir, { recursive: true });
      image = join(this.options.imageDir, `${this.#session}-${line}-${reply.image.name}`);
      writeFileSync(image, reply.image.png);
    }
    const record: ConsoleRecord = {
      line,
      user,
      command,
      ok: result.ok,
      code: result.code,
      text: plainText(reply),
      ...(reply.data === undefined ? {} : { data: reply.data }),
      ...(result.errorId ? { errorId: result.errorId } : {}),
      ...(image ? { image } : {}),
    };
    if (this.options.json) {
      this.options.write(
        `${JSON.stringify(record, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}\n`,
      );
    } else {
      const hints = (reply.buttons ?? []).map((b) => buttonHint(b));
      this.options.write(
        `${renderForTerminal(reply, { color: this.options.color, ...(image ? { imagePath: image } : {}), buttonHints: hints })}\n`,
      );
    }
    return record;
  }
}

function buttonHint(button: Button): string {
  if (button.id.startsWith("cf:")) return "[Confirm: /confirm]";
  if (button.id.startsWith("cx:")) return "[Cancel: /cancel]";
  if (button.label.includes("Next")) return "[Next: /next]";
  if (button.label.includes("Previous")) return "[Previous: /prev]";
  return `[${button.label}]`;
}

function parseSafely(text: string): boolean {
  try {
    return parseCommandLine(text) !== undefined;
  } catch {
    return true;
  }
}
