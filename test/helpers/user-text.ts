// Text a member could type where the bot shows it back (a factory's name, a task's title, a reason):
// the reply markup's own markers, HTML's specials, Discord's markdown and mentions, and unicode.
import fc from "fast-check";

const HOSTILE = [
  "**",
  "*",
  "`",
  "``",
  "\\",
  "\\*",
  "<",
  ">",
  "&",
  "&amp;",
  "<b>",
  "</code>",
  "_",
  "__",
  "~~",
  "||",
  "[x](https://example.com)",
  "@everyone",
  "<@123>",
  "# ",
  "> ",
  "- ",
  "1. ",
  " ",
  "é",
  "🦀",
  "👩‍👩‍👧",
  "\u200b",
] as const;

/** One line (no line break) of hostile or ordinary text, at least one character long. */
export const userText = (maxPieces = 12): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: "grapheme", minLength: 1, maxLength: 4 })),
      {
        minLength: 1,
        maxLength: maxPieces,
      },
    )
    .map((pieces) => pieces.join("").replace(/[\r\n\u2028\u2029]/g, " "));
