// The light markup of a reply's text: **bold**, `code`, and a backslash before \ * or ` to write
// that character itself. Each platform renders the parsed runs, never the raw markers, so whatever
// a line holds (a factory named a**b`c) comes out well formed; text a member typed goes through
// `literal` so its markers stay characters and never become formatting.

export interface MarkupRun {
  text: string;
  bold: boolean;
  code: boolean;
}

/** Characters the markup gives a meaning to; `literal` puts a backslash before each. */
const SPECIAL = /[\\*`]/g;

/** A string to show as it is (a name, a title, a reason a member typed) inside a reply's markup. */
export function literal(text: string): string {
  return text.replace(SPECIAL, "\\$&");
}

const isEscapable = (ch: string | undefined) => ch === "\\" || ch === "*" || ch === "`";

type Token = { kind: "text"; text: string } | { kind: "code"; text: string } | { kind: "bold" };

/** The end of a code span opened at `start` (the index of its closing backtick), or -1. */
function codeEnd(line: string, start: number): number {
  for (let i = start + 1; i < line.length; i++) {
    if (line[i] === "\\" && isEscapable(line[i + 1])) i++;
    else if (line[i] === "`") return i;
  }
  return -1;
}

const unescapeMarkup = (text: string) => text.replace(/\\([\\*`])/g, "$1");

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let text = "";
  const flush = () => {
    if (text) tokens.push({ kind: "text", text });
    text = "";
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "\\" && isEscapable(line[i + 1])) {
      text += line[++i];
    } else if (ch === "`") {
      const end = codeEnd(line, i);
      const inner = end > i + 1 ? unescapeMarkup(line.slice(i + 1, end)) : "";
      if (inner) {
        flush();
        tokens.push({ kind: "code", text: inner });
        i = end;
      } else {
        text += ch;
      }
    } else if (ch === "*" && line[i + 1] === "*") {
      flush();
      tokens.push({ kind: "bold" });
      i++;
    } else {
      text += ch;
    }
  }
  flush();
  return tokens;
}

/** One line as styled runs; `**` pair up from the left, and one left without a partner is text. */
export function parseMarkupLine(line: string): MarkupRun[] {
  const tokens = tokenize(line);
  let markers = tokens.filter((t) => t.kind === "bold").length;
  const runs: MarkupRun[] = [];
  const push = (text: string, bold: boolean, code: boolean) => {
    const last = runs.at(-1);
    if (last && last.bold === bold && last.code === code) last.text += text;
    else runs.push({ text, bold, code });
  };
  let bold = false;
  for (const token of tokens) {
    if (token.kind === "bold") {
      if (bold || markers >= 2) {
        bold = !bold;
        markers--;
      } else {
        push("**", false, false);
      }
    } else {
      push(token.text, bold, token.kind === "code");
    }
  }
  return runs.filter((run) => run.text);
}

/** The text a reader sees, markers gone (for plain-text outputs and length checks). */
export function markupToPlain(text: string): string {
  return text
    .split("\n")
    .map((line) =>
      parseMarkupLine(line)
        .map((run) => run.text)
        .join(""),
    )
    .join("\n");
}
