// Replies as terminal text. Light markup (**bold**) becomes ANSI bold on a terminal, plain otherwise;
// `code` and escaped markers show as their characters.
import { markupToPlain, parseMarkupLine } from "#src/core/markup.ts";
import type { Reply } from "#src/core/reply.ts";

export function plainText(reply: Reply): string {
  const parts: string[] = [];
  if (reply.title) parts.push(reply.title);
  parts.push(markupToPlain(reply.text));
  for (const field of reply.fields ?? []) parts.push(`${field.name}: ${markupToPlain(field.value)}`);
  return parts.join("\n");
}

export function renderForTerminal(
  reply: Reply,
  options: { color: boolean; imagePath?: string; buttonHints: string[] },
): string {
  const bold = (s: string) => (options.color ? `\x1b[1m${s}\x1b[22m` : s);
  const markup = (s: string) =>
    s
      .split("\n")
      .map((line) =>
        parseMarkupLine(line)
          .map((run) => (run.bold ? bold(run.text) : run.text))
          .join(""),
      )
      .join("\n");
  const out: string[] = [];
  if (reply.title) out.push(bold(reply.title));
  out.push(markup(reply.text));
  for (const field of reply.fields ?? []) out.push(`${bold(field.name)}: ${markup(field.value)}`);
  if (options.imagePath) out.push(`[image: ${options.imagePath}]`);
  if (options.buttonHints.length > 0) out.push(options.buttonHints.join("   "));
  const mark = reply.tone === "error" ? "✗ " : "";
  return out
    .join("\n")
    .split("\n")
    .map((line, i) => `  ${i === 0 ? mark : mark ? "  " : ""}${line}`)
    .join("\n");
}
