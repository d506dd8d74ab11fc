// The price card: a PNG at its size, not blank, every text inside its box, with price labels on the
// axis and dates below; the same data draws the same bytes.
import { createCanvas, loadImage } from "@napi-rs/canvas";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PRICE_CARD, type PriceCardView, renderPriceCard } from "#src/dataset-tokens/price-card.ts";

const view = (points: PriceCardView["points"]): PriceCardView => ({
  symbol: "WEBNAV",
  subject: "factory #1's dataset",
  price: "0.000028153971",
  marketCap: "27,872.430988131",
  change24h: "+16.14%",
  volume24h: "4,661.446999441",
  points,
});

const day = (d: number, h = 0) => new Date(Date.UTC(2026, 11, d, h));
const EXAMPLE = [
  { at: day(1), price: 0.0000242424 },
  { at: day(1, 2), price: 0.0000258812 },
  { at: day(2), price: 0.0000302135 },
  { at: day(3, 12), price: 0.0000281539 },
];

describe("the dataset price card", () => {
  it("is a PNG that decodes at its size, not blank, with axis prices and dates", async () => {
    const card = await renderPriceCard(view(EXAMPLE));
    const image = await loadImage(card.png);
    expect([image.width, image.height]).toEqual([PRICE_CARD.width, PRICE_CARD.height]);
    const canvas = createCanvas(image.width, image.height);
    const ctx = canvas.getContext("2d");
    ctx.drawImage(image, 0, 0);
    const pixels = ctx.getImageData(0, 0, image.width, image.height).data;
    const colours = new Set<number>();
    for (let i = 0; i < pixels.length; i += 4 * 97)
      colours.add((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!);
    expect(colours.size).toBeGreaterThan(10);
    const texts = card.texts.map((t) => t.text);
    expect(texts).toContain("2026-12-01 00:00");
    expect(texts).toContain("2026-12-03 12:00");
    expect(texts).toContain("0.00003021"); // the highest price on the axis
    expect(texts).toContain("0.00002424"); // the lowest
    for (const t of card.texts) expect(t.measuredWidth).toBeLessThanOrEqual(t.maxWidth);
    expect((await renderPriceCard(view(EXAMPLE))).png.equals(card.png)).toBe(true);
  });

  it("draws a single point and no point at all", async () => {
    expect((await renderPriceCard(view([EXAMPLE[0]!]))).texts.map((t) => t.text)).toContain(
      "2026-12-01 00:00",
    );
    expect((await renderPriceCard(view([]))).texts.map((t) => t.text)).toContain("No trades yet");
  });

  it("draws a flat price (one trade, a price of 0 or a subnormal one) without a NaN in its path", async () => {
    // Each of these once gave a zero price range, 0 / 0 in the scale, and a native abort in Skia.
    for (const price of [0, 1e-323, 5e-324, 0.5, 1e6])
      for (const points of [
        [{ at: day(1), price }],
        [
          { at: day(1), price },
          { at: day(2), price },
        ],
      ]) {
        const card = await renderPriceCard(view(points));
        expect((await loadImage(card.png)).width).toBe(PRICE_CARD.width);
      }
  });

  it("never draws text past its box, whatever the figures (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            at: fc.date({ min: day(1), max: day(28), noInvalidDate: true }),
            price: fc.double({ min: 0, max: 1e6, noNaN: true }),
          }),
          { maxLength: 30 },
        ),
        fc.string({ maxLength: 60 }),
        async (points, text) => {
          const sorted = [...points].sort((a, b) => a.at.getTime() - b.at.getTime());
          const card = await renderPriceCard({ ...view(sorted), marketCap: text, subject: text });
          for (const t of card.texts) expect(t.measuredWidth).toBeLessThanOrEqual(t.maxWidth);
        },
      ),
      { numRuns: 40 },
    );
  });
});
