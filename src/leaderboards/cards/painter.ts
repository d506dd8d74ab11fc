// Drawing helpers shared by the cards: a canvas with the bundled font, text (with colour emoji inline)
// that is measured and shortened with an ellipsis to fit its box (never drawn past it), and a record of
// every text box so tests can check that nothing overflows.
import { type Canvas, createCanvas, type SKRSContext2D } from "@napi-rs/canvas";
import { drawableGraphemes, font, type Grapheme } from "./fonts.ts";

export const COLORS = {
  background: "#1e1f29",
  panel: "#2a2c3a",
  text: "#f2f3f7",
  muted: "#a3a7bd",
  accent: "#f5a524",
  good: "#3ccf91",
  bar: "#4b4f66",
  gold: "#ffd166",
  silver: "#cfd8dc",
  bronze: "#e0a26f",
  highlight: "#3a3560",
} as const;

export interface TextBox {
  text: string;
  /** The box's width: the drawn text must measure at most this. */
  maxWidth: number;
  measuredWidth: number;
  /** Where the text was drawn: its left edge, vertical middle and font size (for pixel tests). */
  left: number;
  middle: number;
  size: number;
}

export interface RenderedCard {
  png: Buffer;
  width: number;
  height: number;
  /** Every text drawn, with its box: what the overflow tests check. */
  texts: TextBox[];
}

const ELLIPSIS: Grapheme = { text: "…" };
// An emoji is a square one text size high, with a little room either side like a glyph's bearings.
const EMOJI_SIZE = 1;
const EMOJI_ADVANCE = 1.15;
const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

export class Painter {
  readonly canvas: Canvas;
  readonly ctx: SKRSContext2D;
  readonly texts: TextBox[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.canvas = createCanvas(width, height);
    this.ctx = this.canvas.getContext("2d");
    this.ctx.fillStyle = COLORS.background;
    this.ctx.fillRect(0, 0, width, height);
  }

  /**
   * Draws `text`, emoji as colour pictures inline, in a box `maxWidth` wide starting at x (or ending at
   * x when right-aligned), cut with an ellipsis at a grapheme boundary when it does not fit. Returns
   * the width drawn.
   */
  text(
    raw: string,
    x: number,
    y: number,
    maxWidth: number,
    style: { size: number; bold?: boolean; color?: string; align?: "left" | "right" | "center" },
  ): number {
    const { ctx } = this;
    ctx.font = font(style.size, style.bold ? "bold" : "regular");
    ctx.fillStyle = style.color ?? COLORS.text;
    ctx.textBaseline = "middle";
    const measure = (graphemes: Grapheme[]) => this.measure(graphemes, style.size);
    const fitted = fitGraphemes(measure, drawableGraphemes(raw), maxWidth);
    const measuredWidth = measure(fitted);
    const align = style.align ?? "left";
    const left = align === "right" ? x - measuredWidth : align === "center" ? x - measuredWidth / 2 : x;
    this.texts.push({ text: joined(fitted), maxWidth, measuredWidth, left, middle: y, size: style.size });
    if (fitted.length === 0) return measuredWidth;
    if (!fitted.some((g) => g.emoji)) {
      // Plain text is drawn in one call, so a card without emoji is the picture it always was.
      ctx.textAlign = align;
      ctx.fillText(joined(fitted), x, y);
      return measuredWidth;
    }
    ctx.textAlign = "left";
    let at = left;
    const side = style.size * EMOJI_SIZE;
    for (const run of runs(fitted)) {
      if (typeof run === "string") {
        ctx.fillText(run, at, y);
        at += ctx.measureText(run).width;
      } else {
        ctx.drawImage(run, at + (style.size * EMOJI_ADVANCE - side) / 2, y - side / 2, side, side);
        at += style.size * EMOJI_ADVANCE;
      }
    }
    return measuredWidth;
  }

  /** The width of graphemes in the current font: text runs as the font measures them, emoji as squares. */
  private measure(graphemes: Grapheme[], size: number): number {
    let width = 0;
    for (const run of runs(graphemes))
      width += typeof run === "string" ? this.ctx.measureText(run).width : size * EMOJI_ADVANCE;
    return width;
  }

  rect(x: number, y: number, w: number, h: number, color: string, radius = 0): void {
    const { ctx } = this;
    ctx.fillStyle = color;
    if (radius <= 0) {
      ctx.fillRect(x, y, w, h);
      return;
    }
    ctx.beginPath();
    ctx.roundRect(x, y, w, h, radius);
    ctx.fill();
  }

  /** A horizontal bar filled to `part / whole` (clamped). */
  bar(x: number, y: number, w: number, h: number, part: number, color: string): void {
    this.rect(x, y, w, h, COLORS.bar, h / 2);
    const filled = Math.max(0, Math.min(1, Number.isFinite(part) ? part : 0));
    if (filled > 0) this.rect(x, y, Math.max(h, w * filled), h, color, h / 2);
  }

  /**
   * Encodes the picture on libuv's thread pool (`encode`), not on the event loop as `toBuffer` did
   * (about 20 ms a leaderboard, during which no other member was answered); the bytes are the same.
   */
  async render(): Promise<RenderedCard> {
    return {
      png: await this.canvas.encode("png"),
      width: this.width,
      height: this.height,
      texts: this.texts,
    };
  }
}

/** Graphemes as what is drawn in one go: a run of text, or one emoji picture. */
function runs(graphemes: Grapheme[]): Array<string | NonNullable<Grapheme["emoji"]>> {
  const out: Array<string | NonNullable<Grapheme["emoji"]>> = [];
  let text = "";
  for (const g of graphemes) {
    if (!g.emoji) {
      text += g.text;
      continue;
    }
    if (text) out.push(text);
    text = "";
    out.push(g.emoji);
  }
  if (text) out.push(text);
  return out;
}

function joined(graphemes: Grapheme[]): string {
  return graphemes.map((g) => g.text).join("");
}

/** The longest prefix of `text` (whole graphemes) that fits, with an ellipsis when it was cut. */
export function fitText(measure: (s: string) => number, text: string, maxWidth: number): string {
  const graphemes = Array.from(segmenter.segment(text), (s) => ({ text: s.segment }));
  return joined(fitGraphemes((g) => measure(joined(g)), graphemes, maxWidth));
}

/** The longest prefix of `graphemes` that fits, with an ellipsis when it was cut; none when nothing fits. */
export function fitGraphemes(
  measure: (graphemes: Grapheme[]) => number,
  graphemes: Grapheme[],
  maxWidth: number,
): Grapheme[] {
  if (maxWidth <= 0) return [];
  if (measure(graphemes) <= maxWidth) return graphemes;
  const cut = (count: number) => [...withoutTrailingSpace(graphemes.slice(0, count)), ELLIPSIS];
  // Binary search for the most graphemes that still fit with the ellipsis.
  let low = 0;
  let high = graphemes.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measure(cut(mid)) <= maxWidth) low = mid;
    else high = mid - 1;
  }
  const fitted = cut(low);
  return measure(fitted) <= maxWidth ? fitted : [];
}

function withoutTrailingSpace(graphemes: Grapheme[]): Grapheme[] {
  let end = graphemes.length;
  while (end > 0 && !graphemes[end - 1]!.emoji && graphemes[end - 1]!.text.trim() === "") end--;
  return graphemes.slice(0, end);
}
