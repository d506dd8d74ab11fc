// A dataset token's row read as curve figures, and the lock every change of a curve takes first.
import type { Tx, TxClient } from "#src/db/database.ts";
import type { CurveParams, CurveState } from "./curve.ts";

export interface DatasetTokenRow {
  id: number;
  symbol: string;
  kind: "dataset" | "bundle";
  factoryId: number | null;
  bundleId: number | null;
  launchedByUserId: number;
  thresholdBps: number;
  params: CurveParams;
  state: CurveState;
  burnedAtoms: bigint;
  createdAt: Date;
}

type Raw = Awaited<ReturnType<TxClient["datasetToken"]["findFirstOrThrow"]>>;

export function tokenRowOf(raw: Raw): DatasetTokenRow {
  const big = (v: { toFixed(): string }) => BigInt(v.toFixed());
  return {
    id: raw.id,
    symbol: raw.symbol,
    kind: raw.kind as "dataset" | "bundle",
    factoryId: raw.factoryId,
    bundleId: raw.bundleId,
    launchedByUserId: raw.launchedByUserId,
    thresholdBps: raw.thresholdBps,
    params: {
      supplyAtoms: big(raw.supplyAtoms),
      allocationAtoms: big(raw.allocationAtoms),
      initialRealTokens: big(raw.initialRealAtoms),
      initialClones: big(raw.initialClonesAtoms),
      feeBps: BigInt(raw.feeBps),
    },
    state: { clones: big(raw.clonesAtoms), tokens: big(raw.tokensAtoms), realTokens: big(raw.realAtoms) },
    burnedAtoms: big(raw.burnedAtoms),
    createdAt: raw.createdAt,
  };
}

/**
 * The token's row, locked until the transaction ends: trades, burns and launches of one curve run
 * one at a time, each on the state the previous one committed, so concurrent trades end exactly
 * where the same trades in commit order would.
 */
export async function lockToken(tx: Tx, tokenId: number): Promise<DatasetTokenRow> {
  await tx.db.$queryRaw`SELECT id FROM dataset_tokens WHERE id = ${tokenId} FOR UPDATE`;
  return tokenRowOf(await tx.db.datasetToken.findUniqueOrThrow({ where: { id: tokenId } }));
}

/** Writes a curve's state after a trade. */
export async function saveCurve(tx: Tx, tokenId: number, state: CurveState): Promise<void> {
  await tx.db.datasetToken.update({
    where: { id: tokenId },
    data: {
      clonesAtoms: state.clones.toString(),
      tokensAtoms: state.tokens.toString(),
      realAtoms: state.realTokens.toString(),
    },
  });
}
