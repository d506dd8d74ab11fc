// A factory's pool as a picture: what is left (and how many demonstrations it pays for), reserved
// and paid, and its bid history as a chart with its axes, values and dates.
import { formatCount } from "#src/core/counts.ts";
import { formatDay } from "#src/core/time-format.ts";
import { COLORS, Painter, type RenderedCard } from "./painter.ts";

export const POOL_CARD = { width: 800, height: 500 } as const;

export interface PoolView {
  name: string;
  token: string;
  /** Formatted amounts. */
  available: string;
  reserved: string;
  paid: string;
  /** Shares of the whole (available + reserved + paid), 0..1, for the stacked bar. */
  shares: { available: number; reserved: number; paid: number };
  /** Bids over time: the price (in whole tokens as a float: only for drawing) and its exact label. */
  bids: Array<{ at: Date; price: number; label?: string }>;
  /** Formatted latest bid, e.g. "2.5 USDC". */
  latestBid?: string;
  /** Demonstrations the unreserved funds pay for at the latest bid (absent: no bid known). */
  fundedDemonstrations?: bigint;
  /** When they pay for none: how far the funds go toward one, 0..1. */
  towardOne?: number;
}

const PAD = 32;
const WARNING = "#ef6461";

export async function renderPoolCard(view: PoolView): Promise<RenderedCard> {
  const { width, height } = POOL_CARD;
  const p = new Painter(width, height);
  p.rect(0, 0, width, 6, COLORS.accent);
  p.text(view.name, PAD, 48, width - 2 * PAD - 120, { size: 30, bold: true });
  p.text(view.token, width - PAD, 48, 110, { size: 22, bold: true, color: COLORS.gold, align: "right" });

  // The main figure has the whole width to itself, so it is never cut; what it buys sits under it.
  const cannotFund = view.fundedDemonstrations === 0n;
  p.text("Funds left", PAD, 92, 200, { size: 16, color: COLORS.muted });
  p.text(view.available, PAD, 126, width - 2 * PAD, {
    size: 30,
    bold: true,
    color: cannotFund ? WARNING : COLORS.good,
  });
  if (view.fundedDemonstrations !== undefined && view.latestBid) {
    const n = view.fundedDemonstrations;
    p.text(
      cannotFund
        ? `not enough for one demonstration at the ${view.latestBid} bid`
        : `${formatCount(n)} demonstration${n === 1n ? "" : "s"} at the ${view.latestBid} bid`,
      PAD,
      160,
      width - 2 * PAD,
      { size: 16, color: cannotFund ? WARNING : COLORS.muted },
    );
  }
  const colW = (width - 2 * PAD) / 2;
  const stat = (i: number, label: string, value: string, color: string) => {
    p.text(label, PAD + i * colW, 192, colW - 12, { size: 15, color: COLORS.muted });
    p.text(value, PAD + i * colW, 216, colW - 12, { size: 19, bold: true, color });
  };
  stat(0, "Reserved for grading", view.reserved, COLORS.accent);
  stat(1, "Paid to farmers", view.paid, COLORS.silver);

  // The stacked bar: available | reserved | paid. Funds that cannot pay one demonstration are not
  // drawn as a healthy green: only the part of one demonstration they cover, in red.
  const barX = PAD;
  const barY = 240;
  const barW = width - 2 * PAD;
  p.rect(barX, barY, barW, 16, COLORS.bar, 8);
  let x = barX;
  for (const [share, color] of [
    [
      cannotFund
        ? view.shares.available * Math.max(0, Math.min(1, view.towardOne ?? 0))
        : view.shares.available,
      cannotFund ? WARNING : COLORS.good,
    ],
    [view.shares.reserved, COLORS.accent],
    [view.shares.paid, COLORS.silver],
  ] as const) {
    const w = Math.max(0, Math.min(1, share)) * barW;
    if (w > 0) p.rect(x, barY, w, 16, color);
    x += color === WARNING ? Math.max(0, Math.min(1, view.shares.available)) * barW : w;
  }

  drawBidChart(p, view, { x: PAD, y: 276, w: width - 2 * PAD, h: height - 276 - 20 });
  return p.render();
}

/** The bid history: a line over time, a value axis (lowest and highest bid) and the first and last dates. */
function drawBidChart(
  p: Painter,
  view: PoolView,
  chart: { x: number; y: number; w: number; h: number },
): void {
  p.rect(chart.x, chart.y, chart.w, chart.h, COLORS.panel, 12);
  p.text("Bid per demonstration", chart.x + 16, chart.y + 20, 300, { size: 16, color: COLORS.muted });
  if (view.latestBid)
    p.text(`latest ${view.latestBid}`, chart.x + chart.w - 16, chart.y + 20, 300, {
      size: 16,
      align: "right",
    });
  const bids = view.bids.filter((b) => Number.isFinite(b.price));
  if (bids.length === 0) {
    p.text("No bids yet", chart.x + chart.w / 2, chart.y + chart.h / 2 + 10, chart.w - 32, {
      size: 18,
      color: COLORS.muted,
      align: "center",
    });
    return;
  }
  const axisW = 110;
  const inner = { x: chart.x + 16 + axisW, y: chart.y + 48, w: chart.w - 48 - axisW, h: chart.h - 48 - 40 };
  const highest = bids.reduce((a, b) => (b.price > a.price ? b : a));
  const lowest = bids.reduce((a, b) => (b.price < a.price ? b : a));
  // The value axis starts at zero, so a bid's height reads as its size.
  const max = highest.price > 0 ? highest.price : 1;
  const yOf = (price: number) => inner.y + inner.h - (Math.max(0, price) / max) * inner.h;
  const { ctx } = p;
  // Axes and a grid line at the highest bid.
  ctx.strokeStyle = COLORS.bar;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(inner.x, inner.y - 4);
  ctx.lineTo(inner.x, inner.y + inner.h);
  ctx.lineTo(inner.x + inner.w, inner.y + inner.h);
  ctx.moveTo(inner.x, yOf(highest.price));
  ctx.lineTo(inner.x + inner.w, yOf(highest.price));
  ctx.stroke();
  const axisLabel = (text: string, y: number) =>
    p.text(text, inner.x - 8, y, axisW - 8, { size: 13, color: COLORS.muted, align: "right" });
  axisLabel(highest.label ?? String(highest.price), yOf(highest.price));
  if (lowest.price !== highest.price) axisLabel(lowest.label ?? String(lowest.price), yOf(lowest.price));
  axisLabel("0", inner.y + inner.h);
  // Dates under the axis: the first and the last change.
  const first = bids[0]!;
  const last = bids.at(-1)!;
  p.text(formatDay(first.at), inner.x, inner.y + inner.h + 18, 120, { size: 13, color: COLORS.muted });
  if (bids.length > 1 && formatDay(last.at) !== formatDay(first.at))
    p.text(formatDay(last.at), inner.x + inner.w, inner.y + inner.h + 18, 120, {
      size: 13,
      color: COLORS.muted,
      align: "right",
    });
  // A step line: a bid holds until the next change.
  const xOf = (i: number) =>
    bids.length === 1 ? inner.x + inner.w : inner.x + (i / (bids.length - 1)) * inner.w;
  ctx.strokeStyle = COLORS.accent;
  ctx.lineWidth = 3;
  ctx.beginPath();
  bids.forEach((b, i) => {
    if (i === 0) ctx.moveTo(bids.length === 1 ? inner.x : xOf(0), yOf(b.price));
    else {
      ctx.lineTo(xOf(i), yOf(bids[i - 1]!.price));
      ctx.lineTo(xOf(i), yOf(b.price));
    }
  });
  if (bids.length === 1) ctx.lineTo(xOf(0), yOf(first.price));
  ctx.stroke();
  ctx.fillStyle = COLORS.accent;
  bids.forEach((b, i) => {
    ctx.beginPath();
    ctx.arc(xOf(i), yOf(b.price), 4, 0, Math.PI * 2);
    ctx.fill();
  });
}
