// Replies as terminal text. Light markup (**bold**) becomes ANSI bold on a terminal, plain otherwise.
import type { Reply } from "#src/core/reply.ts";

export function plainText(reply: Reply): string {
  const parts: string[] = [];
  if (reply.title) parts.push(reply.title);
  parts.push(reply.text);
  for (const field of reply.fields ?? []) parts.push(`${field.name}: ${field.value}`);
  return parts.join("\n").replace(/\*\*(.+?)\*\*/g, "$1");
}

export function renderForTerminal(
  reply: Reply,
  options: { color: boolean; imagePath?: string; buttonHints: string[] },
): string {
  const bold = (s: string) => (options.color ? `\x1b[1m${s}\x1b[22m` : s);
  const markup = (s: string) => s.replace(/\*\*(.+?)\*\*/g, (_, inner: string) => bold(inner));
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
