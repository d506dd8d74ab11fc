// Drawing helpers shared by the cards: a canvas with the bundled font, text that is measured and
// shortened with an ellipsis to fit its box (never drawn past it), and a record of every text box so
// tests can check that nothing overflows.
import { type Canvas, createCanvas, type SKRSContext2D } from "@napi-rs/canvas";
import { drawableText, font } from "./fonts.ts";

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
}

export interface RenderedCard {
  png: Buffer;
  width: number;
  height: number;
  /** Every text drawn, with its box: what the overflow tests check. */
  texts: TextBox[];
}

const ELLIPSIS = "…";
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
   * Draws `text` in a box `maxWidth` wide starting at x (or ending at x when right-aligned), cut with
   * an ellipsis at a grapheme boundary when it does not fit. Returns the width drawn.
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
    ctx.textAlign = style.align ?? "left";
    ctx.textBaseline = "middle";
    const fitted = fitText((s) => ctx.measureText(s).width, drawableText(raw), maxWidth);
    const measuredWidth = ctx.measureText(fitted).width;
    this.texts.push({ text: fitted, maxWidth, measuredWidth });
    if (fitted) ctx.fillText(fitted, x, y);
    return measuredWidth;
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

  render(): RenderedCard {
    return {
      png: this.canvas.toBuffer("image/png"),
      width: this.width,
      height: this.height,
      texts: this.texts,
    };
  }
}

/** The longest prefix of `text` (whole graphemes) that fits, with an ellipsis when it was cut. */
export function fitText(measure: (s: string) => number, text: string, maxWidth: number): string {
  if (maxWidth <= 0) return "";
  if (measure(text) <= maxWidth) return text;
  const graphemes = Array.from(segmenter.segment(text), (s) => s.segment);
  // Binary search for the most graphemes that still fit with the ellipsis.
  let low = 0;
  let high = graphemes.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measure(graphemes.slice(0, mid).join("").trimEnd() + ELLIPSIS) <= maxWidth) low = mid;
    else high = mid - 1;
  }
  const cut = graphemes.slice(0, low).join("").trimEnd() + ELLIPSIS;
  return measure(cut) <= maxWidth ? cut : "";
}
