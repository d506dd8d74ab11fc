// Periods from cron expressions: our own walk (both directions) agrees with node-cron's ticking.
import fc from "fast-check";
import cron from "node-cron";
import { describe, expect, it } from "vitest";
import { CronSchedule, isValidCron } from "#src/epochs/schedule.ts";

const EXPRESSIONS = [
  "* * * * *",
  "*/15 * * * *",
  "0 * * * *",
  "0 0 * * *",
  "30 6 * * 1-5",
  "0 0 * * 0",
  "0 0 1 * *",
  "0 0 L * *",
  "0 12 * * 5#2",
  "0 0 29 2 *",
  "15,45 */6 * * *",
  "*/20 0 0 * * *",
];

describe("CronSchedule", () => {
  it("keys a daily period by its day, an hourly one by its minute", () => {
    const daily = new CronSchedule("0 0 * * *");
    expect(daily.latestDue(new Date("2026-11-24T09:30:00Z"))).toEqual({
      key: "2026-11-23",
      start: new Date("2026-11-23T00:00:00Z"),
      end: new Date("2026-11-24T00:00:00Z"),
    });
    const hourly = new CronSchedule("0 * * * *");
    expect(hourly.latestDue(new Date("2026-11-24T10:00:00Z")).key).toBe("2026-11-24T09:00");
    expect(new CronSchedule("*/20 * * * * *").latestDue(new Date("2026-11-24T10:00:41Z")).key).toBe(
      "2026-11-24T10:00:20",
    );
  });

  it("enumerates missed periods oldest first, the most recent ones when over the limit", () => {
    const daily = new CronSchedule("0 0 * * *");
    const after = new Date("2026-03-01T00:00:00Z");
    const now = new Date("2026-03-04T08:00:00Z");
    expect(daily.periodsDue(after, now, 30).map((p) => p.key)).toEqual([
      "2026-03-01",
      "2026-03-02",
      "2026-03-03",
    ]);
    expect(daily.periodsDue(after, now, 2).map((p) => p.key)).toEqual(["2026-03-02", "2026-03-03"]);
    expect(daily.periodsDue(new Date("2026-03-04T00:00:00Z"), now, 30)).toEqual([]);
  });

  it("agrees with node-cron's own next fire times, and periods tile time", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EXPRESSIONS),
        fc.date({
          min: new Date("2020-01-01T00:00:00Z"),
          max: new Date("2035-01-01T00:00:00Z"),
          noInvalidDate: true,
        }),
        (expression, at) => {
          const schedule = new CronSchedule(expression);
          const task = cron.createTask(expression, () => {}, { timezone: "UTC" });
          void task.destroy();
          // node-cron's walker works at whole seconds.
          const base = new Date(Math.floor(at.getTime() / 1000) * 1000);
          const next = schedule.next(base);
          expect(task.match(next)).toBe(true);
          // previous(next) is next; previous(next - 1ms) is at or before base.
          expect(schedule.previous(next)).toEqual(next);
          const before = schedule.previous(new Date(next.getTime() - 1));
          expect(before.getTime()).toBeLessThanOrEqual(base.getTime());
          expect(schedule.next(before)).toEqual(next);
          const period = schedule.periodEndingAt(next);
          expect(period.start).toEqual(before);
          expect(schedule.keyOf(period.start)).toBe(period.key);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("matches node-cron's upcoming runs exactly from now", () => {
    for (const expression of EXPRESSIONS) {
      const task = cron.createTask(expression, () => {}, { timezone: "UTC" });
      void task.destroy();
      const theirs = task.getNextRuns(4);
      const schedule = new CronSchedule(expression);
      const ours: Date[] = [];
      let at = new Date(theirs[0]!.getTime() - 1);
      for (let i = 0; i < 4; i++) {
        at = schedule.next(at);
        ours.push(at);
      }
      expect(ours, expression).toEqual(theirs);
    }
  });

  it("refuses what is not a cron expression", () => {
    expect(isValidCron("every day")).toBe(false);
    expect(() => new CronSchedule("61 * * * *")).toThrow(/not a cron expression/);
  });
});
