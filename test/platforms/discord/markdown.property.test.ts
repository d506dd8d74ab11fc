// Replies carrying whatever members typed render as Discord markdown in which none of their
// characters is syntax: no italics, strikes, spoilers, masked links, mentions or headings they did
// not mean, and the text reads back as written. Only the command's own **bold** and `code` format.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { literal } from "#src/core/markup.ts";
import { renderReply } from "#src/platforms/discord/render.ts";
import { userText } from "#test/helpers/user-text.ts";

/** Characters Discord reads as inline syntax; an underscore only at a word's edge. */
const SYNTAX = /[*~|`[<]/;
const BLOCK_OPENING = /^\s*(#{1,3}\s|-#\s|>|[-+]\s|\d+\.\s)/;

/** The first character Discord would take as markdown in `markdown`, or undefined. */
function syntaxIn(markdown: string, { lines = true } = {}): string | undefined {
  for (let i = 0; i < markdown.length; i++) {
    const ch = markdown[i]!;
    if (ch === "\\") i++;
    else if (SYNTAX.test(ch)) return `${ch} at ${i} of ${JSON.stringify(markdown)}`;
    else if (
      ch === "_" &&
      !(/[A-Za-z0-9]/.test(markdown[i - 1] ?? "") && /[A-Za-z0-9]/.test(markdown[i + 1] ?? ""))
    )
      return `_ at ${i} of ${JSON.stringify(markdown)}`;
  }
  const opening = lines ? markdown.split("\n").find((line) => BLOCK_OPENING.test(line)) : undefined;
  return opening === undefined ? undefined : `a line opening with syntax: ${JSON.stringify(opening)}`;
}

/** What Discord shows for escaped text: the character after each backslash, as itself. */
const shown = (markdown: string) => markdown.replace(/\\([^A-Za-z0-9\s])/g, "$1");

describe("Discord markdown of replies holding members' text", () => {
  it("escapes every character of it that Discord would read as syntax, and shows it as written", () => {
    fc.assert(
      fc.property(userText(), userText(), (name, reason) => {
        const [message] = renderReply({
          title: `Factory #1: ${name}`,
          text: `${literal(name)}\n**${literal(name)}**\n(reason: ${literal(reason)})`,
          fields: [{ name, value: literal(reason) }],
        });
        const embed = message!.embeds[0]!;
        const [plain, bold, because] = embed.description!.split("\n") as [string, string, string];
        for (const markdown of [plain, because, embed.fields![0]!.value])
          expect(syntaxIn(markdown)).toBeUndefined();
        for (const markdown of [embed.title!, embed.fields![0]!.name])
          expect(syntaxIn(markdown, { lines: false })).toBeUndefined();
        expect(shown(plain)).toBe(name);
        expect(shown(because)).toBe(`(reason: ${reason})`);
        expect(shown(embed.title!)).toBe(`Factory #1: ${name}`);
        expect(shown(embed.fields![0]!.name)).toBe(name);
        expect(shown(embed.fields![0]!.value)).toBe(reason);
        // Bold is the command's ** around the escaped name, and nothing inside opens more syntax.
        expect(bold.startsWith("**") && bold.endsWith("**")).toBe(true);
        expect(syntaxIn(bold.slice(2, -2), { lines: false })).toBeUndefined();
        expect(shown(bold.slice(2, -2))).toBe(name);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps a member's code as code, fenced so its backticks cannot end it", () => {
    expect(renderReply({ text: `run \`${literal("a`b")}\` now` })[0]!.embeds[0]!.description).toBe(
      "run `` a`b `` now",
    );
    expect(renderReply({ text: `\`${literal("task_1")}\`` })[0]!.embeds[0]!.description).toBe("`task_1`");
  });

  it("leaves mentions unresolved: <@id> and @everyone show as text", () => {
    const [message] = renderReply({ text: literal("hi <@123> and @everyone, see [x](https://e.x)") });
    expect(message!.embeds[0]!.description).toBe("hi \\<@123> and @everyone, see \\[x](https://e.x)");
  });
});
