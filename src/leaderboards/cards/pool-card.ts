// A factory's pool as a picture: what is left, reserved and paid, and its bid history as a chart.
import { COLORS, Painter, type RenderedCard } from "./painter.ts";

export const POOL_CARD = { width: 800, height: 440 } as const;

export interface PoolView {
  name: string;
  token: string;
  /** Formatted amounts. */
  available: string;
  reserved: string;
  paid: string;
  /** Shares of the whole (available + reserved + paid), 0..1, for the stacked bar. */
  shares: { available: number; reserved: number; paid: number };
  /** Bids over time (price per demonstration, in whole tokens as a float: only for drawing). */
  bids: Array<{ at: Date; price: number }>;
  /** Formatted latest bid, e.g. "2.5 USDC". */
  latestBid?: string;
}

const PAD = 32;

export function renderPoolCard(view: PoolView): RenderedCard {
  const { width, height } = POOL_CARD;
  const p = new Painter(width, height);
  p.rect(0, 0, width, 6, COLORS.accent);
  p.text(view.name, PAD, 48, width - 2 * PAD - 120, { size: 30, bold: true });
  p.text(view.token, width - PAD, 48, 110, { size: 22, bold: true, color: COLORS.gold, align: "right" });

  const colW = (width - 2 * PAD) / 3;
  const stat = (i: number, label: string, value: string, color: string) => {
    p.text(label, PAD + i * colW, 98, colW - 12, { size: 16, color: COLORS.muted });
    p.text(value, PAD + i * colW, 128, colW - 12, { size: 20, bold: true, color });
  };
  stat(0, "Funds left", view.available, COLORS.good);
  stat(1, "Reserved", view.reserved, COLORS.accent);
  stat(2, "Paid to farmers", view.paid, COLORS.silver);

  // The stacked bar: available | reserved | paid.
  const barX = PAD;
  const barY = 160;
  const barW = width - 2 * PAD;
  p.rect(barX, barY, barW, 20, COLORS.bar, 10);
  let x = barX;
  for (const [share, color] of [
    [view.shares.available, COLORS.good],
    [view.shares.reserved, COLORS.accent],
    [view.shares.paid, COLORS.silver],
  ] as const) {
    const w = Math.max(0, Math.min(1, share)) * barW;
    if (w > 0) p.rect(x, barY, w, 20, color);
    x += w;
  }

  // The bid history.
  const chart = { x: PAD, y: 230, w: width - 2 * PAD, h: 170 };
  p.rect(chart.x, chart.y, chart.w, chart.h, COLORS.panel, 12);
  p.text("Bid history", chart.x + 16, chart.y + 20, 300, { size: 16, color: COLORS.muted });
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
    return p.render();
  }
  const inner = { x: chart.x + 24, y: chart.y + 44, w: chart.w - 48, h: chart.h - 64 };
  const max = Math.max(...bids.map((b) => b.price));
  const min = Math.min(0, ...bids.map((b) => b.price));
  const span = max - min || 1;
  const { ctx } = p;
  ctx.strokeStyle = COLORS.accent;
  ctx.lineWidth = 3;
  ctx.beginPath();
  bids.forEach((b, i) => {
    const px = inner.x + (bids.length === 1 ? inner.w / 2 : (i / (bids.length - 1)) * inner.w);
    const py = inner.y + inner.h - ((b.price - min) / span) * inner.h;
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  });
  ctx.stroke();
  ctx.fillStyle = COLORS.accent;
  bids.forEach((b, i) => {
    const px = inner.x + (bids.length === 1 ? inner.w / 2 : (i / (bids.length - 1)) * inner.w);
    const py = inner.y + inner.h - ((b.price - min) / span) * inner.h;
    ctx.beginPath();
    ctx.arc(px, py, 4, 0, Math.PI * 2);
    ctx.fill();
  });
  return p.render();
}
