// A factory's dataset as a picture: how many paid demonstrations, their size, the versions, and the
// score histogram as ten bars (0-9 ... 90-100).
import { COLORS, Painter, type RenderedCard } from "./painter.ts";

export const DATASET_CARD = { width: 800, height: 440 } as const;

export interface DatasetCardView {
  name: string;
  demonstrations: number;
  /** Formatted, e.g. "12.5 MB". */
  size: string;
  versions: number;
  /** Ten buckets of scores. */
  histogram: number[];
}

const PAD = 32;

export async function renderDatasetCard(view: DatasetCardView): Promise<RenderedCard> {
  const { width, height } = DATASET_CARD;
  const p = new Painter(width, height);
  p.rect(0, 0, width, 6, COLORS.accent);
  p.text(view.name, PAD, 48, width - 2 * PAD, { size: 30, bold: true });
  const colW = (width - 2 * PAD) / 3;
  const stat = (i: number, label: string, value: string, color: string) => {
    p.text(label, PAD + i * colW, 98, colW - 12, { size: 16, color: COLORS.muted });
    p.text(value, PAD + i * colW, 128, colW - 12, { size: 20, bold: true, color });
  };
  stat(0, "Paid demonstrations", String(view.demonstrations), COLORS.good);
  stat(1, "Files", view.size, COLORS.accent);
  stat(2, "Versions", String(view.versions), COLORS.silver);

  const chart = { x: PAD, y: 170, w: width - 2 * PAD, h: 240 };
  p.rect(chart.x, chart.y, chart.w, chart.h, COLORS.panel, 12);
  p.text("Scores", chart.x + 16, chart.y + 20, 300, { size: 16, color: COLORS.muted });
  const max = Math.max(0, ...view.histogram);
  const inner = { x: chart.x + 20, y: chart.y + 44, w: chart.w - 40, h: chart.h - 90 };
  const slot = inner.w / 10;
  view.histogram.forEach((count, i) => {
    const x = inner.x + i * slot;
    const h = max === 0 ? 0 : (count / max) * inner.h;
    p.rect(
      x + 6,
      inner.y + inner.h - h,
      slot - 12,
      Math.max(h, 2),
      count > 0 ? COLORS.accent : COLORS.bar,
      4,
    );
    p.text(String(count), x + slot / 2, inner.y + inner.h - h - 12, slot - 4, {
      size: 14,
      align: "center",
    });
    p.text(`${i * 10}`, x + slot / 2, inner.y + inner.h + 22, slot - 4, {
      size: 14,
      color: COLORS.muted,
      align: "center",
    });
  });
  return p.render();
}
