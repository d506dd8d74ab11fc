// A cron expression (UTC) as a sequence of fire times, and the periods between them. node-cron
// ticks the scheduler; this computes, exactly and in both directions, which periods a tick is for,
// so catch-up can enumerate the periods missed while the bot was down, in order.
//
// A period ends at a fire time and starts at the fire time before it: a daily job at 00:00 that
// fires on 2026-11-24 runs the period [2026-11-23, 2026-11-24), keyed "2026-11-23". Which days
// match is asked of node-cron itself (its matcher, with L, W and # and its AND of day of month and
// day of week), so our periods and its ticks never disagree; within a matching UTC day every
// (hour, minute, second) of the expression fires, since UTC has no daylight-saving gaps.
import cron, { type ScheduledTask } from "node-cron";
import { DAY } from "#src/core/clock.ts";
import type { Period } from "./job.ts";

/** "0 0 29 2 1" (29 February on a Monday) fires only every 28 years or so; give up after 30. */
const MAX_DAYS_SEARCHED = 366 * 30;

export class ScheduleError extends Error {
  override name = "ScheduleError";
}

/** Whether node-cron accepts `expression` (5 fields, or 6 with seconds). */
export function isValidCron(expression: string): boolean {
  return cron.validate(expression);
}

export class CronSchedule {
  readonly #times: number[]; // milliseconds after midnight, ascending
  readonly #matcher: ScheduledTask;
  readonly #keyFormat: "day" | "minute" | "second";

  constructor(readonly expression: string) {
    if (!cron.validate(expression))
      throw new ScheduleError(`"${expression}" is not a cron expression (5 fields, or 6 with seconds).`);
    const fields = cron.parse(expression);
    const times: number[] = [];
    for (const h of fields.hour)
      for (const m of fields.minute)
        for (const s of fields.second) times.push(((h * 60 + m) * 60 + s) * 1000);
    this.#times = [...new Set(times)].sort((a, b) => a - b);
    // A task that is never started: only its matcher is used. Destroying it takes it out of
    // node-cron's registry; match() keeps working.
    this.#matcher = cron.createTask(expression, () => {}, { timezone: "UTC" });
    void this.#matcher.destroy();
    const onlyMidnight = this.#times.length === 1 && this.#times[0] === 0;
    this.#keyFormat = onlyMidnight ? "day" : fields.second.every((s) => s === 0) ? "minute" : "second";
  }

  /** Whether the UTC day starting at `dayStart` (midnight) has fire times. */
  #dayMatches(dayStart: number): boolean {
    return this.#matcher.match(new Date(dayStart + (this.#times[0] ?? 0)));
  }

  /** The first fire time strictly after `after`. */
  next(after: Date): Date {
    const t = after.getTime();
    let day = Math.floor(t / DAY) * DAY;
    for (let i = 0; i < MAX_DAYS_SEARCHED; i++, day += DAY) {
      if (!this.#dayMatches(day)) continue;
      for (const offset of this.#times) if (day + offset > t) return new Date(day + offset);
    }
    throw new ScheduleError(`"${this.expression}" does not fire within ${MAX_DAYS_SEARCHED} days.`);
  }

  /** The last fire time at or before `atOrBefore`. */
  previous(atOrBefore: Date): Date {
    const t = atOrBefore.getTime();
    let day = Math.floor(t / DAY) * DAY;
    for (let i = 0; i < MAX_DAYS_SEARCHED; i++, day -= DAY) {
      if (!this.#dayMatches(day)) continue;
      for (let j = this.#times.length - 1; j >= 0; j--) {
        const fire = day + (this.#times[j] as number);
        if (fire <= t) return new Date(fire);
      }
    }
    throw new ScheduleError(`"${this.expression}" did not fire within ${MAX_DAYS_SEARCHED} days.`);
  }

  /** The period that ends at fire time `end`. */
  periodEndingAt(end: Date): Period {
    const start = this.previous(new Date(end.getTime() - 1));
    return { key: this.keyOf(start), start, end };
  }

  /** The latest period that has ended by `now` (the one a tick at `now` is for). */
  latestDue(now: Date): Period {
    return this.periodEndingAt(this.previous(now));
  }

  /**
   * The periods that ended after `after` and by `now`, oldest first; at most `limit`, the most
   * recent ones when more are due (older ones are then skipped).
   */
  periodsDue(after: Date, now: Date, limit: number): Period[] {
    const periods: Period[] = [];
    let end = this.previous(now);
    while (end.getTime() > after.getTime() && periods.length < limit) {
      const period = this.periodEndingAt(end);
      periods.push(period);
      end = period.start;
    }
    return periods.reverse();
  }

  /** The next period's end after `now`: when the job is next due. */
  nextDue(now: Date): Date {
    return this.next(now);
  }

  keyOf(start: Date): string {
    const iso = start.toISOString();
    if (this.#keyFormat === "day") return iso.slice(0, 10);
    return iso.slice(0, this.#keyFormat === "minute" ? 16 : 19);
  }
}
