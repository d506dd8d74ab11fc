// Card rendering time per card (leaderboard, profile, pool), each beside the same machine's ceiling
// measured in the same run: encoding a blank canvas of the same size to PNG, the part no card avoids.
import { createCanvas } from "@napi-rs/canvas";
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

function msPerRun(count: number, work: () => unknown): number {
  for (let i = 0; i < Math.min(5, count); i++) work();
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) work();
  return Number(process.hrtime.bigint() - start) / 1e6 / count;
}

export default defineSuite({
  name: "render",
  description: "Card rendering (PNG), milliseconds per card, beside encoding a blank canvas of the same size",
  async run(ctx) {
    const count = ctx.quick ? 10 : 100;
    const rows: BenchRow[] = [];
    for (const card of CARDS) {
      const ceiling = msPerRun(count, () =>
        createCanvas(card.size.width, card.size.height).toBuffer("image/png"),
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
    return rows;
  },
});
