// Leaderboard periods in UTC: today, this ISO week (from Monday 00:00), this month, all time. A window
// is [start, end): `end` is the end of the current period, so what happens later today still counts.
import { DAY } from "#src/core/clock.ts";
import { formatDay } from "#src/core/time-format.ts";
import type { PeriodName } from "./types.ts";

export interface Window {
  /** Undefined for all time. */
  start?: Date;
  end: Date;
}

export function periodWindow(period: PeriodName, now: Date): Window {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  switch (period) {
    case "day":
      return { start: new Date(midnight), end: new Date(midnight + DAY) };
    case "week": {
      const sinceMonday = (now.getUTCDay() + 6) % 7;
      const start = midnight - sinceMonday * DAY;
      return { start: new Date(start), end: new Date(start + 7 * DAY) };
    }
    case "month":
      return {
        start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
        end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
      };
    case "all":
      // Everything recorded up to now (nothing is recorded in the future).
      return { end: new Date(now.getTime() + 1) };
  }
}

/** "Today (2026-11-23)", "This week (from Mon 2026-11-23)", "November 2026", "All time". */
export function periodLabel(period: PeriodName, now: Date): string {
  const window = periodWindow(period, now);
  switch (period) {
    case "day":
      return `Today (${formatDay(window.start!)} UTC)`;
    case "week":
      return `This week (from Monday ${formatDay(window.start!)} UTC)`;
    case "month":
      return `${window.start!.toLocaleString("en", { month: "long", timeZone: "UTC" })} ${window.start!.getUTCFullYear()}`;
    case "all":
      return "All time";
  }
}
