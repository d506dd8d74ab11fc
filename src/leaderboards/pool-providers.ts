// The leaderboard providers the pools feature answers from its own tables: farmers' average quality
// (settled submissions' scores), factory names and bid history, and members' reputation and XP.
import { Decimal } from "decimal.js";
import type { TxClient } from "#src/db/database.ts";
import { levelOf, XP_PER_LEVEL } from "#src/economy/pools/levels.ts";
import type { Reputation } from "#src/economy/pools/reputation.ts";
import type { Window } from "./periods.ts";
import type {
  FactorySource,
  LeaderboardProviders,
  MemberStanding,
  ProfileSource,
  QualitySource,
} from "./providers.ts";

const Exact = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_DOWN });

/** Quality is a settled submission's score (0-100) as a fraction; graded when it was settled. */
export const poolsQuality: QualitySource = {
  async farmerQuality(db: TxClient, window: Window) {
    const rows = await db.$queryRawUnsafe<Array<{ farmer_user_id: number; count: bigint; total: string }>>(
      `SELECT farmer_user_id, COUNT(*) AS count, SUM(score)::text AS total
       FROM submissions
       WHERE status = 'settled' AND score IS NOT NULL
         AND ($1::timestamptz IS NULL OR COALESCE(graded_at, created_at) >= $1::timestamptz)
         AND COALESCE(graded_at, created_at) < $2::timestamptz
       GROUP BY farmer_user_id`,
      window.start ?? null,
      window.end,
    );
    return rows.map((r) => ({
      userId: Number(r.farmer_user_id),
      count: Number(r.count),
      averageQuality: new Exact(r.total).div(new Exact(String(r.count)).mul(100)).toFixed(),
    }));
  },
};

export const poolsFactories: FactorySource = {
  async factoryNames(db, factoryIds) {
    const ids = factoryIds.filter((id) => /^\d+$/.test(id)).map(Number);
    const rows = await db.factory.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
    return new Map(rows.map((r) => [String(r.id), r.name]));
  },
  async factoriesOf(db, userIds) {
    const rows = await db.factory.findMany({
      where: { creatorUserId: { in: userIds } },
      select: { id: true },
      orderBy: { id: "asc" },
    });
    return rows.map((r) => String(r.id));
  },
  async bidHistory(db, factoryId, token) {
    if (!/^\d+$/.test(factoryId)) return [];
    const factory = await db.factory.findUnique({
      where: { id: Number(factoryId) },
      select: { token: true },
    });
    if (factory?.token !== token) return [];
    const rows = await db.bidChange.findMany({
      where: { factoryId: Number(factoryId) },
      orderBy: { id: "asc" },
      select: { bidAtoms: true, createdAt: true },
    });
    return rows.map((r) => ({ at: r.createdAt, priceAtoms: BigInt(r.bidAtoms.toFixed()) }));
  },
};

export function poolsProfiles(reputation: Reputation): ProfileSource {
  return {
    async standing(db, userId, now): Promise<MemberStanding> {
      const view = await reputation.of(db, userId, now);
      const xp = Number(view.xp);
      return {
        reputation: view.reputation,
        xp: {
          total: xp,
          level: levelOf(view.xp),
          intoLevel: xp % XP_PER_LEVEL,
          levelSize: XP_PER_LEVEL,
        },
      };
    },
  };
}

export function poolsProviders(reputation: Reputation): LeaderboardProviders {
  return { quality: poolsQuality, factories: poolsFactories, profiles: poolsProfiles(reputation) };
}
