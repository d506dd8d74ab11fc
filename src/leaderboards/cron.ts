// Five-field cron expressions in UTC (minute hour day-of-month month day-of-week), for scheduled
// leaderboard posts: parsed once with a message that says what is wrong, and asked "when did this
// last fire, at or before now?" so a post missed by a late tick is still made, once.
import { DAY, MINUTE } from "#src/core/clock.ts";
import { UserError } from "#src/core/errors.ts";

export interface Cron {
  source: string;
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Both day fields restricted: either may match (the classic cron rule). */
  dayOr: boolean;
}

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 7 },
] as const;

const EXAMPLE = 'e.g. "0 9 * * 1" for Mondays at 09:00 UTC';

export function parseCron(source: string): Cron {
  const parts = source.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new UserError(
      "invalid_cron",
      `A schedule has five fields (minute hour day month weekday, UTC), ${EXAMPLE}; "${source}" has ${parts.length}.`,
    );
  const sets = parts.map((part, i) => parseField(part, FIELDS[i]!));
  const weekdays = new Set([...sets[4]!].map((d) => d % 7));
  return {
    source: parts.join(" "),
    minutes: sets[0]!,
    hours: sets[1]!,
    days: sets[2]!,
    months: sets[3]!,
    weekdays,
    dayOr: parts[2] !== "*" && parts[4] !== "*",
  };
}

function parseField(text: string, field: (typeof FIELDS)[number]): Set<number> {
  const values = new Set<number>();
  const bad = () =>
    new UserError(
      "invalid_cron",
      `The ${field.name} field "${text}" is not valid: use numbers ${field.min}-${field.max}, *, ranges a-b, steps */n and lists a,b (${EXAMPLE}).`,
    );
  for (const item of text.split(",")) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!match) throw bad();
    const [, all, from, to, step] = match;
    let low: number = field.min;
    let high: number = field.max;
    if (all !== "*") {
      low = Number(from);
      high = to === undefined ? (step === undefined ? low : field.max) : Number(to);
    }
    const by = step === undefined ? 1 : Number(step);
    if (low < field.min || high > field.max || low > high || by < 1) throw bad();
    for (let v = low; v <= high; v += by) values.add(v);
  }
  return values;
}

function dayMatches(cron: Cron, d: Date): boolean {
  if (!cron.months.has(d.getUTCMonth() + 1)) return false;
  const dom = cron.days.has(d.getUTCDate());
  const dow = cron.weekdays.has(d.getUTCDay());
  return cron.dayOr ? dom || dow : dom && dow;
}

/** The latest minute at or before `now`, and after `after`, at which `cron` fires; undefined if none. */
export function lastFireTime(cron: Cron, now: Date, after: Date): Date | undefined {
  let t = Math.floor(now.getTime() / MINUTE) * MINUTE;
  const stop = after.getTime();
  while (t > stop) {
    const d = new Date(t);
    if (!dayMatches(cron, d)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - MINUTE;
      continue;
    }
    if (!cron.hours.has(d.getUTCHours())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()) - MINUTE;
      continue;
    }
    if (cron.minutes.has(d.getUTCMinutes())) return d;
    t -= MINUTE;
  }
  return undefined;
}

/** The next fire time after `from` (for replies), searching a little over a year ahead. */
export function nextFireTime(cron: Cron, from: Date): Date | undefined {
  const limit = from.getTime() + 400 * DAY;
  for (let t = (Math.floor(from.getTime() / MINUTE) + 1) * MINUTE; t <= limit; ) {
    const d = new Date(t);
    if (!dayMatches(cron, d)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
      continue;
    }
    if (!cron.hours.has(d.getUTCHours())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
      continue;
    }
    if (cron.minutes.has(d.getUTCMinutes())) return d;
    t += MINUTE;
  }
  return undefined;
}
