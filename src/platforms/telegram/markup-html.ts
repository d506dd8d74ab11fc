// A reply's markup as Telegram HTML built from its parsed runs: <b> always outside <code>, every tag
// closed where it was opened, every character of text escaped. Telegram refuses a whole message
// over one mis-nested tag, so the HTML is never made by replacing markers in the string.
// https://core.telegram.org/bots/api#html-style
import { type MarkupRun, parseMarkupLine } from "#src/core/markup.ts";

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

type Style = Pick<MarkupRun, "bold" | "code">;

const PLAIN: Style = { bold: false, code: false };

const closing = (style: Style) => (style.code ? "</code>" : "") + (style.bold ? "</b>" : "");

/** The tags between text of one style and text of the next. */
function transition(from: Style, to: Style): string {
  if (from.bold === to.bold && from.code === to.code) return "";
  let tags = from.code ? "</code>" : "";
  if (from.bold && !to.bold) tags += "</b>";
  if (!from.bold && to.bold) tags += "<b>";
  return to.code ? `${tags}<code>` : tags;
}

/**
 * Runs as HTML pieces of at most `maxLength` characters each, tags included, cut between characters
 * (never inside a surrogate pair) when one piece cannot hold them all; a cut closes the open tags
 * and the next piece opens them again.
 */
export function runsToHtml(runs: readonly MarkupRun[], maxLength = Number.POSITIVE_INFINITY): string[] {
  const pieces: string[] = [];
  let html = "";
  let open = PLAIN;
  for (const run of runs) {
    for (const ch of run.text) {
      let fragment = transition(open, run) + escapeHtml(ch);
      if (html && html.length + fragment.length + closing(run).length > maxLength) {
        pieces.push(html + closing(open));
        html = "";
        open = PLAIN;
        fragment = transition(open, run) + escapeHtml(ch);
      }
      html += fragment;
      open = run;
    }
  }
  pieces.push(html + closing(open));
  return pieces;
}

/** A line of markup as HTML pieces (see runsToHtml). */
export const lineToHtml = (line: string, maxLength?: number): string[] =>
  runsToHtml(parseMarkupLine(line), maxLength);

/** Multi-line markup as one HTML string, for texts known to be short (a question's prompt). */
export const markupToHtml = (text: string): string =>
  text
    .split("\n")
    .map((line) => lineToHtml(line).join(""))
    .join("\n");
