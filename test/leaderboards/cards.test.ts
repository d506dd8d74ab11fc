import { createCanvas, loadImage } from "@napi-rs/canvas";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { drawableText, REPLACEMENT } from "#src/leaderboards/cards/fonts.ts";
import { LEADERBOARD_CARD, renderLeaderboardCard } from "#src/leaderboards/cards/leaderboard-card.ts";
import type { RenderedCard } from "#src/leaderboards/cards/painter.ts";
import { fitText } from "#src/leaderboards/cards/painter.ts";
import { POOL_CARD, type PoolView, renderPoolCard } from "#src/leaderboards/cards/pool-card.ts";
import { PROFILE_CARD, type ProfileView, renderProfileCard } from "#src/leaderboards/cards/profile-card.ts";
import { fundsLeftBar, textBar, tierProgressBar } from "#src/leaderboards/progress.ts";
import type { Board } from "#src/leaderboards/types.ts";

const LONG =
  "👨‍👩‍👧‍👦 Zoë the Incredibly Long-Named Farmer 🚀🚀 of the Northern Ωмега Realm 漢字 עברית ".repeat(4);

function board(name: string, value = "1,234,567.123456 USDC"): Board {
  return {
    kind: "farmers",
    metric: "earnings",
    period: "week",
    token: "USDC",
    title: `Top farmers by earnings ${name}`,
    subtitle: `This week (from 2026-11-23 00:00 UTC) · USDC ${name}`,
    rows: Array.from({ length: 10 }, (_, i) => ({
      rank: i + 1,
      id: String(i + 1),
      name: i % 2 === 0 ? name : `farmer ${i}`,
      value,
      ...(i === 1 ? { detail: `12 demonstrations ${name}` } : {}),
      isViewer: false,
    })),
    viewer: { rank: 42, id: "99", name, value, isViewer: true },
    ranked: 57,
  };
}

function profile(name: string): ProfileView {
  return {
    name,
    reputation: 72,
    xp: { total: 1450, level: 4, intoLevel: 250, levelSize: 500 },
    tier: { tier: 3, progress: 0.4, next: `600,000 CLONES ${name}` },
    earnings: ["1,250.5 USDC", name, "3,000,000,000.000000001 CLONES"],
    standing: `#3 of 40 farmers this month ${name}`,
  };
}

function pool(name: string): PoolView {
  return {
    name,
    token: "USDC",
    available: "5,000 USDC",
    reserved: "250 USDC",
    paid: "1,234,567,890.123456 USDC",
    shares: { available: 0.6, reserved: 0.1, paid: 0.3 },
    bids: [1, 1.5, 1.2, 2, 2.5].map((price, i) => ({ at: new Date(i * 60_000), price })),
    latestBid: "2.5 USDC",
  };
}

const CARDS = [
  { name: "leaderboard", size: LEADERBOARD_CARD, render: (n: string) => renderLeaderboardCard(board(n)) },
  { name: "profile", size: PROFILE_CARD, render: (n: string) => renderProfileCard(profile(n)) },
  { name: "pool", size: POOL_CARD, render: (n: string) => renderPoolCard(pool(n)) },
] as const;

function expectNoOverflow(card: RenderedCard): void {
  expect(card.texts.length).toBeGreaterThan(0);
  for (const box of card.texts) {
    expect(box.measuredWidth, `"${box.text}" in a ${box.maxWidth}px box`).toBeLessThanOrEqual(box.maxWidth);
  }
}

async function distinctColors(png: Buffer, width: number, height: number): Promise<number> {
  const image = await loadImage(png);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, width, height);
  const colors = new Set<number>();
  for (let i = 0; i < data.length; i += 4 * 7)
    colors.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
  return colors.size;
}

describe("cards", () => {
  for (const card of CARDS) {
    describe(card.name, () => {
      it("is a PNG that decodes, at the intended size, and is not blank", async () => {
        const rendered = card.render(LONG);
        expect(rendered.png.subarray(1, 4).toString("latin1")).toBe("PNG");
        const image = await loadImage(rendered.png);
        expect([image.width, image.height]).toEqual([card.size.width, card.size.height]);
        expect([rendered.width, rendered.height]).toEqual([card.size.width, card.size.height]);
        // A blank image has one colour; text, bars and panels give many.
        expect(await distinctColors(rendered.png, card.size.width, card.size.height)).toBeGreaterThan(20);
      });

      it("keeps long unicode and emoji names inside their boxes, cut with an ellipsis", () => {
        const rendered = card.render(LONG);
        expectNoOverflow(rendered);
        expect(rendered.texts.some((t) => t.text.endsWith("…"))).toBe(true);
      });

      it("is byte-identical across two renders of the same data", () => {
        const first = card.render(LONG).png;
        const second = card.render(LONG).png;
        expect(first.equals(second)).toBe(true);
        expect(card.render("someone else").png.equals(first)).toBe(false);
      });

      it("never overflows, whatever the name (property)", () => {
        fc.assert(
          fc.property(fc.string({ unit: "grapheme", maxLength: 120 }), (name) => {
            expectNoOverflow(card.render(name));
          }),
          { numRuns: 15 },
        );
      });
    });
  }
});

describe("drawable text", () => {
  it("replaces each character the bundled font lacks with one replacement glyph", () => {
    expect(drawableText("ok 🚀")).toBe(`ok ${REPLACEMENT}`);
    // A ZWJ family and a toned thumbs-up are one glyph each for a reader, so one replacement each.
    expect(drawableText("👨‍👩‍👧‍👦👍🏽")).toBe(REPLACEMENT.repeat(2));
    expect(drawableText("Zoë Ωмега")).toBe("Zoë Ωмега");
  });

  it("drops control and bidi-override characters", () => {
    expect(drawableText("a\u0000b\u202ec\nd")).toBe("abcd");
  });

  it("cuts at grapheme boundaries and fits the box (property)", () => {
    const measure = (s: string) => [...s].length * 7;
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 60 }),
        fc.integer({ min: 0, max: 300 }),
        (text, w) => {
          const fitted = fitText(measure, text, w);
          expect(measure(fitted)).toBeLessThanOrEqual(w);
          if (fitted !== text && fitted !== "") expect(text.startsWith(fitted.slice(0, -1))).toBe(true);
        },
      ),
    );
  });
});

describe("text progress bars", () => {
  it("fills in proportion, rounded down, clamped", () => {
    expect(textBar(5n, 10n)).toBe("▓▓▓▓▓░░░░░ 50%");
    expect(textBar(999n, 1000n)).toBe("▓▓▓▓▓▓▓▓▓░ 99%");
    expect(textBar(20n, 10n)).toBe("▓▓▓▓▓▓▓▓▓▓ 100%");
    expect(textBar(-1n, 10n)).toBe("░░░░░░░░░░ 0%");
    expect(textBar(1n, 0n)).toBe("░░░░░░░░░░ 0%");
    expect(fundsLeftBar(3n, 4n, 4)).toBe("Funds left ▓▓▓░ 75%");
    expect(tierProgressBar(2, 5, 2_500n, 2_000n, 3_000n)).toBe("Tier 2 → 3 ▓▓▓▓▓░░░░░ 50%");
    expect(tierProgressBar(5, 5, 9n, 0n, 0n)).toBe("Tier 5 (the highest)");
  });
});
