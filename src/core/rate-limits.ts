// How often one member may run one command: ten /leaderboard in a second would draw ten cards.
// rate-limiter-flexible counts the runs; its store here is our own table (rate_limits) written with
// one atomic statement, so every replica shares the counts, on PGlite and PostgreSQL alike, and the
// windows run on the bot's clock (tests move it; no row is stamped with the wall clock).
import { createRequire } from "node:module";
import type { RateLimiterRes, RateLimiterStoreAbstract as StoreAbstract } from "rate-limiter-flexible";
import type { RateLimitsConfig, RateRule } from "#src/config/rate-limits.ts";
import type { Database } from "#src/db/database.ts";
import type { Logger } from "#src/log.ts";
import { UserError } from "./errors.ts";

// The library exports its store base class in its types but not from its entry point.
const RateLimiterStoreAbstract = createRequire(import.meta.url)(
  "rate-limiter-flexible/lib/RateLimiterStoreAbstract.js",
) as typeof StoreAbstract;
const RateLimiterResClass = (
  createRequire(import.meta.url)("rate-limiter-flexible") as { RateLimiterRes: typeof RateLimiterRes }
).RateLimiterRes;

interface StoredWindow {
  points: number;
  expires: Date;
}

/** rate-limiter-flexible's store over the rate_limits table. */
class DatabaseStore extends RateLimiterStoreAbstract {
  constructor(
    private readonly db: Database,
    rule: RateRule,
    keyPrefix: string,
  ) {
    super({ storeClient: db, points: rule.points, duration: rule.seconds, keyPrefix });
  }

  /** Adds the points in one statement: a window that has passed starts again from them. */
  async _upsert(key: string, points: number, msDuration: number, forceExpire = false): Promise<StoredWindow> {
    const now = this.db.clock.now();
    const expires = new Date(now.getTime() + msDuration);
    const rows = await this.db.prisma.$queryRaw<StoredWindow[]>`
      INSERT INTO rate_limits (key, points, expires) VALUES (${key}, ${points}, ${expires})
      ON CONFLICT (key) DO UPDATE SET
        points = CASE WHEN ${forceExpire} OR rate_limits.expires <= ${now}
                      THEN EXCLUDED.points ELSE rate_limits.points + EXCLUDED.points END,
        expires = CASE WHEN ${forceExpire} OR rate_limits.expires <= ${now}
                       THEN EXCLUDED.expires ELSE rate_limits.expires END
      RETURNING points, expires`;
    return rows[0]!;
  }

  async _get(key: string): Promise<StoredWindow | null> {
    const row = await this.db.prisma.rateLimit.findUnique({ where: { key } });
    return row && row.expires > this.db.clock.now() ? row : null;
  }

  async _delete(key: string): Promise<boolean> {
    const { count } = await this.db.prisma.rateLimit.deleteMany({ where: { key } });
    return count > 0;
  }

  _getRateLimiterRes(_key: string, changedPoints: number, stored: StoredWindow): RateLimiterRes {
    const consumed = Number(stored.points);
    const msBeforeNext = Math.max(new Date(stored.expires).getTime() - this.db.clock.now().getTime(), 0);
    return new RateLimiterResClass(
      Math.max(this.points - consumed, 0),
      msBeforeNext,
      consumed,
      consumed === changedPoints,
    );
  }
}

/** The limits of every command, per member: `check` lets a run through or says when to try again. */
export class CommandRateLimits {
  readonly #limiters = new Map<string, DatabaseStore>();

  constructor(
    private readonly db: Database,
    private readonly config: RateLimitsConfig,
    private readonly log: Logger,
  ) {}

  /** The rule for a command path: its own ("leaderboard show"), its command's ("leaderboard"), or the default. */
  ruleFor(path: readonly string[]): { name: string; rule: RateRule } {
    for (let length = path.length; length > 0; length--) {
      const name = path.slice(0, length).join(" ");
      const rule = this.config.RATE_LIMIT_COMMANDS[name];
      if (rule) return { name, rule };
    }
    return {
      name: path.join(" "),
      rule: { points: this.config.RATE_LIMIT_POINTS, seconds: this.config.RATE_LIMIT_WINDOW_SECONDS },
    };
  }

  /** Counts one run of `path` by `userId`; throws UserError("rate_limited") past the limit. */
  async check(userId: number, path: readonly string[]): Promise<void> {
    const { name, rule } = this.ruleFor(path);
    if (rule.points === 0) return;
    const limiterKey = `${name}|${rule.points}/${rule.seconds}`;
    let limiter = this.#limiters.get(limiterKey);
    if (!limiter) {
      limiter = new DatabaseStore(this.db, rule, name);
      this.#limiters.set(limiterKey, limiter);
    }
    try {
      await limiter.consume(String(userId));
    } catch (rejection) {
      if (rejection instanceof RateLimiterResClass) {
        const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new UserError(
          "rate_limited",
          `Slow down a little: /${name} runs at most ${rule.points} times in ${rule.seconds} s for each member. Try again in ${seconds} s.`,
          { retryAfterSeconds: seconds },
        );
      }
      // A failing count must not stop the command: the database is the bot's, and it will say so.
      this.log.warn({ err: rejection, path }, "rate limit check failed; the command runs");
    }
  }
}
