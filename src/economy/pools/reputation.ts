// Reputation (0-100) and XP (docs/economy.md section 5). Reputation is computed from a farmer's graded
// demonstrations whenever it is needed, so it cannot drift from the record: recent-weighted
// quality 50%, acceptance rate 20%, consistency (active days) 15%, speed (the grader's efficiency
// points) 15%, times a decay after a week without activity. The decay job stores the current value
// on each profile for lists. XP: each accepted demonstration earns its score, times the boost
// bought by burning CLONES while it lasts.
import { Decimal } from "decimal.js";
import type { PoolsConfig } from "#src/config/pools.ts";
import { DAY, HOUR } from "#src/core/clock.ts";
import type { Actor } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce, subKey } from "#src/core/idempotency.ts";
import type { Database, Tx, TxClient } from "#src/db/database.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { formatMoney, parsePositiveAmount, type TokenInfo } from "#src/ledger/amount.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";

export const XP_BOOST_CODE = "xp.boost";
const RECENT = 50;
/** Quality weight of the n-th most recent demonstration: 0.9^n. */
const RECENCY = new Decimal("0.9");
const GRACE_DAYS = 7;
const DECAY_PER_DAY = new Decimal("0.97");

export interface ReputationView {
  userId: number;
  reputation: number;
  parts: { quality: number; acceptance: number; consistency: number; speed: number; decay: string };
  graded: number;
  accepted: number;
  xp: bigint;
  boost: { multiplier: string; until: Date } | null;
  lastActivityAt: Date | null;
}

export class Reputation {
  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly tokens: TokenRegistry,
    private readonly config: PoolsConfig,
  ) {}

  async of(db: TxClient, userId: number, now: Date): Promise<ReputationView> {
    const rows = await db.submission.findMany({
      where: { farmerUserId: userId, score: { not: null } },
      orderBy: { id: "desc" },
      take: RECENT,
      select: { score: true, grade: true, createdAt: true, factory: { select: { qualityThreshold: true } } },
    });
    const profile = await db.farmerProfile.findUnique({ where: { userId } });
    let weighted = new Decimal(0);
    let weights = new Decimal(0);
    let accepted = 0;
    let efficiency = new Decimal(0);
    const days = new Set<string>();
    for (const [i, row] of rows.entries()) {
      const w = RECENCY.pow(i);
      weighted = weighted.add(w.mul(row.score!));
      weights = weights.add(w);
      if (row.score! >= row.factory.qualityThreshold) accepted++;
      const points =
        (row.grade as { breakdown?: { efficiency?: number } } | null)?.breakdown?.efficiency ?? 0;
      efficiency = efficiency.add(Math.max(0, Math.min(10, points)));
      if (now.getTime() - row.createdAt.getTime() <= 30 * DAY)
        days.add(row.createdAt.toISOString().slice(0, 10));
    }
    const n = rows.length;
    const quality = n === 0 ? new Decimal(0) : weighted.div(weights);
    const acceptance = n === 0 ? new Decimal(0) : new Decimal(accepted).mul(100).div(n);
    const consistency = Decimal.min(100, new Decimal(days.size).mul(10));
    const speed = n === 0 ? new Decimal(0) : efficiency.mul(10).div(n);
    const last = rows[0]?.createdAt ?? null;
    const idleDays = last ? Math.floor((now.getTime() - last.getTime()) / DAY) : 0;
    const decay = idleDays > GRACE_DAYS ? DECAY_PER_DAY.pow(idleDays - GRACE_DAYS) : new Decimal(1);
    const score = quality
      .mul("0.5")
      .add(acceptance.mul("0.2"))
      .add(consistency.mul("0.15"))
      .add(speed.mul("0.15"))
      .mul(decay);
    const boostActive = profile?.boostUntil && profile.boostUntil.getTime() > now.getTime();
    return {
      userId,
      reputation: Math.max(0, Math.min(100, score.floor().toNumber())),
      parts: {
        quality: quality.floor().toNumber(),
        acceptance: acceptance.floor().toNumber(),
        consistency: consistency.floor().toNumber(),
        speed: speed.floor().toNumber(),
        decay: decay.toFixed(4),
      },
      graded: n,
      accepted,
      xp: profile?.xp ?? 0n,
      boost: boostActive ? { multiplier: profile!.boostMultiplier, until: profile!.boostUntil! } : null,
      lastActivityAt: last,
    };
  }

  /** XP for an accepted demonstration, inside its settlement. Returns the XP added. */
  async award(tx: Tx, userId: number, score: number, now: Date): Promise<bigint> {
    const profile = await tx.db.farmerProfile.findUnique({ where: { userId } });
    const multiplier =
      profile?.boostUntil && profile.boostUntil.getTime() > now.getTime()
        ? new Decimal(profile.boostMultiplier)
        : new Decimal(1);
    const xp = BigInt(multiplier.mul(score).floor().toFixed(0));
    // Insert-if-missing then increment, never a read-then-insert upsert: two settlements of one
    // new farmer at once would otherwise collide on the profile's key.
    await ensureProfile(tx.db, userId);
    await tx.db.farmerProfile.update({
      where: { userId },
      data: { xp: { increment: xp }, lastActivityAt: now },
    });
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
