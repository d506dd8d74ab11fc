import { type Canvas, createCanvas, loadImage } from "@napi-rs/canvas";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import {
  DATASET_CARD,
  type DatasetCardView,
  renderDatasetCard,
} from "#src/leaderboards/cards/dataset-card.ts";
import { artworkName } from "#src/leaderboards/cards/emoji.ts";
import { drawableGraphemes, drawableText, REPLACEMENT } from "#src/leaderboards/cards/fonts.ts";
import { LEADERBOARD_CARD, renderLeaderboardCard } from "#src/leaderboards/cards/leaderboard-card.ts";
import type { RenderedCard, TextBox } from "#src/leaderboards/cards/painter.ts";
import { fitText, Painter } from "#src/leaderboards/cards/painter.ts";
import { POOL_CARD, type PoolView, renderPoolCard } from "#src/leaderboards/cards/pool-card.ts";
import {
  decodeAvatar,
  PROFILE_CARD,
  type ProfileView,
  renderProfileCard,
} from "#src/leaderboards/cards/profile-card.ts";
import { fundsLeftBar, textBar, tierProgressBar } from "#src/leaderboards/progress.ts";
import type { Board } from "#src/leaderboards/types.ts";

const LONG =
  "👨‍👩‍👧‍👦 Zoë the Incredibly Long-Named Farmer 🚀🚀 of the Northern Ωмега Realm 漢字 עברית ".repeat(4);

// One of each kind of emoji sequence: a single code point, a ZWJ family, a flag, a skin tone.
const EMOJI = { simple: "🚀", family: "👨‍👩‍👧‍👦", flag: "🇺🇦", skinTone: "👍🏽" } as const;
const EMOJI_NAME = `Ana ${Object.values(EMOJI).join(" ")}`;
// A ZWJ sequence no artwork has (dinosaur + pizza) and a code point newer than the artwork (U+1FAEA).
const UNKNOWN_EMOJI = "🦖\u200d🍕 \u{1faea}";

// Names as members pick them: any graphemes, mixed with emoji of every kind, valid or made up.
const emojiPiece = fc.oneof(
  fc.constantFrom(
    ...Object.values(EMOJI),
    "❤️",
    "©",
    "©️",
    "1️⃣",
    "🏳️‍🌈",
    "🏴‍☠️",
    "🧑🏿‍🤝‍🧑🏻",
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
    UNKNOWN_EMOJI,
  ),
  fc.integer({ min: 0x1f300, max: 0x1faff }).map((cp) => String.fromCodePoint(cp)),
  fc
    .tuple(fc.integer({ min: 0x1f300, max: 0x1faff }), fc.integer({ min: 0x1f3fb, max: 0x1f3ff }))
    .map(([cp, tone]) => String.fromCodePoint(cp, tone)),
  fc
    .tuple(fc.integer({ min: 0x1f1e6, max: 0x1f1ff }), fc.integer({ min: 0x1f1e6, max: 0x1f1ff }))
    .map(([a, b]) => String.fromCodePoint(a, b)),
);
const memberName = fc
  .array(fc.oneof(fc.string({ unit: "grapheme", maxLength: 8 }), emojiPiece), { maxLength: 20 })
  .map((pieces) => pieces.join(""));

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

function dataset(name: string): DatasetCardView {
  return {
    name,
    demonstrations: 1_234_567,
    size: "123,456.7 MB",
    versions: 42,
    histogram: [0, 3, 12, 40, 1_000_000, 80, 7, 0, 1, 234_567],
  };
}

const CARDS = [
  { name: "leaderboard", size: LEADERBOARD_CARD, render: (n: string) => renderLeaderboardCard(board(n)) },
  { name: "profile", size: PROFILE_CARD, render: (n: string) => renderProfileCard(profile(n)) },
  { name: "pool", size: POOL_CARD, render: (n: string) => renderPoolCard(pool(n)) },
  { name: "dataset", size: DATASET_CARD, render: (n: string) => renderDatasetCard(dataset(n)) },
] as const;

function expectNoOverflow(card: RenderedCard): void {
  expect(card.texts.length).toBeGreaterThan(0);
  for (const box of card.texts) {
    expect(box.measuredWidth, `"${box.text}" in a ${box.maxWidth}px box`).toBeLessThanOrEqual(box.maxWidth);
  }
}

async function pixels(png: Buffer, width: number, height: number): Promise<Uint8ClampedArray> {
  const image = await loadImage(png);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  return ctx.getImageData(0, 0, width, height).data;
}

async function distinctColors(png: Buffer, width: number, height: number): Promise<number> {
  const data = await pixels(png, width, height);
  const colors = new Set<number>();
  for (let i = 0; i < data.length; i += 4 * 7)
    colors.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
  return colors.size;
}

/**
 * The pixels inside a text's box (its width, one font size high) that are clearly coloured rather
 * than grey: the cards' text, panels and background are all near-grey, emoji artwork is not.
 */
async function colouredPixels(card: RenderedCard, box: TextBox): Promise<number> {
  const data = await pixels(card.png, card.width, card.height);
  let coloured = 0;
  const top = Math.floor(box.middle - box.size / 2);
  for (let y = top; y < top + box.size; y++) {
    for (let x = Math.floor(box.left); x < Math.ceil(box.left + box.measuredWidth); x++) {
      const i = (y * card.width + x) * 4;
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
    }
  }
  return coloured;
}

/** A picture with just `text` drawn at 40px, and its one text box. */
async function drawnAlone(text: string): Promise<{ card: RenderedCard; box: TextBox }> {
  const painter = new Painter(400, 80);
  painter.text(text, 20, 40, 360, { size: 40 });
  const card = await painter.render();
  return { card, box: card.texts[0]! };
}

describe("cards", () => {
  for (const card of CARDS) {
    describe(card.name, () => {
      it("is a PNG that decodes, at the intended size, and is not blank", async () => {
        const rendered = await card.render(LONG);
        expect(rendered.png.subarray(1, 4).toString("latin1")).toBe("PNG");
        const image = await loadImage(rendered.png);
        expect([image.width, image.height]).toEqual([card.size.width, card.size.height]);
        expect([rendered.width, rendered.height]).toEqual([card.size.width, card.size.height]);
        // A blank image has one colour; text, bars and panels give many.
        expect(await distinctColors(rendered.png, card.size.width, card.size.height)).toBeGreaterThan(20);
      });

      it("keeps long unicode and emoji names inside their boxes, cut with an ellipsis", async () => {
        const rendered = await card.render(LONG);
        expectNoOverflow(rendered);
        expect(rendered.texts.some((t) => t.text.endsWith("…"))).toBe(true);
      });

      it("encodes off the event loop the very bytes the synchronous encoder gives", async () => {
        // The canvas each card encodes, caught as it is encoded, then encoded again the old way.
        const canvasClass = Object.getPrototypeOf(createCanvas(1, 1));
        const encoded: Array<{ canvas: Canvas; png: Promise<Buffer> }> = [];
        const original = canvasClass.encode;
        const spy = vi.spyOn(canvasClass, "encode").mockImplementation(function (
          this: Canvas,
          ...args: unknown[]
        ) {
          const png = original.apply(this, args) as Promise<Buffer>;
          encoded.push({ canvas: this, png });
          return png;
        });
        try {
          for (const name of [LONG, EMOJI_NAME, "Ana"]) {
            const rendered = await card.render(name);
            const last = encoded.at(-1)!;
            expect(await last.png).toBe(rendered.png);
            expect(rendered.png.equals(last.canvas.toBuffer("image/png"))).toBe(true);
          }
          expect(encoded).toHaveLength(3);
        } finally {
          spy.mockRestore();
        }
      });

      it("is byte-identical across two renders of the same data", async () => {
        const first = (await card.render(LONG)).png;
        const second = (await card.render(LONG)).png;
        expect(first.equals(second)).toBe(true);
        expect((await card.render("someone else")).png.equals(first)).toBe(false);
      });

      it("draws the emoji of a name in colour, the same bytes every time", async () => {
        const rendered = await card.render(EMOJI_NAME);
        const nameBox = rendered.texts.find((t) => t.text === EMOJI_NAME);
        expect(nameBox, "the name is drawn whole").toBeDefined();
        // Four emoji, each roughly a font-size square of mostly coloured artwork.
        expect(await colouredPixels(rendered, nameBox!)).toBeGreaterThan(nameBox!.size ** 2);
        expect((await card.render(EMOJI_NAME)).png.equals(rendered.png)).toBe(true);
        expectNoOverflow(rendered);
      });

      it("draws an emoji the artwork lacks as the replacement glyph, without error", async () => {
        const rendered = await card.render(`Ana ${UNKNOWN_EMOJI}`);
        expect(rendered.texts.some((t) => t.text === `Ana ${REPLACEMENT} ${REPLACEMENT}`)).toBe(true);
        expectNoOverflow(rendered);
      });

      it("never overflows, whatever the name (property)", async () => {
        await fc.assert(
          fc.asyncProperty(memberName, async (name) => {
            expectNoOverflow(await card.render(name));
          }),
          { numRuns: 15 },
        );
      });
    });
  }
});

describe("emoji", () => {
  for (const [kind, emoji] of Object.entries(EMOJI)) {
    it(`draws a ${kind} emoji as one colour picture, the same bytes every time`, async () => {
      const graphemes = drawableGraphemes(emoji);
      expect(graphemes).toHaveLength(1);
      expect(graphemes[0]!.emoji).toBeDefined();
      const { card, box } = await drawnAlone(emoji);
      expect(box.text).toBe(emoji);
      // Most of the square is coloured artwork (the flag and family least, still well over a quarter).
      expect(await colouredPixels(card, box)).toBeGreaterThan(box.size ** 2 / 4);
      expect((await drawnAlone(emoji)).card.png.equals(card.png)).toBe(true);
    });
  }

  it("draws an emoji the artwork lacks as the grey replacement glyph", async () => {
    const { card, box } = await drawnAlone(UNKNOWN_EMOJI);
    expect(box.text).toBe(`${REPLACEMENT} ${REPLACEMENT}`);
    expect(await colouredPixels(card, box)).toBe(0);
  });

  it("measures emoji with the text and cuts them whole with an ellipsis", () => {
    const painter = new Painter(400, 80);
    const full = painter.text("🚀🚀🚀🚀🚀🚀", 0, 40, 1000, { size: 20 });
    expect(full).toBeGreaterThanOrEqual(6 * 20);
    painter.text("🚀🚀🚀🚀🚀🚀", 0, 40, full / 2, { size: 20 });
    const cut = painter.texts[1]!;
    expect(cut.text).toMatch(/^(🚀)+…$/u);
    expect(cut.measuredWidth).toBeLessThanOrEqual(full / 2);
  });

  it("draws text and emoji only within the width it measured", async () => {
    const { card, box } = await drawnAlone(`a${EMOJI.family}b${EMOJI.flag}${EMOJI.skinTone}c`);
    const data = await pixels(card.png, card.width, card.height);
    const background = [data[0], data[1], data[2]];
    let inkLeft = card.width;
    let inkRight = -1;
    for (let y = 0; y < card.height; y++) {
      for (let x = 0; x < card.width; x++) {
        const i = (y * card.width + x) * 4;
        if (data[i] === background[0] && data[i + 1] === background[1] && data[i + 2] === background[2])
          continue;
        inkLeft = Math.min(inkLeft, x);
        inkRight = Math.max(inkRight, x);
      }
    }
    expect(inkLeft).toBeGreaterThanOrEqual(Math.floor(box.left));
    expect(inkRight).toBeLessThan(Math.ceil(box.left + box.measuredWidth));
    // ...and fills most of it: the measurement is not generous either.
    expect(inkRight - inkLeft).toBeGreaterThan(box.measuredWidth - box.size / 2);
  });

  it("keeps characters that are text by default as text, unless asked for as emoji", () => {
    expect(drawableGraphemes("©")[0]!.emoji).toBeUndefined();
    expect(drawableGraphemes("©\ufe0f")[0]!.emoji).toBeDefined();
    expect(drawableGraphemes("❤")[0]!.emoji).toBeUndefined();
    expect(drawableGraphemes("❤️")[0]!.emoji).toBeDefined();
    // Emoji by default even without U+FE0F; and a keycap is a sequence, so a picture.
    expect(drawableGraphemes("⚡")[0]!.emoji).toBeDefined();
    expect(drawableGraphemes("1️⃣")[0]!.emoji).toBeDefined();
  });

  it("finds the artwork whether or not the sequence was typed with U+FE0F", () => {
    expect(artworkName("🏳️‍🌈")).toBe("1f3f3-fe0f-200d-1f308");
    expect(artworkName("🏳\u200d🌈")).toBe("1f3f3-fe0f-200d-1f308");
    expect(artworkName("❤️")).toBe("2764");
    expect(artworkName("👍🏽")).toBe("1f44d-1f3fd");
    expect(artworkName("🏴󠁧󠁢󠁳󠁣󠁴󠁿")).toBe("1f3f4-e0067-e0062-e0073-e0063-e0074-e007f");
    expect(artworkName("🦖\u200d🍕")).toBeUndefined();
  });
});

describe("drawable text", () => {
  it("keeps emoji the artwork has and replaces each other character the font lacks with one glyph", () => {
    expect(drawableText("ok 🚀")).toBe("ok 🚀");
    // An unknown ZWJ sequence is one glyph for a reader, so one replacement; a toned one is kept whole.
    expect(drawableText("🦖\u200d🍕👍🏽")).toBe(`${REPLACEMENT}👍🏽`);
    expect(drawableText("Zoë Ωмега")).toBe("Zoë Ωмега");
    expect(drawableText("ok \u{10fffd}")).toBe(`ok ${REPLACEMENT}`);
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

describe("cards in every script, sized to their content", () => {
  const CJK = "王小明 さくら 김민준 ＡＢＣ１２３";
  const twoRows: Board = {
    kind: "farmers",
    metric: "earnings",
    period: "week",
    token: "USDC",
    title: "Top farmers 排行榜",
    subtitle: "This week · USDC",
    rows: [
      { rank: 1, id: "1", name: CJK, value: "1,234.5 USDC", isViewer: false },
      { rank: 2, id: "2", name: "Ａｎａ 田中", value: "12 USDC", detail: "3 demonstrations", isViewer: true },
    ],
    ranked: 2,
  };

  it("draws Chinese, Japanese, Korean and fullwidth letters with the bundled fonts, not □", async () => {
    expect(drawableText(CJK)).toBe(CJK);
    expect(drawableText("漢字 ｶﾀｶﾅ 한국어 「かぎ」")).toBe("漢字 ｶﾀｶﾅ 한국어 「かぎ」");
    const card = await renderLeaderboardCard(twoRows);
    expect(card.texts.map((t) => t.text)).toContain(CJK);
    expect(card.texts.some((t) => t.text.includes(REPLACEMENT))).toBe(false);
    expectNoOverflow(card);
  });

  it("draws those names in ink: a CJK name covers about as much as a Latin one of its width", async () => {
    const cjk = await drawnAlone("王小明");
    const latin = await drawnAlone("Wang");
    const inked = async ({ card, box }: Awaited<ReturnType<typeof drawnAlone>>) => {
      const data = await pixels(card.png, card.width, card.height);
      let n = 0;
      for (let y = 20; y < 60; y++)
        for (let x = Math.floor(box.left); x < box.left + box.measuredWidth; x++)
          if (data[(y * card.width + x) * 4]! > 128) n++;
      return n;
    };
    // A missing glyph would be one hollow box per character: far less ink than three ideographs.
    expect(await inked(cjk)).toBeGreaterThan((await inked(latin)) * 0.8);
  });

  it("makes a two-row leaderboard as tall as its rows, byte-identical across two renders", async () => {
    const first = await renderLeaderboardCard(twoRows);
    expect([first.width, first.height]).toEqual([800, 254]);
    expect((await renderLeaderboardCard(twoRows)).png.equals(first.png)).toBe(true);
    expect((await renderLeaderboardCard(board("x"))).height).toBe(LEADERBOARD_CARD.height);
    const none = await renderLeaderboardCard({ ...twoRows, rows: [] });
    expect(none.height).toBe(204);
    expect(none.texts.map((t) => t.text)).toContain("No one is ranked yet.");
  });

  it("draws CJK profile and pool cards byte-identically across two renders", async () => {
    const profileCard = () => renderProfileCard(profile(CJK));
    const poolCard = () => renderPoolCard(pool(CJK));
    expect((await profileCard()).png.equals((await profileCard()).png)).toBe(true);
    expect((await poolCard()).png.equals((await poolCard()).png)).toBe(true);
    expect((await profileCard()).texts.some((t) => t.text.includes(REPLACEMENT))).toBe(false);
  });

  it("gives the pool's main figure the whole width, and labels the chart's values and dates", async () => {
    const card = await renderPoolCard({ ...pool("Pool"), available: "1,234,567,890,123.123456 USDC" });
    const texts = card.texts.map((t) => t.text);
    expect(texts).toContain("1,234,567,890,123.123456 USDC");
    expect(texts).toContain("1970-01-01");
    expect(texts).toContain("0");
    expectNoOverflow(card);
  });

  it("shows no green bar for a pool that cannot pay one demonstration, and says so", async () => {
    const view: PoolView = {
      ...pool("Pool"),
      available: "1 USDC",
      reserved: "0 USDC",
      paid: "0 USDC",
      shares: { available: 1, reserved: 0, paid: 0 },
      latestBid: "2.5 USDC",
      fundedDemonstrations: 0n,
      towardOne: 0.4,
    };
    const card = await renderPoolCard(view);
    expect(card.texts.map((t) => t.text)).toContain("not enough for one demonstration at the 2.5 USDC bid");
    const data = await pixels(card.png, card.width, card.height);
    let green = 0;
    for (let y = 240; y < 256; y++)
      for (let x = 32; x < 768; x++) {
        const i = (y * card.width + x) * 4;
        if (data[i] === 0x3c && data[i + 1] === 0xcf && data[i + 2] === 0x91) green++;
      }
    expect(green).toBe(0);
    const funded = await renderPoolCard({ ...view, available: "5 USDC", fundedDemonstrations: 2n });
    expect(funded.texts.map((t) => t.text)).toContain("2 demonstrations at the 2.5 USDC bid");
  });

  it("draws the member's avatar, round, and the XP the next level needs", async () => {
    const red = createCanvas(32, 32);
    const ctx = red.getContext("2d");
    ctx.fillStyle = "#ff0000";
    ctx.fillRect(0, 0, 32, 32);
    const avatar = await decodeAvatar(red.toBuffer("image/png"));
    expect(avatar).toBeDefined();
    const withAvatar = await renderProfileCard({ ...profile("Ana"), ...(avatar ? { avatar } : {}) });
    const data = await pixels(withAvatar.png, withAvatar.width, withAvatar.height);
    const at = (x: number, y: number) => [
      ...data.subarray((y * withAvatar.width + x) * 4, (y * withAvatar.width + x) * 4 + 3),
    ];
    expect(at(64, 54)).toEqual([255, 0, 0]); // the middle of the picture
    expect(at(33, 23)).not.toEqual([255, 0, 0]); // its corner is cut round
    expect(withAvatar.texts.map((t) => t.text)).toContain("1,450 XP · 250 to level 5");
    expect(
      (await renderProfileCard({ ...profile("Ana"), ...(avatar ? { avatar } : {}) })).png.equals(
        withAvatar.png,
      ),
    ).toBe(true);
    // Bytes that are no picture: no avatar, and the card is drawn without one.
    expect(await decodeAvatar(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });
});
