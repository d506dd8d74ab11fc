// Leaderboard figures read from the ledger, the source of truth for money: what was actually posted
// (a plain transfer, or the post of a reservation, whose code defaults to `<code>.post` and whose
// meta may sit on the reservation), credited to whom, in which window.
import type { TxClient } from "#src/db/database.ts";
import type { Window } from "./periods.ts";

/** Ledger transfer codes the boards read (written by pools, ambassadors and the arena). */
export const LEADERBOARD_CODES = {
  farmerPayout: "payout.farmer",
  commissions: ["commission.farmer_ambassador", "commission.creator_ambassador"],
  arenaReward: "arena.reward",
  poolFund: "pool.fund",
} as const;

export interface LedgerTotal {
  /** A user id or a factory id, as text. */
  id: string;
  amountAtoms: bigint;
  /** How many transfers (or distinct submissions) made it. */
  count: number;
}

// Transfers that moved money, their effective meta, in a window. $1 codes, $2 start, $3 end.
const POSTED = `
  SELECT t.id, t.amount, t.token, t.credit_account_id, t.created_at,
         COALESCE(t.meta, p.meta) AS meta
  FROM transfers t
  LEFT JOIN transfers p ON p.id = t.pending_id
  WHERE t.status = 'posted' AND t.kind IN ('single', 'post')
    AND (t.code = ANY($1::text[]) OR (t.kind = 'post' AND p.code = ANY($1::text[])))
    AND ($2::timestamptz IS NULL OR t.created_at >= $2::timestamptz)
    AND t.created_at < $3::timestamptz`;

function codesWithPosts(codes: readonly string[]): string[] {
  return codes.flatMap((code) => [code, `${code}.post`]);
}

function rows(raw: Array<{ id: string; amount: string; count: number | bigint }>): LedgerTotal[] {
  return raw.map((r) => ({ id: String(r.id), amountAtoms: BigInt(r.amount), count: Number(r.count) }));
}

/**
 * Money of `token` credited to users' accounts by transfers with `codes`, per user. What a member
 * earned before /link merged their account into another counts for the account they kept.
 */
export async function creditedToUsers(
  db: TxClient,
  codes: readonly string[],
  token: string,
  window: Window,
  filter: { metaKey: string; metaValue: string } | undefined = undefined,
): Promise<LedgerTotal[]> {
  const raw = await db.$queryRawUnsafe<Array<{ id: string; amount: string; count: bigint }>>(
    `WITH posted AS (${POSTED})
     SELECT COALESCE(u.merged_into_id::text, a.owner_id) AS id,
            SUM(posted.amount)::text AS amount, COUNT(*) AS count
     FROM posted JOIN accounts a ON a.id = posted.credit_account_id
     LEFT JOIN users u ON u.id::text = a.owner_id
     WHERE a.owner_type = 'user' AND posted.token = $4
       AND ($5::text IS NULL OR posted.meta ->> $5::text = $6::text)
     GROUP BY 1`,
    codesWithPosts(codes),
    window.start ?? null,
    window.end,
    token,
    filter?.metaKey ?? null,
    filter?.metaValue ?? null,
  );
  return rows(raw);
}

/** Demonstrations paid per factory: distinct submissions among farmer payouts (any token). */
export async function demonstrationsPaidByFactory(db: TxClient, window: Window): Promise<LedgerTotal[]> {
  const raw = await db.$queryRawUnsafe<Array<{ id: string; amount: string; count: bigint }>>(
    `WITH posted AS (${POSTED})
     SELECT posted.meta ->> 'factoryId' AS id, '0' AS amount,
            COUNT(DISTINCT COALESCE(posted.meta ->> 'submissionId', posted.id::text)) AS count
     FROM posted
     WHERE posted.meta ->> 'factoryId' IS NOT NULL
     GROUP BY posted.meta ->> 'factoryId'`,
    codesWithPosts([LEADERBOARD_CODES.farmerPayout]),
    window.start ?? null,
    window.end,
  );
  return rows(raw);
}

/**
 * Funds put into factories' pools, per factory: `pool.fund` transfers of `token`, by their
 * meta.factoryId, else by the pool account they credited.
 */
export async function fundsByFactory(db: TxClient, token: string, window: Window): Promise<LedgerTotal[]> {
  const raw = await db.$queryRawUnsafe<Array<{ id: string; amount: string; count: bigint }>>(
    `WITH posted AS (${POSTED})
     SELECT COALESCE(posted.meta ->> 'factoryId', a.owner_id) AS id,
            SUM(posted.amount)::text AS amount, COUNT(*) AS count
     FROM posted JOIN accounts a ON a.id = posted.credit_account_id
     WHERE posted.token = $4 AND (posted.meta ->> 'factoryId' IS NOT NULL OR a.owner_type = 'pool')
     GROUP BY 1`,
    codesWithPosts([LEADERBOARD_CODES.poolFund]),
    window.start ?? null,
    window.end,
    token,
  );
  return rows(raw);
}

/** Farmer payouts of one factory in `token`, all time: what its pool has paid. */
export async function paidByFactory(
  db: TxClient,
  factoryId: string,
  token: string,
  end: Date,
): Promise<bigint> {
  const raw = await db.$queryRawUnsafe<Array<{ amount: string | null }>>(
    `WITH posted AS (${POSTED})
     SELECT SUM(posted.amount)::text AS amount FROM posted
     WHERE posted.token = $4 AND posted.meta ->> 'factoryId' = $5`,
    codesWithPosts([LEADERBOARD_CODES.farmerPayout]),
    null,
    end,
    token,
    factoryId,
  );
  return BigInt(raw[0]?.amount ?? "0");
}

/** Every token a user was paid in by these codes (for the profile), with the totals. */
export async function userEarnings(
  db: TxClient,
  userId: number,
  codes: readonly string[],
  end: Date,
): Promise<Array<{ token: string; amountAtoms: bigint }>> {
  const raw = await db.$queryRawUnsafe<Array<{ token: string; amount: string }>>(
    `WITH posted AS (${POSTED})
     SELECT posted.token, SUM(posted.amount)::text AS amount
     FROM posted JOIN accounts a ON a.id = posted.credit_account_id
     WHERE a.owner_type = 'user' AND a.owner_id = $4
     GROUP BY posted.token ORDER BY posted.token`,
    codesWithPosts(codes),
    null,
    end,
    String(userId),
  );
  return raw.map((r) => ({ token: r.token, amountAtoms: BigInt(r.amount) }));
}
