// The Playground (docs/economy.md section 5, "exclusive campaigns"): a factory open only to the top N
// farmers of the month's quality leaderboard. The standing is the leaderboard's own: the same
// average quality over the calendar month (UTC), the same minimum of graded demonstrations to be
// ranked, the same shared ranks for ties, so what /leaderboard shows is what the door checks.

import { Decimal } from "decimal.js";
import type { TxClient } from "#src/db/database.ts";
import { periodWindow } from "#src/leaderboards/periods.ts";
import { poolsQuality } from "#src/leaderboards/pool-providers.ts";
import { rank } from "#src/leaderboards/ranking.ts";

export interface MonthStanding {
  /** The farmer's rank this month by average quality; undefined when not ranked. */
  rank?: number;
  /** The farmer's graded demonstrations this month. */
  graded: number;
}

export async function monthQualityStanding(
  db: TxClient,
  userId: number,
  now: Date,
  minimumCount: number,
): Promise<MonthStanding> {
  const rows = await poolsQuality.farmerQuality(db, periodWindow("month", now));
  const graded = rows.find((r) => r.userId === userId)?.count ?? 0;
  const ranked = rank(
    rows
      .filter((r) => r.count >= minimumCount)
      .map((r) => ({ id: String(r.userId), score: new Decimal(r.averageQuality), item: r })),
  );
  const mine = ranked.find((r) => r.id === String(userId));
  return mine ? { rank: mine.rank, graded } : { graded };
}
