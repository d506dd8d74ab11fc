// Card rendering time per card (leaderboard, profile, pool), each beside the same machine's ceiling
// measured in the same run: encoding a blank canvas of the same size to PNG, the part no card avoids;
// and how long ten leaderboards at once hold the event loop, beside the same with the old synchronous
// encode.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { type Canvas, createCanvas } from "@napi-rs/canvas";
import { LEADERBOARD_CARD, renderLeaderboardCard } from "#src/leaderboards/cards/leaderboard-card.ts";
import { POOL_CARD, renderPoolCard } from "#src/leaderboards/cards/pool-card.ts";
import { PROFILE_CARD, renderProfileCard } from "#src/leaderboards/cards/profile-card.ts";
import type { Board } from "#src/leaderboards/types.ts";
import { type BenchRow, defineSuite, withPeakRss } from "./harness.ts";

const NAME = "👨‍👩‍👧‍👦 Zoë the Incredibly Long-Named Farmer 🚀 of the Northern Ωмега Realm";

const board: Board = {
  kind: "farmers",
  metric: "earnings",
  period: "week",
  token: "USDC",
  title: "Top farmers by earnings",
  subtitle: "This week (from Monday 2026-11-23 UTC) · USDC",
  rows: Array.from({ length: 10 }, (_, i) => ({
    rank: i + 1,
    id: String(i + 1),
    name: i % 2 === 0 ? NAME : `farmer ${i}`,
    value: `${(10_000 - i * 321).toLocaleString("en-US")}.5 USDC`,
    isViewer: false,
  })),
  viewer: { rank: 42, id: "99", name: NAME, value: "1.5 USDC", isViewer: true },
  ranked: 57,
};

const CARDS = [
  { name: "leaderboard", size: LEADERBOARD_CARD, render: () => renderLeaderboardCard(board) },
  {
    name: "profile",
    size: PROFILE_CARD,
    render: () =>
      renderProfileCard({
        name: NAME,
        reputation: 72,
        xp: { total: 1450, level: 4, intoLevel: 250, levelSize: 500 },
        tier: { tier: 3, progress: 0.4, next: "600,000 CLONES more" },
        earnings: ["1,250.5 USDC", "12 SOL", "3,000,000 CLONES"],
        standing: "#3 of 40 farmers this month (USDC)",
      }),
  },
  {
    name: "pool",
    size: POOL_CARD,
    render: () =>
      renderPoolCard({
        name: NAME,
        token: "USDC",
        available: "5,000 USDC",
        reserved: "250 USDC",
        paid: "1,234 USDC",
        shares: { available: 0.77, reserved: 0.04, paid: 0.19 },
        bids: Array.from({ length: 30 }, (_, i) => ({ at: new Date(i * 3_600_000), price: 1 + (i % 7) / 3 })),
        latestBid: "2.5 USDC",
      }),
  },
] as const;

async function msPerRun(count: number, work: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(5, count); i++) await work();
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await work();
  return Number(process.hrtime.bigint() - start) / 1e6 / count;
}

/**
 * The longest the event loop was held (ms) while `cards` leaderboards were rendered, ten members
 * asking at once: what a timer (or another member's answer) waits at worst.
 */
async function eventLoopHeldMs(cards: number): Promise<{ maxMs: number; meanMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  delay.enable();
  await Promise.all(
    Array.from({ length: cards }, async (_, i) => {
      // Requests arrive a few milliseconds apart, as they do from members.
      await new Promise((resolve) => setTimeout(resolve, i * 3));
      await renderLeaderboardCard(board);
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  delay.disable();
  return { maxMs: delay.max / 1e6, meanMs: delay.mean / 1e6 };
}

/** The old way for comparison in the same run: the PNG encoded on the event loop (`toBuffer`). */
async function withSynchronousEncode<T>(work: () => Promise<T>): Promise<T> {
  const canvasClass = Object.getPrototypeOf(createCanvas(1, 1)) as Canvas;
  const original = canvasClass.encode;
  canvasClass.encode = function (this: Canvas, format: string) {
    return Promise.resolve(this.toBuffer(`image/${format}` as "image/png"));
  } as Canvas["encode"];
  try {
    return await work();
  } finally {
    canvasClass.encode = original;
  }
}

export default defineSuite({
  name: "render",
  description: "Card rendering (PNG), milliseconds per card, beside encoding a blank canvas of the same size",
  async run(ctx) {
    const count = ctx.quick ? 10 : 100;
    const rows: BenchRow[] = [];
    for (const card of CARDS) {
      const ceiling = await msPerRun(count, () =>
        createCanvas(card.size.width, card.size.height).encode("png"),
      );
      const { result: value, peakRssMiB } = await withPeakRss(async () => msPerRun(count, card.render));
      rows.push({
        suite: "render",
        case: `${card.name} card ${card.size.width}x${card.size.height}`,
        value,
        unit: "ms/card",
        ceiling,
        ratio: value / ceiling,
        peakRssMiB,
        notes: `${count} renders; ceiling: blank canvas PNG encode; ratio > 1 is the drawing's cost`,
      });
    }
    // Ten leaderboards at once, with a timer watching the event loop: how long it was held at worst.
    const cards = 10;
    await eventLoopHeldMs(cards); // warm-up
    const before = await withSynchronousEncode(() => eventLoopHeldMs(cards));
    const after = await eventLoopHeldMs(cards);
    rows.push({
      suite: "render",
      case: `event loop held, ${cards} leaderboards at once`,
      value: after.maxMs,
      unit: "ms max",
      ceiling: before.maxMs,
      ratio: after.maxMs / before.maxMs,
      notes: `ceiling: the same with the PNG encoded on the event loop (toBuffer, as before); mean delay ${after.meanMs.toFixed(1)} vs ${before.meanMs.toFixed(1)} ms`,
    });
    return rows;
  },
});
