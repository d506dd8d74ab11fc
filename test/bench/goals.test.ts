// The bench's goal column: the text shown beside a figure and whether the figure meets it.
import { describe, expect, it } from "vitest";
import { goalMet, goalText } from "../../bench/goals.ts";
import type { BenchRow } from "../../bench/harness.ts";

const row = (fields: Partial<BenchRow>): BenchRow => ({
  suite: "s",
  case: "c",
  value: 0,
  unit: "ms",
  ...fields,
});

describe("bench goals", () => {
  it("has no goal text and no verdict without a goal", () => {
    expect(goalText(row({ value: 5 }))).toBe("");
    expect(goalMet(row({ value: 5 }))).toBeUndefined();
  });

  it("checks a limit below or above, strictly", () => {
    expect(goalText(row({ goal: { below: 1000 } }))).toBe("< 1,000 ms");
    expect(goalMet(row({ value: 999, goal: { below: 1000 } }))).toBe(true);
    expect(goalMet(row({ value: 1000, goal: { below: 1000 } }))).toBe(false);
    expect(goalText(row({ unit: "commands/s", goal: { above: 300 } }))).toBe("> 300");
    expect(goalMet(row({ value: 300, unit: "commands/s", goal: { above: 300 } }))).toBe(false);
  });

  it("checks the ratio to the ceiling, and fails a row with no ceiling", () => {
    const goal = { ratioAtLeast: 0.5 };
    expect(goalText(row({ goal }))).toBe(">= 0.50 of ceiling");
    expect(goalMet(row({ ratio: 0.5, goal }))).toBe(true);
    expect(goalMet(row({ ratio: 0.49, goal }))).toBe(false);
    expect(goalMet(row({ goal }))).toBe(false);
  });

  it("meets a goal of several conditions only when each holds", () => {
    const goal = { below: 5000, peakRssBelowMiB: 500 };
    expect(goalText(row({ goal }))).toBe("< 5,000 ms, peak < 500 MiB");
    expect(goalMet(row({ value: 4000, peakRssMiB: 400, goal }))).toBe(true);
    expect(goalMet(row({ value: 4000, peakRssMiB: 600, goal }))).toBe(false);
    expect(goalMet(row({ value: 4000, goal }))).toBe(false);
  });

  it("shows a goal's own words instead of its conditions", () => {
    const goal = { below: 10, text: "flat (< 10% growth)" };
    expect(goalText(row({ unit: "%", goal }))).toBe("flat (< 10% growth)");
    expect(goalMet(row({ value: -3, unit: "%", goal }))).toBe(true);
  });
});
