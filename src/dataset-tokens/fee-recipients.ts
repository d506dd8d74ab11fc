// Who receives a trade's volume fee, decided at the time of the trade (10.3, 10.6): the factory's
// creator as it is now, or, for a bundle's token, the creators of its datasets (as they are now)
// in proportion to each dataset's accepted demonstrations at the bundle's launch, each part
// rounded down and the remainder to the protocol.
import { subKey } from "#src/core/idempotency.ts";
import type { TxClient } from "#src/db/database.ts";
import { accounts } from "#src/ledger/accounts.ts";
import type { TransferOp } from "#src/ledger/ledger.ts";
import { CURVE_TOKEN, DATASET_CODES, datasetAccounts } from "./accounts.ts";
import type { DatasetTokenRow } from "./rows.ts";
import { roundedDown } from "./shares.ts";

export interface FeePart {
  /** The creator paid, or undefined for the protocol's remainder. */
  userId?: number;
  amountAtoms: bigint;
}

export async function feeParts(db: TxClient, token: DatasetTokenRow, feeAtoms: bigint): Promise<FeePart[]> {
  if (token.kind === "dataset") {
    const factory = await db.factory.findUniqueOrThrow({ where: { id: token.factoryId! } });
    return [{ userId: factory.creatorUserId, amountAtoms: feeAtoms }];
  }
  const members = await db.datasetBundleMember.findMany({
    where: { bundleId: token.bundleId! },
    orderBy: { factoryId: "asc" },
  });
  const factories = await db.factory.findMany({ where: { id: { in: members.map((m) => m.factoryId) } } });
  const creatorOf = new Map(factories.map((f) => [f.id, f.creatorUserId]));
  const split = roundedDown(
    feeAtoms,
    members.map((m) => ({ factoryId: m.factoryId, weight: BigInt(m.acceptedDemonstrations) })),
  );
  return [
    ...members.map((m, i) => ({ userId: creatorOf.get(m.factoryId)!, amountAtoms: split.parts[i]! })),
    { amountAtoms: split.remainder },
  ];
}

/**
 * The transfers paying `parts` from `debit` (the buyer, or the curve on a sell). Zero parts are
 * skipped, and so is a part owed to the payer themself (a creator buying their own token keeps
 * their fee: a transfer to oneself would move nothing).
 */
export function feeTransfers(
  key: string,
  debit: TransferOp["debit"],
  parts: readonly FeePart[],
  symbol: string,
  payerUserId?: number,
): Omit<TransferOp, "kind">[] {
  return parts
    .map((part, i) => ({ part, i }))
    .filter(({ part }) => part.amountAtoms > 0n && (payerUserId === undefined || part.userId !== payerUserId))
    .map(({ part, i }) => ({
      key: subKey(key, "fee", i),
      debit,
      credit:
        part.userId === undefined
          ? datasetAccounts.protocolFees(CURVE_TOKEN)
          : accounts.user(part.userId, CURVE_TOKEN),
      token: CURVE_TOKEN,
      amountAtoms: part.amountAtoms,
      code: part.userId === undefined ? DATASET_CODES.feeRemainder : DATASET_CODES.fee,
      meta: { symbol },
    }));
}
