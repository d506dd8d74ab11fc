// The fonts every card is drawn with, bundled in the repository (DejaVu Sans, and for Chinese,
// Japanese, Korean and fullwidth letters a subset of Droid Sans Fallback: see fonts/README.md) so a
// card is the same picture on every machine. Skia falls back to whatever fonts a machine has for
// characters the bundled font lacks, which would make the output depend on the machine: so text is
// first cleaned to the characters the font covers (read from its cmap table), emoji become colour
// pictures from the bundled artwork (emoji.ts), and anything else (an emoji the artwork lacks, rare
// scripts) becomes one replacement glyph per user-perceived character.
import { readFileSync } from "node:fs";
import { GlobalFonts, type Image } from "@napi-rs/canvas";
import { emojiImage } from "./emoji.ts";

export const FONT_FAMILY = "Forgebot Sans";
/** The fallbacks, named after the main one in every font string (one weight each): Han and kana, Hangul. */
export const CJK_FONT_FAMILY = "Forgebot CJK";
export const HANGUL_FONT_FAMILY = "Forgebot Hangul";
export const REPLACEMENT = "□";

const FONT_FILES = {
  regular: new URL("./fonts/DejaVuSans.ttf", import.meta.url),
  bold: new URL("./fonts/DejaVuSans-Bold.ttf", import.meta.url),
  cjk: new URL("./fonts/DroidSansFallback-CJK.ttf", import.meta.url),
  hangul: new URL("./fonts/ForgebotHangul.ttf", import.meta.url),
} as const;

let covered: { regular: Set<number>; bold: Set<number> } | undefined;

/**
 * Registers the bundled fonts once per process and returns the code points each weight draws: the
 * main font's, and the fallback's for the characters the main one lacks.
 */
export function bundledFonts(): { regular: Set<number>; bold: Set<number> } {
  if (covered) return covered;
  const regular = readFileSync(FONT_FILES.regular);
  const bold = readFileSync(FONT_FILES.bold);
  const cjk = readFileSync(FONT_FILES.cjk);
  const hangul = readFileSync(FONT_FILES.hangul);
  GlobalFonts.register(regular, FONT_FAMILY);
  GlobalFonts.register(bold, FONT_FAMILY);
  GlobalFonts.register(cjk, CJK_FONT_FAMILY);
  GlobalFonts.register(hangul, HANGUL_FONT_FAMILY);
  const fallback = [...cmapCodePoints(cjk), ...cmapCodePoints(hangul)];
  covered = {
    regular: new Set([...cmapCodePoints(regular), ...fallback]),
    bold: new Set([...cmapCodePoints(bold), ...fallback]),
  };
  return covered;
}

/**
 * A CSS font string for the bundled families: a character the main font lacks is drawn with the
 * fallback, and text is cleaned to what the two cover, so no machine's own fonts are ever asked.
 */
export function font(sizePx: number, weight: "regular" | "bold" = "regular"): string {
  return `${weight === "bold" ? "bold " : ""}${sizePx}px "${FONT_FAMILY}", "${CJK_FONT_FAMILY}", "${HANGUL_FONT_FAMILY}"`;
}

// Joiners, variation selectors and skin-tone modifiers only shape a sequence; they are dropped
// rather than replaced, so "👍🏽" or a ZWJ family the artwork lacks becomes one replacement glyph, not
// several.
const SHAPING = /[\u200d\ufe0e\ufe0f]|[\u{1f3fb}-\u{1f3ff}]|[\u{e0020}-\u{e007f}]/u;
const CONTROL = /\p{Cc}|[\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
// Only asked of characters the (old) bundled font has, whose properties no newer Unicode changes: so the
// answer does not depend on the Node version's Unicode data.
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}/u;
const EMOJI_STYLE = "\ufe0f";
const TEXT_STYLE = "\ufe0e";
const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

/** One user-perceived character as a card draws it. */
export interface Grapheme {
  /** The characters drawn with the font, or, for an emoji, the sequence its picture stands for. */
  text: string;
  /** The colour picture drawn instead of text. */
  emoji?: Image;
}

/**
 * `text` as graphemes the cards can draw: control and bidi-override characters removed, emoji as
 * pictures from the bundled artwork, every other grapheme the font lacks replaced by one REPLACEMENT.
 */
export function drawableGraphemes(text: string): Grapheme[] {
  const { regular, bold } = bundledFonts();
  const out: Grapheme[] = [];
  for (const { segment } of segmenter.segment(text.normalize("NFC"))) {
    const kept = [...segment].filter((ch) => !CONTROL.test(ch));
    const points = kept.filter((ch) => !SHAPING.test(ch));
    if (points.length === 0) continue;
    const inFont = points.every((ch) => {
      const cp = ch.codePointAt(0)!;
      return regular.has(cp) && bold.has(cp);
    });
    if (!(inFont && isTextStyle(kept, points))) {
      const emoji = emojiImage(kept.join(""));
      if (emoji) {
        out.push({ text: kept.join(""), emoji });
        continue;
      }
    }
    out.push({ text: inFont ? points.join("") : REPLACEMENT });
  }
  return out;
}

/**
 * Whether a grapheme the font can draw is meant as text: one character such as ©, ™ or ❤ that is
 * text by default and was not asked for as emoji with U+FE0F (or was asked for as text with U+FE0E).
 * An emoji-by-default character (⚡, ⌚) or a sequence (keycaps) is drawn as a picture.
 */
function isTextStyle(kept: string[], points: string[]): boolean {
  if (kept.includes(TEXT_STYLE)) return true;
  if (kept.includes(EMOJI_STYLE)) return false;
  return points.length === 1 && !EMOJI_PRESENTATION.test(points[0]!);
}

/** `text` reduced to what the cards draw, emoji as the sequences their pictures stand for. */
export function drawableText(text: string): string {
  return drawableGraphemes(text)
    .map((g) => g.text)
    .join("");
}

/** The code points a TrueType font maps to glyphs (cmap format 12, else format 4). */
export function cmapCodePoints(ttf: Uint8Array): Set<number> {
  const view = new DataView(ttf.buffer, ttf.byteOffset, ttf.byteLength);
  const tableCount = view.getUint16(4);
  let cmap = -1;
  for (let i = 0; i < tableCount; i++) {
    const record = 12 + i * 16;
    const tag = String.fromCharCode(...ttf.subarray(record, record + 4));
    if (tag === "cmap") cmap = view.getUint32(record + 8);
  }
  if (cmap < 0) throw new Error("the font has no cmap table");
  const subtables = view.getUint16(cmap + 2);
  let format4 = -1;
  let format12 = -1;
  for (let i = 0; i < subtables; i++) {
    const record = cmap + 4 + i * 8;
    const platform = view.getUint16(record);
    const encoding = view.getUint16(record + 2);
    const offset = cmap + view.getUint32(record + 4);
    const format = view.getUint16(offset);
    if (format === 12 && (platform === 3 || platform === 0)) format12 = offset;
    if (format === 4 && ((platform === 3 && encoding === 1) || platform === 0)) format4 = offset;
  }
  const points = new Set<number>();
  if (format12 >= 0) {
    const groups = view.getUint32(format12 + 12);
    for (let g = 0; g < groups; g++) {
      const at = format12 + 16 + g * 12;
      const start = view.getUint32(at);
      const end = view.getUint32(at + 4);
      const glyph = view.getUint32(at + 8);
      for (let cp = start; cp <= end; cp++) if (glyph + (cp - start) !== 0) points.add(cp);
    }
    return points;
  }
  if (format4 < 0) throw new Error("the font has no Unicode cmap subtable");
  const segCount = view.getUint16(format4 + 6) / 2;
  const ends = format4 + 14;
  const starts = ends + segCount * 2 + 2;
  const deltas = starts + segCount * 2;
  const rangeOffsets = deltas + segCount * 2;
  for (let s = 0; s < segCount; s++) {
    const end = view.getUint16(ends + s * 2);
    const start = view.getUint16(starts + s * 2);
    const delta = view.getInt16(deltas + s * 2);
    const rangeOffset = view.getUint16(rangeOffsets + s * 2);
    for (let cp = start; cp <= end && cp !== 0xffff; cp++) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (cp + delta) & 0xffff;
      else {
        const at = rangeOffsets + s * 2 + rangeOffset + (cp - start) * 2;
        glyph = view.getUint16(at);
        if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
      }
      if (glyph !== 0) points.add(cp);
    }
  }
  return points;
}
