// A bench row's goal (issue 16's table): what the figure must be, shown beside it in the table and
// in bench/results.json with whether it is met. A row may name several conditions (the epoch's time
// and its peak memory); it meets its goal when every one holds.
import type { BenchRow } from "./harness.ts";

export interface BenchGoal {
  /** Met when the value is under this (in the row's unit). */
  below?: number;
  /** Met when the value is over this. */
  above?: number;
  /** Met when value / ceiling is at least this (the row must have a ceiling). */
  ratioAtLeast?: number;
  /** Met when the peak resident memory is under this many MiB. */
  peakRssBelowMiB?: number;
  /** What the goal column shows instead of the conditions, e.g. "flat (< 10% growth)". */
  text?: string;
}

const number = (n: number) => n.toLocaleString("en-US");

/** The goal column: "< 50 ms", "> 300", ">= 0.50 of ceiling", "< 5,000 ms, peak < 500 MiB". */
export function goalText(row: BenchRow): string {
  const goal = row.goal;
  if (!goal) return "";
  if (goal.text) return goal.text;
  const unit = row.unit === "ms" || row.unit === "MiB" || row.unit === "s" ? ` ${row.unit}` : "";
  return [
    goal.below === undefined ? undefined : `< ${number(goal.below)}${unit}`,
    goal.above === undefined ? undefined : `> ${number(goal.above)}${unit}`,
    goal.ratioAtLeast === undefined ? undefined : `>= ${goal.ratioAtLeast.toFixed(2)} of ceiling`,
    goal.peakRssBelowMiB === undefined ? undefined : `peak < ${number(goal.peakRssBelowMiB)} MiB`,
  ]
    .filter((part) => part !== undefined)
    .join(", ");
}

/** Whether the row meets its goal; undefined when it has none. A condition it cannot check fails. */
export function goalMet(row: BenchRow): boolean | undefined {
  const goal = row.goal;
  if (!goal) return undefined;
  const checks = [
    goal.below === undefined || row.value < goal.below,
    goal.above === undefined || row.value > goal.above,
    goal.ratioAtLeast === undefined || (row.ratio !== undefined && row.ratio >= goal.ratioAtLeast),
    goal.peakRssBelowMiB === undefined ||
      (row.peakRssMiB !== undefined && row.peakRssMiB < goal.peakRssBelowMiB),
  ];
  return checks.every(Boolean);
}
