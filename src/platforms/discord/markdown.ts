// A reply's markup as Discord markdown built from its parsed runs. Discord's markdown is much richer
// than the reply's (italics, strikes, spoilers, masked links, headings, quotes, lists, mentions), so
// every character of text that one of those would take as syntax is escaped with a backslash:
// text shows as written and only the reply's own **bold** and `code` format anything.
// https://support.discord.com/hc/en-us/articles/210298617-Markdown-Text-101
import { type MarkupRun, parseMarkupLine } from "#src/core/markup.ts";

/**
 * Characters that open inline syntax: emphasis and underline (* _), strikes (~), spoilers (|),
 * code (`), masked links ([), mentions, channels, emoji and timestamps (<), and the escape itself.
 * An underscore between two letters or digits (snake_case) is no emphasis, so it stays bare.
 */
const INLINE = /[\\*~|`[<]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g;

/** Line openings Discord reads as a heading, subtext, quote or list item. */
const BLOCK = /^(\s*)(#{1,3}\s|-#\s|>|[-+]\s|\d+\.\s)/;

export const escapeDiscordInline = (text: string): string => text.replace(INLINE, "\\$&");

/** A moment as every reply writes it (src/core/time-format.ts formatTime): "2026-11-23 10:50 UTC". */
const MOMENT = /\b(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}) UTC\b/g;

/**
 * Moments as Discord timestamps (`<t:…:R>`, "in 2 hours", the exact time in the member's own time
 * zone on hover): Discord shows each member their local time, where the text could only say UTC.
 */
export function discordTimestamps(markdown: string): string {
  return markdown.replace(MOMENT, (whole, y, mo, d, h, mi) => {
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
    return Number.isFinite(ms) ? `<t:${ms / 1000}:R>` : whole;
  });
}

/** Text shown as written where a line could start with it (a description, a field value). */
function escapeLineStart(line: string): string {
  return line.replace(BLOCK, (_, space: string, opening: string) =>
    /^\d/.test(opening) ? `${space}${opening.replace(".", "\\.")}` : `${space}\\${opening}`,
  );
}

/** Inline code: fenced with one backtick, or two with spaces when the code holds one. */
function inlineCode(text: string): string {
  if (!text.includes("`")) return `\`${text}\``;
  if (!text.includes("``") && !text.endsWith("`") && !text.startsWith("`")) return `\`\` ${text} \`\``;
  return escapeDiscordInline(text);
}

/** `</name sub:id>` for a command path written as code, when its id is known; else undefined. */
export type CommandMention = (code: string) => string | undefined;

function runsToMarkdown(runs: readonly MarkupRun[], mention?: CommandMention): string {
  let out = "";
  let bold = false;
  for (const run of runs) {
    if (run.bold !== bold) {
      out += "**";
      bold = run.bold;
    }
    const linked = run.code ? mention?.(run.text) : undefined;
    out += linked ?? (run.code ? inlineCode(run.text) : discordTimestamps(escapeDiscordInline(run.text)));
  }
  return bold ? `${out}**` : out;
}

/** Multi-line markup as Discord markdown; a command path in code becomes a mention when it can. */
export function markupToDiscord(text: string, mention?: CommandMention): string {
  return text
    .split("\n")
    .map((line) => {
      const markdown = runsToMarkdown(parseMarkupLine(line), mention);
      // A line opening with bold starts with **, which no block syntax matches.
      return escapeLineStart(markdown);
    })
    .join("\n");
}
