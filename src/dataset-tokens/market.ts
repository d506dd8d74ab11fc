// What the market shows (read-only): every live token with its price, market cap, 24 h volume and
// price change, and one token's price history for its card. Volume is CLONES through the curve plus
// fees: p for a buy, g (proceeds + fee) for a sell.
import { HOUR } from "#src/core/clock.ts";
import type { TxClient } from "#src/db/database.ts";
import { initialTokens, marketCap } from "./curve.ts";
import { priceOf } from "./figures.ts";
import { type DatasetTokenRow, tokenRowOf } from "./rows.ts";

export interface MarketRow {
  token: DatasetTokenRow;
  marketCapAtoms: bigint;
  volume24hAtoms: bigint;
  /** The price 24 h ago (the launch price for a younger token). */
  priceBefore: ReturnType<typeof priceOf>;
  price: ReturnType<typeof priceOf>;
}

export async function marketRows(db: TxClient, now: Date): Promise<MarketRow[]> {
  const tokens = (await db.datasetToken.findMany({ orderBy: { id: "asc" } })).map(tokenRowOf);
  const rows: MarketRow[] = [];
  for (const token of tokens) rows.push(await marketRow(db, token, now));
  return rows.sort((a, b) =>
    a.marketCapAtoms === b.marketCapAtoms
      ? a.token.id - b.token.id
      : a.marketCapAtoms > b.marketCapAtoms
        ? -1
        : 1,
  );
}

/** One token's market figures now. */
export async function marketRow(db: TxClient, token: DatasetTokenRow, now: Date): Promise<MarketRow> {
  const since = new Date(now.getTime() - 24 * HOUR);
  const [volume] = await db.$queryRaw<Array<{ v: string | null }>>`
    SELECT SUM(clones_atoms + CASE WHEN side = 'sell' THEN fee_atoms ELSE 0 END)::text AS v
    FROM dataset_trades WHERE token_id = ${token.id} AND created_at > ${since} AND created_at <= ${now}`;
  const before = await db.datasetTrade.findFirst({
    where: { tokenId: token.id, createdAt: { lte: since } },
    orderBy: { id: "desc" },
  });
  const priceBefore = before
    ? priceOf({ clones: BigInt(before.clonesAfter.toFixed()), tokens: BigInt(before.tokensAfter.toFixed()) })
    : priceOf({ clones: token.params.initialClones, tokens: initialTokens(token.params) });
  return {
    token,
    marketCapAtoms: marketCap(token.params, token.state, token.burnedAtoms),
    volume24hAtoms: BigInt(volume?.v ?? "0"),
    priceBefore,
    price: priceOf(token.state),
  };
}

export interface PricePoint {
  at: Date;
  clones: bigint;
  tokens: bigint;
}

/** The price after launch and after every trade, oldest first (at most `limit`, the latest). */
export async function priceHistory(db: TxClient, token: DatasetTokenRow, limit = 500): Promise<PricePoint[]> {
  const trades = await db.datasetTrade.findMany({
    where: { tokenId: token.id },
    orderBy: { id: "desc" },
    take: limit,
  });
  const points = trades.reverse().map((t) => ({
    at: t.createdAt,
    clones: BigInt(t.clonesAfter.toFixed()),
    tokens: BigInt(t.tokensAfter.toFixed()),
  }));
  if (trades.length < limit)
    points.unshift({
      at: token.createdAt,
      clones: token.params.initialClones,
      tokens: initialTokens(token.params),
    });
  return points;
}
