// The typed command syntax shared by the console and Telegram, the same as on Discord:
//   [@user] /command [subcommand [subcommand]] name:value name:"a value with spaces"
// Double quotes group a value (\" and \\ escape inside them); # outside quotes starts a comment.
import { UserError } from "./errors.ts";

export interface CommandLine {
  /** The `@name` the console line runs as, if it names one. */
  user?: string;
  /** The words before the options: command, subcommand group, subcommand (without the slash). */
  path: string[];
  options: Record<string, string>;
}

const syntaxError = (message: string) => new UserError("syntax", message);

function splitWords(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) {
        current += line[++i];
      } else if (ch === '"') {
        quoted = false;
      } else {
        current += ch;
      }
      continue;
    }
    if (ch === '"') {
      quoted = true;
      inWord = true;
    } else if (ch === "#" && !inWord) {
      break;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quoted) throw syntaxError('A double quote is not closed: put a " at the end of the value.');
  if (inWord) words.push(current);
  return words;
}

/** Parses one line, or returns undefined for a blank or comment-only line. */
export function parseCommandLine(line: string, botUsername?: string): CommandLine | undefined {
  const words = splitWords(line);
  if (words.length === 0) return undefined;
  let user: string | undefined;
  if (words[0]!.startsWith("@")) {
    user = words.shift()!.slice(1);
    if (!user) throw syntaxError("A line starts with @ and a user name, e.g. @alice /balance.");
    if (words.length === 0)
      throw syntaxError(`@${user} is followed by no command: write e.g. @${user} /balance.`);
  }
  const first = words.shift()!;
  if (!first.startsWith("/") || first.length < 2) {
    throw syntaxError(`Commands start with a slash, e.g. /help; "${first}" does not.`);
  }
  let name = first.slice(1).toLowerCase();
  // Telegram appends the bot's name in groups: /balance@ForgeBot.
  const at = name.indexOf("@");
  if (at >= 0) {
    if (botUsername && name.slice(at + 1) !== botUsername.toLowerCase()) {
      throw new UserError("not_for_this_bot", "That command is addressed to another bot.");
    }
    name = name.slice(0, at);
  }
  const path = [name];
  const options: Record<string, string> = {};
  for (const word of words) {
    const colon = word.indexOf(":");
    if (colon > 0 && /^[a-z][a-z0-9_-]*$/i.test(word.slice(0, colon))) {
      const key = word.slice(0, colon).toLowerCase();
      if (key in options) throw syntaxError(`The option ${key} is given twice.`);
      options[key] = word.slice(colon + 1);
    } else if (Object.keys(options).length === 0 && /^[a-z][a-z0-9_-]*$/i.test(word)) {
      path.push(word.toLowerCase());
    } else {
      throw syntaxError(`"${word}" is not an option: write options as name:value, e.g. amount:12.5.`);
    }
  }
  return user === undefined ? { path, options } : { user, path, options };
}
