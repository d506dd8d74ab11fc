import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Cron, lastFireTime, nextFireTime, parseCron } from "#src/leaderboards/cron.ts";

const at = (iso: string) => new Date(iso);
const iso = (d: Date | undefined) => d?.toISOString();

/** The obvious definition, minute by minute, to check the fast one against. */
function matches(cron: Cron, d: Date): boolean {
  if (!cron.minutes.has(d.getUTCMinutes()) || !cron.hours.has(d.getUTCHours())) return false;
  if (!cron.months.has(d.getUTCMonth() + 1)) return false;
  const dom = cron.days.has(d.getUTCDate());
  const dow = cron.weekdays.has(d.getUTCDay());
  return cron.dayOr ? dom || dow : dom && dow;
}

describe("cron (UTC)", () => {
  it("finds the latest fire time at or before now, after a given moment", () => {
    const mondays = parseCron("0 9 * * 1");
    expect(iso(lastFireTime(mondays, at("2026-11-25T12:00:00Z"), at("2026-11-01T00:00:00Z")))).toBe(
      "2026-11-23T09:00:00.000Z",
    );
    expect(iso(lastFireTime(mondays, at("2026-11-23T09:00:59Z"), at("2026-11-01T00:00:00Z")))).toBe(
      "2026-11-23T09:00:00.000Z",
    );
    // Nothing after the schedule was made: a new schedule does not post the past.
    expect(lastFireTime(mondays, at("2026-11-25T12:00:00Z"), at("2026-11-23T09:00:00Z"))).toBeUndefined();
    expect(iso(nextFireTime(mondays, at("2026-11-23T09:00:00Z")))).toBe("2026-11-30T09:00:00.000Z");
  });

  it("reads ranges, steps, lists, Sunday as 0 or 7, and either day field when both are given", () => {
    const c = parseCron("30 */6 1,15 * 0");
    expect([...c.hours]).toEqual([0, 6, 12, 18]);
    expect(c.dayOr).toBe(true);
    expect([...parseCron("0 0 * * 7").weekdays]).toEqual([0]);
    expect([...parseCron("0 0 * * 1-5/2").weekdays]).toEqual([1, 3, 5]);
    // The 1st of December 2026 is a Tuesday; the 29th of November a Sunday: both fire.
    expect(iso(nextFireTime(c, at("2026-11-28T00:00:00Z")))).toBe("2026-11-29T00:30:00.000Z");
  });

  it.each([
    ["0 9 * *", /five fields/],
    ["60 9 * * *", /minute field "60"/],
    ["0 24 * * *", /hour field "24"/],
    ["0 9 0 * *", /day of month field "0"/],
    ["0 9 * 13 *", /month field "13"/],
    ["0 9 * * 8", /day of week field "8"/],
    ["0 9 * * mon", /day of week field "mon"/],
    ["*/0 9 * * *", /minute field/],
    ["5-1 9 * * *", /minute field/],
  ])("refuses %s with what to write", (text, message) => {
    expect(() => parseCron(text)).toThrowError(message);
  });

  it("agrees with a minute-by-minute search (property)", () => {
    const field = (min: number, max: number) =>
      fc.oneof(
        fc.constant("*"),
        fc.integer({ min, max }).map(String),
        fc.integer({ min: 1, max: 5 }).map((s) => `*/${s}`),
        fc
          .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
          .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      );
    fc.assert(
      fc.property(
        field(0, 59),
        field(0, 23),
        field(1, 31),
        field(0, 6),
        fc.integer({ min: 0, max: 60 * 24 * 40 }),
        (minute, hour, dom, dow, offset) => {
          const cron = parseCron(`${minute} ${hour} ${dom} * ${dow}`);
          const after = at("2026-10-01T00:00:00Z");
          const now = new Date(after.getTime() + offset * 60_000);
          const found = lastFireTime(cron, now, after);
          let expected: Date | undefined;
          for (let t = now.getTime(); t > after.getTime(); t -= 60_000) {
            if (matches(cron, new Date(t))) {
              expected = new Date(t);
              break;
            }
          }
          expect(iso(found)).toBe(iso(expected));
        },
      ),
      { numRuns: 60 },
    );
  });
});
