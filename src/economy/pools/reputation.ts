// Reputation (0-100) and XP (docs/economy.md section 5). Reputation is computed from a farmer's graded
// demonstrations whenever it is needed, so it cannot drift from the record: recent-weighted quality
// 40%, acceptance rate 20%, consistency (active days and the longest streak of the last 30 days)
// 15%, speed (recording time against the median of the task's accepted recordings) 15% and
// experience (XP) 10%, times a decay after a week without activity. It counts for access only
// after TRACK_RECORD_MIN_GRADED graded demonstrations. The decay job stores the current value on
// each profile for lists. XP: each accepted demonstration earns its score, times the boost bought
// by burning CLONES while it lasts; crossing into a new level is announced to the farmer.
import { Decimal } from "decimal.js";
import type { PoolsConfig } from "#src/config/pools.ts";
import { DAY, HOUR } from "#src/core/clock.ts";
import type { Actor } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce, subKey } from "#src/core/idempotency.ts";
import type { Notifier } from "#src/core/notifier.ts";
import type { Database, Tx, TxClient } from "#src/db/database.ts";
import { levelOf, XP_PER_LEVEL } from "#src/economy/pools/levels.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { formatMoney, parsePositiveAmount, type TokenInfo } from "#src/ledger/amount.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";

export const XP_BOOST_CODE = "xp.boost";
/** Graded demonstrations a farmer needs before reputation counts for access (premium factories). */
export const TRACK_RECORD_MIN_GRADED = 5;
/** XP at which experience gives full marks: one level's worth. */
export const EXPERIENCE_FULL_XP = BigInt(XP_PER_LEVEL);
const RECENT = 50;
/** Quality weight of the n-th most recent demonstration: 0.9^n. */
const RECENCY = new Decimal("0.9");
const GRACE_DAYS = 7;
const DECAY_PER_DAY = new Decimal("0.97");
const WEIGHTS = { quality: "0.4", acceptance: "0.2", consistency: "0.15", speed: "0.15", experience: "0.1" };

export interface ReputationView {
  userId: number;
  reputation: number;
  /**
   * What premium factories compare with their bar: the reputation once the farmer has
   * TRACK_RECORD_MIN_GRADED graded demonstrations, 0 before.
   */
  accessReputation: number;
  parts: {
    quality: number;
    acceptance: number;
    consistency: number;
    speed: number;
    experience: number;
    decay: string;
  };
  graded: number;
  accepted: number;
  /** Active days and the longest run of consecutive active days, in the last 30 days. */
  activeDays: number;
  streakDays: number;
  /** Recordings compared with their task's median recording time (speed's basis). */
  timed: number;
  xp: bigint;
  level: number;
  boost: { multiplier: string; until: Date } | null;
  lastActivityAt: Date | null;
}

/** Where a level reached is announced (the notifier; absent in tools that only compute). */
export interface ReputationOptions {
  notifier?: Notifier;
  /** Graded demonstrations in the month to be ranked by quality (LEADERBOARD_MIN_QUALITY_COUNT). */
  minimumQualityCount?: number;
}

export class Reputation {
  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly tokens: TokenRegistry,
    private readonly config: PoolsConfig,
    private readonly options: ReputationOptions = {},
  ) {}

  /** The quality leaderboard's minimum, which the Playground's ranking uses too. */
  get minimumQualityCount(): number {
    return this.options.minimumQualityCount ?? 5;
  }

  async of(db: TxClient, userId: number, now: Date): Promise<ReputationView> {
    const rows = await db.submission.findMany({
      where: { farmerUserId: userId, score: { not: null } },
      orderBy: { id: "desc" },
      take: RECENT,
      select: {
        score: true,
        taskId: true,
        recordingMs: true,
        createdAt: true,
        factory: { select: { qualityThreshold: true } },
      },
    });
    const profile = await db.farmerProfile.findUnique({ where: { userId } });
    const medians = await medianRecordingMs(db, [...new Set(rows.map((r) => r.taskId))]);
    let weighted = new Decimal(0);
    let weights = new Decimal(0);
    let accepted = 0;
    let speedPoints = new Decimal(0);
    let timed = 0;
    const days = new Set<number>();
    for (const [i, row] of rows.entries()) {
      const w = RECENCY.pow(i);
      weighted = weighted.add(w.mul(row.score!));
      weights = weights.add(w);
      if (row.score! >= row.factory.qualityThreshold) accepted++;
      const median = medians.get(row.taskId);
      if (median !== undefined && row.recordingMs !== null && row.recordingMs > 0) {
        // As fast as the median or faster: full marks; slower: the median's share (twice: half).
        speedPoints = speedPoints.add(Decimal.min(100, new Decimal(median).mul(100).div(row.recordingMs)));
        timed++;
      }
      if (now.getTime() - row.createdAt.getTime() <= 30 * DAY)
        days.add(Math.floor(row.createdAt.getTime() / DAY));
    }
    const n = rows.length;
    const streakDays = longestRun(days);
    const xp = profile?.xp ?? 0n;
    const quality = n === 0 ? new Decimal(0) : weighted.div(weights);
    const acceptance = n === 0 ? new Decimal(0) : new Decimal(accepted).mul(100).div(n);
    const consistency = Decimal.min(100, new Decimal(days.size).add(streakDays).mul(5));
    const speed = timed === 0 ? new Decimal(0) : speedPoints.div(timed);
    const experience = Decimal.min(
      100,
      new Decimal(xp.toString()).mul(100).div(EXPERIENCE_FULL_XP.toString()),
    );
    const last = rows[0]?.createdAt ?? null;
    const idleDays = last ? Math.floor((now.getTime() - last.getTime()) / DAY) : 0;
    const decay = idleDays > GRACE_DAYS ? DECAY_PER_DAY.pow(idleDays - GRACE_DAYS) : new Decimal(1);
    const score = quality
      .mul(WEIGHTS.quality)
      .add(acceptance.mul(WEIGHTS.acceptance))
      .add(consistency.mul(WEIGHTS.consistency))
      .add(speed.mul(WEIGHTS.speed))
      .add(experience.mul(WEIGHTS.experience))
      .mul(decay);
    const reputation = Math.max(0, Math.min(100, score.floor().toNumber()));
    const boostActive = profile?.boostUntil && profile.boostUntil.getTime() > now.getTime();
    return {
      userId,
      reputation,
      accessReputation: n >= TRACK_RECORD_MIN_GRADED ? reputation : 0,
      parts: {
        quality: quality.floor().toNumber(),
        acceptance: acceptance.floor().toNumber(),
        consistency: consistency.floor().toNumber(),
        speed: speed.floor().toNumber(),
        experience: experience.floor().toNumber(),
        decay: decay.toFixed(4),
      },
      graded: n,
      accepted,
      activeDays: days.size,
      streakDays,
      timed,
      xp,
      level: levelOf(xp),
      boost: boostActive ? { multiplier: profile!.boostMultiplier, until: profile!.boostUntil! } : null,
      lastActivityAt: last,
    };
  }

  /** XP for an accepted demonstration, inside its settlement. Returns the XP added. */
  async award(tx: Tx, userId: number, score: number, now: Date): Promise<bigint> {
    // One statement, insert-if-missing then increment (never a read-then-insert upsert: two
    // settlements of one new farmer at once would otherwise collide on the profile's key). The
    // boost is applied under the row's lock; the multiplier and deadline come back unchanged, so
    // the XP awarded is worked out again here with the same Decimal rule as the SQL's floor().
    const [after] = await tx.db.$queryRaw<
      Array<{ xp: string; boost_multiplier: string; boost_until: Date | null }>
    >`
      INSERT INTO farmer_profiles AS p (user_id, xp, last_activity_at) VALUES (${userId}, ${score}, ${now})
      ON CONFLICT (user_id) DO UPDATE SET
        xp = p.xp + CASE WHEN p.boost_until > ${now} THEN floor(p.boost_multiplier::numeric * ${score})::bigint
                         ELSE ${score}::bigint END,
        last_activity_at = ${now}
      RETURNING xp::text AS xp, boost_multiplier, boost_until`;
    const boosted = after!.boost_until !== null && after!.boost_until.getTime() > now.getTime();
    const multiplier = boosted ? new Decimal(after!.boost_multiplier) : new Decimal(1);
    const xp = BigInt(multiplier.mul(score).floor().toFixed(0));
    const total = BigInt(after!.xp);
    const level = levelOf(total);
    if (level > levelOf(total - xp) && this.options.notifier) {
      const notifier = this.options.notifier;
      // After commit: a settlement rolled back announces nothing.
      tx.afterCommit(async () => {
        await notifier.notifyUser(userId, levelUpNotice(level, total));
      });
    }
    return xp;
  }

  /** For the boost's preview: its price, refused like the boost itself if the member cannot pay it. */
  async boostPreview(db: TxClient, actor: Actor): Promise<{ priceAtoms: bigint }> {
    const clones = this.tokens.get("CLONES");
    const price = parsePositiveAmount(this.config.XP_BOOST_PRICE, clones);
    try {
      await this.ledger.requireAvailable(db, accounts.user(actor.userId, clones.symbol), price);
    } catch (error) {
      throw boostRefusal(error, price, clones);
    }
    return { priceAtoms: price };
  }

  /** Burns CLONES for an XP multiplier; a boost bought while one runs extends it. */
  async boost(request: {
    actor: Actor;
    key: string;
    now: Date;
  }): Promise<{ until: Date; burnedAtoms: bigint }> {
    const clones = this.tokens.get("CLONES");
    const price = parsePositiveAmount(this.config.XP_BOOST_PRICE, clones);
    return this.db.transaction(async (tx) => {
      const { result } = await runOnce(tx, { scope: "xp.boost", key: request.key, input: {} }, async () => {
        try {
          await this.ledger.transfer(tx, {
            key: subKey("xp.boost", request.key),
            debit: accounts.user(request.actor.userId, clones.symbol),
            credit: accounts.burn(clones.symbol),
            token: clones.symbol,
            amountAtoms: price,
            code: XP_BOOST_CODE,
          });
        } catch (error) {
          throw boostRefusal(error, price, clones);
        }
        const profile = await tx.db.farmerProfile.findUnique({ where: { userId: request.actor.userId } });
        const from =
          profile?.boostUntil && profile.boostUntil.getTime() > request.now.getTime()
            ? profile.boostUntil
            : request.now;
        const until = new Date(from.getTime() + this.config.XP_BOOST_HOURS * HOUR);
        const multiplier = String(this.config.XP_BOOST_MULTIPLIER);
        await ensureProfile(tx.db, request.actor.userId);
        await tx.db.farmerProfile.update({
          where: { userId: request.actor.userId },
          data: { boostMultiplier: multiplier, boostUntil: until },
        });
        return { until, burnedAtoms: price };
      });
      return result;
    });
  }

  /**
   * The decay job: stores every farmer's current reputation (decayed where idle). Stops before the
   * next farmer once `signal` is aborted; each update is a recomputation, so the retry redoes it all.
   */
  async refreshAll(now: Date, signal?: AbortSignal): Promise<number> {
    const farmers = await this.db.prisma.submission.findMany({
      distinct: ["farmerUserId"],
      select: { farmerUserId: true },
    });
    for (const { farmerUserId } of farmers) {
      signal?.throwIfAborted();
      const view = await this.of(this.db.prisma, farmerUserId, now);
      await ensureProfile(this.db.prisma, farmerUserId);
      await this.db.prisma.farmerProfile.update({
        where: { userId: farmerUserId },
        data: { reputation: view.reputation },
      });
    }
    return farmers.length;
  }
}

/** The median recording time of each task's accepted recordings (settled at or above the threshold). */
async function medianRecordingMs(db: TxClient, taskIds: number[]): Promise<Map<number, number>> {
  if (taskIds.length === 0) return new Map();
  const rows = await db.$queryRaw<Array<{ task_id: number; median: string }>>`
    SELECT s.task_id, (percentile_cont(0.5) WITHIN GROUP (ORDER BY s.recording_ms))::text AS median
    FROM submissions s JOIN factories f ON f.id = s.factory_id
    WHERE s.task_id = ANY(${taskIds}::int[]) AND s.status = 'settled' AND s.recording_ms > 0
      AND s.score >= f.quality_threshold
    GROUP BY s.task_id`;
  return new Map(rows.map((r) => [Number(r.task_id), Number(r.median)]));
}

/** The longest run of consecutive days in a set of day numbers. */
function longestRun(days: ReadonlySet<number>): number {
  let best = 0;
  for (const day of days) {
    if (days.has(day - 1)) continue;
    let run = 1;
    while (days.has(day + run)) run++;
    best = Math.max(best, run);
  }
  return best;
}

function levelUpNotice(level: number, xp: bigint) {
  return {
    title: `Level ${level}`,
    text: `You reached level ${level} with ${xp} XP. XP adds to your reputation (its experience part); /reputation shows where you stand.`,
    tone: "success" as const,
    data: { level, xp: xp.toString() },
  };
}

/** Creates the farmer's profile row with its defaults unless it exists (ON CONFLICT DO NOTHING). */
async function ensureProfile(db: TxClient, userId: number): Promise<void> {
  await db.farmerProfile.createMany({ data: [{ userId }], skipDuplicates: true });
}

function boostRefusal(error: unknown, price: bigint, clones: TokenInfo): unknown {
  if (error instanceof UserError && error.code === "insufficient_funds")
    return new UserError(
      "insufficient_funds",
      `An XP boost burns ${formatMoney(price, clones)}. ${error.message}`,
      error.details,
    );
  return error;
}
