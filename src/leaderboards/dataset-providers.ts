// The dataset token boards' data (docs/economy.md section 10): volume from the trades recorded on
// each curve, market caps from the curves now, creators' fee income from the ledger (code below).

import { DATASET_CODES } from "#src/dataset-tokens/accounts.ts";
import { marketCap } from "#src/dataset-tokens/curve.ts";
import { tokenRowOf } from "#src/dataset-tokens/rows.ts";
import type { TxClient } from "#src/db/database.ts";
import type { Window } from "./periods.ts";
import type { DatasetTokenSource } from "./providers.ts";

/** The ledger code of a volume fee paid to a creator. */
export const DATASET_FEE_CODE = DATASET_CODES.fee;

export const datasetTokenBoards: DatasetTokenSource = {
  async volume(db: TxClient, window: Window) {
    const rows = await db.$queryRaw<Array<{ symbol: string; amount: string; trades: number }>>`
      SELECT t.symbol, SUM(d.clones_atoms + CASE WHEN d.side = 'sell' THEN d.fee_atoms ELSE 0 END)::text AS amount,
             COUNT(*)::int AS trades
      FROM dataset_trades d JOIN dataset_tokens t ON t.id = d.token_id
      WHERE (${window.start ?? null}::timestamptz IS NULL OR d.created_at >= ${window.start ?? null}::timestamptz)
        AND d.created_at < ${window.end}
      GROUP BY t.symbol`;
    return rows.map((r) => ({ symbol: r.symbol, amountAtoms: BigInt(r.amount), trades: r.trades }));
  },
  async marketCaps(db: TxClient) {
    const tokens = (await db.datasetToken.findMany()).map(tokenRowOf);
    return tokens.map((t) => ({
      symbol: t.symbol,
      amountAtoms: marketCap(t.params, t.state, t.burnedAtoms),
    }));
  },
  async names(db: TxClient, symbols: string[]) {
    const rows = await db.datasetToken.findMany({ where: { symbol: { in: symbols } } });
    return new Map(
      rows.map((r) => [
        r.symbol,
        r.kind === "dataset"
          ? `${r.symbol} (factory #${r.factoryId})`
          : `${r.symbol} (bundle #${r.bundleId})`,
      ]),
    );
  },
  async tokensOf(db: TxClient, userIds: number[]) {
    const factories = await db.factory.findMany({
      where: { creatorUserId: { in: userIds } },
      select: { id: true },
    });
    const rows = await db.datasetToken.findMany({
      where: { factoryId: { in: factories.map((f) => f.id) } },
      select: { symbol: true },
    });
    return rows.map((r) => r.symbol);
  },
};
