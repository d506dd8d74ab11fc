// What ambassadors see (/referral stats) and what the leaderboards rank them by: commissions by
// token and period, referred members and their activity. Read from the ledger (commission and
// participation transfer codes) and the referrals table only; nothing here writes.
import { DAY } from "#src/core/clock.ts";
import type { TxClient } from "#src/db/database.ts";
import { COMMISSION_CODES } from "#src/economy/ambassadors/commissions.ts";
import { PARTICIPATION_CODES } from "#src/economy/ambassadors/referrals.ts";

const COMMISSION_CODE_LIST = Object.values(COMMISSION_CODES);

/** A transfer `t` in which the member whose id (text) is `$member` took part as funder or farmer. */
const involves = (
  member: string,
) => `(t.meta->>'farmerUserId' = ${member} OR t.meta->>'creatorUserId' = ${member}
  OR EXISTS (SELECT 1 FROM accounts pa WHERE pa.owner_type = 'user' AND pa.owner_id = ${member}
             AND pa.id IN (t.debit_account_id, t.credit_account_id)))`;

export interface Period {
  name: string;
  since: Date;
}

/** Today (UTC), the last 7 and 30 days, and all time. */
export function statPeriods(now: Date): Period[] {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return [
    { name: "today", since: today },
    { name: "7 days", since: new Date(now.getTime() - 7 * DAY) },
    { name: "30 days", since: new Date(now.getTime() - 30 * DAY) },
    { name: "all time", since: new Date(0) },
  ];
}

export interface ReferredMember {
  userId: number;
  displayName: string;
  referredAt: Date;
  /** Pool fundings and submissions since the referral. */
  activity: number;
  lastActiveAt: Date | null;
}

export interface CommissionTotal {
  token: string;
  period: string;
  atoms: bigint;
  payments: number;
}

export interface ReferralStats {
  referred: ReferredMember[];
  commissions: CommissionTotal[];
}

/** An ambassador's referred members with their activity, and commissions by token and period. */
export async function referralStats(db: TxClient, userId: number, now: Date): Promise<ReferralStats> {
  const referred = await db.$queryRawUnsafe<
    Array<{ user_id: number; display_name: string; created_at: Date; activity: number; last_at: Date | null }>
  >(
    `SELECT r.referred_user_id AS user_id, u.display_name, r.created_at,
            COUNT(t.id)::int AS activity, MAX(t.created_at) AS last_at
     FROM referrals r
     JOIN users u ON u.id = r.referred_user_id
     LEFT JOIN transfers t ON t.code = ANY($2::text[]) AND ${involves("r.referred_user_id::text")}
     WHERE r.referrer_user_id = $1
     GROUP BY r.referred_user_id, u.display_name, r.created_at
     ORDER BY r.created_at, r.referred_user_id`,
    userId,
    [...PARTICIPATION_CODES],
  );
  const commissions: CommissionTotal[] = [];
  for (const period of statPeriods(now)) {
    const rows = await db.$queryRawUnsafe<Array<{ token: string; atoms: string; payments: number }>>(
      `SELECT t.token, SUM(e.delta)::text AS atoms, COUNT(*)::int AS payments
       FROM entries e
       JOIN transfers t ON t.id = e.transfer_id
       JOIN accounts a ON a.id = e.account_id
       WHERE a.owner_type = 'user' AND a.owner_id = $1 AND t.code = ANY($2::text[]) AND e.delta > 0
         AND t.created_at >= $3
       GROUP BY t.token ORDER BY t.token`,
      String(userId),
      COMMISSION_CODE_LIST,
      period.since,
    );
    for (const row of rows)
      commissions.push({
        token: row.token,
        period: period.name,
        atoms: BigInt(row.atoms),
        payments: row.payments,
      });
  }
  return {
    referred: referred.map((r) => ({
      userId: r.user_id,
      displayName: r.display_name,
      referredAt: r.created_at,
      activity: r.activity,
      lastActiveAt: r.last_at,
    })),
    commissions,
  };
}

export interface AmbassadorStanding {
  userId: number;
  displayName: string;
  /** Commissions earned in the period, by token. */
  commissions: Array<{ token: string; atoms: bigint }>;
  /** Referred members who funded or submitted in the period. */
  activeReferrals: number;
  /** Everyone they ever referred. */
  totalReferrals: number;
}

/**
 * The ambassadors' leaderboard for a period (data for the leaderboard feature): ranked by
 * commissions in `token` when given, then by active referrals, then by total referrals.
 */
export async function ambassadorLeaderboard(
  db: TxClient,
  options: { since: Date; until: Date; limit?: number; token?: string },
): Promise<AmbassadorStanding[]> {
  const { since, until } = options;
  const earned = await db.$queryRawUnsafe<Array<{ user_id: string; token: string; atoms: string }>>(
    `SELECT a.owner_id AS user_id, t.token, SUM(e.delta)::text AS atoms
     FROM entries e
     JOIN transfers t ON t.id = e.transfer_id
     JOIN accounts a ON a.id = e.account_id
     WHERE a.owner_type = 'user' AND t.code = ANY($1::text[]) AND e.delta > 0
       AND t.created_at >= $2 AND t.created_at < $3
     GROUP BY a.owner_id, t.token`,
    COMMISSION_CODE_LIST,
    since,
    until,
  );
  const referrals = await db.$queryRawUnsafe<Array<{ user_id: number; total: number; active: number }>>(
    `SELECT r.referrer_user_id AS user_id, COUNT(*)::int AS total,
            COUNT(*) FILTER (WHERE EXISTS (
              SELECT 1 FROM transfers t WHERE t.code = ANY($1::text[]) AND t.created_at >= $2 AND t.created_at < $3
                AND ${involves("r.referred_user_id::text")}))::int AS active
     FROM referrals r GROUP BY r.referrer_user_id`,
    [...PARTICIPATION_CODES],
    since,
    until,
  );
  const standings = new Map<number, AmbassadorStanding>();
  const standing = (userId: number) => {
    let s = standings.get(userId);
    if (!s) {
      s = { userId, displayName: "", commissions: [], activeReferrals: 0, totalReferrals: 0 };
      standings.set(userId, s);
    }
    return s;
  };
  for (const row of earned)
    standing(Number(row.user_id)).commissions.push({ token: row.token, atoms: BigInt(row.atoms) });
  for (const row of referrals) {
    const s = standing(row.user_id);
    s.activeReferrals = row.active;
    s.totalReferrals = row.total;
  }
  const users = await db.user.findMany({
    where: { id: { in: [...standings.keys()] } },
    select: { id: true, displayName: true },
  });
  for (const u of users) standing(u.id).displayName = u.displayName;
  const inToken = (s: AmbassadorStanding) =>
    options.token ? (s.commissions.find((c) => c.token === options.token)?.atoms ?? 0n) : 0n;
  const ranked = [...standings.values()].sort((a, b) => {
    const byToken = inToken(b) - inToken(a);
    if (byToken !== 0n) return byToken > 0n ? 1 : -1;
    return (
      b.activeReferrals - a.activeReferrals || b.totalReferrals - a.totalReferrals || a.userId - b.userId
    );
  });
  return ranked.slice(0, options.limit ?? 10);
}
