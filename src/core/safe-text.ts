// Text the database can keep. PostgreSQL refuses NUL (U+0000) in text and jsonb, and a lone UTF-16
// surrogate (half of an emoji, left by a bad copy or a broken client) is not Unicode at all: it
// cannot be stored as UTF-8 or sent on to Discord or Telegram. Typed text carrying either is
// refused at the edge with a message saying what to do; names the platforms give us are cleaned.

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");

export type TextProblem = "nul" | "lone_surrogate";

/** What keeps `text` out of the database, if anything. */
export function textProblem(text: string): TextProblem | undefined {
  if (text.includes("\u0000")) return "nul";
  if (LONE_SURROGATE.test(text)) return "lone_surrogate";
  return undefined;
}

/** How to fix it, for a message to the user. */
export function textProblemAdvice(problem: TextProblem): string {
  return problem === "nul"
    ? "it contains a NUL character (\\u0000); remove it and write plain text."
    : "it contains a broken character (half of an emoji or symbol); type that character again or leave it out.";
}

/** `text` without NUL, each lone surrogate replaced by U+FFFD: for names we show but cannot refuse. */
export function cleanText(text: string): string {
  return text.replaceAll("\u0000", "").replace(LONE_SURROGATES, "\ufffd");
}
