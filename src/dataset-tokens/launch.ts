// Launching a token on a curve (10.2, and 10.6 for a bundle's): the symbol joins the registry with
// 6 decimals, the fixed supply is minted once, the allocation goes to its owners and the rest to
// the curve. Shared by dataset launches and bundle launches; the callers check who may launch.
import { UserError } from "#src/core/errors.ts";
import { subKey } from "#src/core/idempotency.ts";
import type { Tx, TxClient } from "#src/db/database.ts";
import { accounts } from "#src/ledger/accounts.ts";
import type { Ledger, TransferOp } from "#src/ledger/ledger.ts";
import { DATASET_CODES, DATASET_SUPPLY_ATOMS, DATASET_TOKEN_DECIMALS, datasetAccounts } from "./accounts.ts";
import { type CurveParams, type CurveState, launchCurve } from "./curve.ts";
import { type DatasetTokenRow, tokenRowOf } from "./rows.ts";

/** 3 to 10 capital letters or digits, starting with a letter (the registry's rule). */
const SYMBOL = /^[A-Z][A-Z0-9]{2,9}$/;
export const MIN_THRESHOLD_BPS = 10;
export const MAX_THRESHOLD_BPS = 1000;

/** The symbol as it will be registered, or a UserError saying what a good one looks like. */
export function normalizeSymbol(raw: string): string {
  const symbol = raw.trim().toUpperCase();
  if (!SYMBOL.test(symbol))
    throw new UserError(
      "invalid_symbol",
      `"${raw.slice(0, 20)}" cannot be a token symbol: use 3 to 10 capital letters or digits, starting with a letter, e.g. symbol:WEBNAV.`,
    );
  return symbol;
}

export function checkThreshold(bps: number): void {
  if (!Number.isInteger(bps) || bps < MIN_THRESHOLD_BPS || bps > MAX_THRESHOLD_BPS)
    throw new UserError(
      "invalid_threshold",
      `The burn threshold is in basis points from ${MIN_THRESHOLD_BPS} (0.1%) to ${MAX_THRESHOLD_BPS} (10%), e.g. threshold:100 for 1%.`,
    );
}

/** Refuses a symbol any token (a default, a deployment's, another dataset's) already has. */
export async function requireFreeSymbol(db: TxClient, symbol: string): Promise<void> {
  // The tokens table decides, not the registry's cache: it holds the defaults and EXTRA_TOKENS
  // too, and a launch rolled back (a retried transaction) may have left the cache a symbol.
  const taken =
    (await db.token.findUnique({ where: { symbol } })) !== null ||
    (await db.datasetBundle.findFirst({ where: { symbol, status: "voting" } })) !== null;
  if (taken)
    throw new UserError(
      "symbol_taken",
      `The symbol ${symbol} is already used by another token; choose another.`,
    );
}

export function curveFor(thresholdBps: number, initialClones: bigint, feeBps: number) {
  return launchCurve({
    supplyAtoms: DATASET_SUPPLY_ATOMS,
    thresholdBps: BigInt(thresholdBps),
    initialClones,
    feeBps: BigInt(feeBps),
  });
}

export interface LaunchSpec {
  symbol: string;
  kind: "dataset" | "bundle";
  factoryId?: number;
  bundleId?: number;
  launchedByUserId: number;
  thresholdBps: number;
  feeBps: number;
  initialClones: bigint;
  /** Who receives the allocation A, in atoms; they add up to A. */
  allocation: ReadonlyArray<{ userId: number; amountAtoms: bigint }>;
}

/** Registers, mints and opens the curve, inside the caller's transaction. */
export async function launchToken(
  tx: Tx,
  ledger: Ledger,
  key: string,
  spec: LaunchSpec,
): Promise<DatasetTokenRow> {
  await requireFreeSymbol(tx.db, spec.symbol);
  const { params, state } = curveFor(spec.thresholdBps, spec.initialClones, spec.feeBps);
  const allocated = spec.allocation.reduce((a, p) => a + p.amountAtoms, 0n);
  if (allocated !== params.allocationAtoms)
    throw new Error("launchToken: the allocation does not add up to A");
  // Straight into the tokens table (TokenRegistry.add would refuse a symbol its cache saw in a
  // rolled-back attempt); the registry finds it there when its accounts are opened below.
  await tx.db.token.create({
    data: { symbol: spec.symbol, decimals: DATASET_TOKEN_DECIMALS, createdAt: tx.now },
  });
  const row = await tx.db.datasetToken.create({ data: rowData(spec, params, state, tx.now) });
  const mint = datasetAccounts.mint(spec.symbol);
  const ops: Omit<TransferOp, "kind">[] = [
    {
      key: subKey(key, "mint"),
      debit: mint,
      credit: datasetAccounts.curveTokens(spec.symbol),
      token: spec.symbol,
      amountAtoms: params.initialRealTokens,
      code: DATASET_CODES.mint,
    },
    ...spec.allocation
      .filter((p) => p.amountAtoms > 0n)
      .map((p, i) => ({
        key: subKey(key, "allocation", i),
        debit: mint,
        credit: accounts.user(p.userId, spec.symbol),
        token: spec.symbol,
        amountAtoms: p.amountAtoms,
        code: DATASET_CODES.allocation,
      })),
  ];
  await ledger.execute(
    tx,
    ops.map((op) => ({ ...op, kind: "transfer" as const })),
  );
  return tokenRowOf(row);
}

function rowData(spec: LaunchSpec, params: CurveParams, state: CurveState, now: Date) {
  return {
    symbol: spec.symbol,
    kind: spec.kind,
    factoryId: spec.factoryId ?? null,
    bundleId: spec.bundleId ?? null,
    launchedByUserId: spec.launchedByUserId,
    thresholdBps: spec.thresholdBps,
    feeBps: spec.feeBps,
    supplyAtoms: params.supplyAtoms.toString(),
    allocationAtoms: params.allocationAtoms.toString(),
    initialRealAtoms: params.initialRealTokens.toString(),
    initialClonesAtoms: params.initialClones.toString(),
    clonesAtoms: state.clones.toString(),
    tokensAtoms: state.tokens.toString(),
    realAtoms: state.realTokens.toString(),
    createdAt: now,
  };
}
