// A dataset token's price card: its price over time as a chart with labelled axes (prices on the
// left, dates below), drawn with the same painter, colours and font as the leaderboard cards.
import { COLORS, Painter, type RenderedCard } from "#src/leaderboards/cards/painter.ts";

export const PRICE_CARD = { width: 800, height: 460 } as const;

export interface PriceCardView {
  symbol: string;
  /** What the token is: "factory #3's dataset" or "bundle #2". */
  subject: string;
  /** Formatted figures: amounts of CLONES without the symbol (the labels name it). */
  price: string;
  marketCap: string;
  change24h: string;
  volume24h: string;
  /** Prices over time, CLONES per token (floats only for drawing; the text shows exact values). */
  points: Array<{ at: Date; price: number }>;
}

const PAD = 32;

const dateLabel = (at: Date) => at.toISOString().slice(0, 16).replace("T", " ");

/** A price for an axis label: 4 significant digits. */
const axisPrice = (value: number) => (value === 0 ? "0" : value.toPrecision(4).replace(/\.?0+(e|$)/, "$1"));

export async function renderPriceCard(view: PriceCardView): Promise<RenderedCard> {
  const { width, height } = PRICE_CARD;
  const p = new Painter(width, height);
  p.rect(0, 0, width, 6, COLORS.accent);
  p.text(view.symbol, PAD, 46, 300, { size: 30, bold: true });
  p.text(view.subject, width - PAD, 46, 420, { size: 18, color: COLORS.muted, align: "right" });

  const colW = (width - 2 * PAD) / 4;
  const stat = (i: number, label: string, value: string, color: string) => {
    p.text(label, PAD + i * colW, 92, colW - 12, { size: 15, color: COLORS.muted });
    p.text(value, PAD + i * colW, 120, colW - 12, { size: 18, bold: true, color });
  };
  stat(0, "Price (CLONES)", view.price, COLORS.gold);
  stat(1, "Market cap (CLONES)", view.marketCap, COLORS.text);
  stat(2, "24 h change", view.change24h, view.change24h.startsWith("-") ? COLORS.bronze : COLORS.good);
  stat(3, "24 h volume (CLONES)", view.volume24h, COLORS.silver);

  const chart = { x: PAD, y: 150, w: width - 2 * PAD, h: height - 150 - PAD };
  p.rect(chart.x, chart.y, chart.w, chart.h, COLORS.panel, 12);
  // The plot area leaves room for the price labels on the left and the dates below.
  const plot = { x: chart.x + 96, y: chart.y + 20, w: chart.w - 96 - 24, h: chart.h - 20 - 44 };
  const points = view.points.filter((pt) => Number.isFinite(pt.price));
  if (points.length === 0) {
    p.text("No trades yet", chart.x + chart.w / 2, chart.y + chart.h / 2, chart.w - 32, {
      size: 18,
      color: COLORS.muted,
      align: "center",
    });
    return p.render();
  }
  const prices = points.map((pt) => pt.price);
  let min = Math.min(...prices);
  let max = Math.max(...prices);
  // A flat line (one trade, or a price of 0) gets a range around it. Skia aborts the whole process
  // on a path through NaN, which a zero range gives (0 / 0): the range must stay above zero even
  // where 10% of the price underflows (a price of 1e-323).
  if (!(max - min > 0)) {
    const pad = Math.abs(max) * 0.1;
    [min, max] = max + pad - (max - pad) > 0 ? [max - pad, max + pad] : [max - 1, max + 1];
  }
  const t0 = points[0]!.at.getTime();
  const t1 = points[points.length - 1]!.at.getTime();
  const span = t1 - t0;
  const xOf = (at: Date, i: number) =>
    plot.x +
    (span > 0
      ? ((at.getTime() - t0) / span) * plot.w
      : points.length === 1
        ? plot.w / 2
        : (i / (points.length - 1)) * plot.w);
  const yOf = (price: number) => plot.y + plot.h - ((price - min) / (max - min)) * plot.h;

  const { ctx } = p;
  // Axes and three horizontal grid lines with their prices.
  ctx.strokeStyle = COLORS.bar;
  ctx.lineWidth = 1;
  for (const f of [0, 0.5, 1]) {
    const value = min + (max - min) * f;
    const y = yOf(value);
    ctx.beginPath();
    ctx.moveTo(plot.x, y);
    ctx.lineTo(plot.x + plot.w, y);
    ctx.stroke();
    p.text(axisPrice(value), plot.x - 8, y, 84, { size: 13, color: COLORS.muted, align: "right" });
  }
  ctx.strokeStyle = COLORS.muted;
  ctx.beginPath();
  ctx.moveTo(plot.x, plot.y);
  ctx.lineTo(plot.x, plot.y + plot.h);
  ctx.lineTo(plot.x + plot.w, plot.y + plot.h);
  ctx.stroke();
  // Dates: the first and the last point, and the middle of the range when it spans time.
  const dateY = plot.y + plot.h + 20;
  p.text(dateLabel(points[0]!.at), plot.x, dateY, 200, { size: 13, color: COLORS.muted });
  if (span > 0) {
    p.text(dateLabel(new Date(t0 + span / 2)), plot.x + plot.w / 2, dateY, 200, {
      size: 13,
      color: COLORS.muted,
      align: "center",
    });
    p.text(dateLabel(points[points.length - 1]!.at), plot.x + plot.w, dateY, 200, {
      size: 13,
      color: COLORS.muted,
      align: "right",
    });
  }
  // The price line, a step after each trade (the price holds until the next one).
  ctx.strokeStyle = COLORS.accent;
  ctx.lineWidth = 3;
  ctx.beginPath();
  points.forEach((pt, i) => {
    const x = xOf(pt.at, i);
    const y = yOf(pt.price);
    if (i === 0) ctx.moveTo(x, y);
    else {
      ctx.lineTo(x, yOf(points[i - 1]!.price));
      ctx.lineTo(x, y);
    }
  });
  ctx.stroke();
  ctx.fillStyle = COLORS.accent;
  points.forEach((pt, i) => {
    ctx.beginPath();
    ctx.arc(xOf(pt.at, i), yOf(pt.price), 3.5, 0, Math.PI * 2);
    ctx.fill();
  });
  return p.render();
}
