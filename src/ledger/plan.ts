// Planning a batch: the row each op will write, checked for everything that does not depend on
// balances (amounts, keys, dates, reservation ids), and the fingerprint a replay must match.
import { createHash } from "node:crypto";
import { MAX_AMOUNT_ATOMS } from "./amount.ts";
import {
  type JsonObject,
  LedgerError,
  type LedgerOp,
  type PostOp,
  type ReserveOp,
  type TransferOp,
  type TransferRecord,
  type TransferRow,
  type VoidOp,
} from "./transfers.ts";

export function validateMovement(op: TransferOp | ReserveOp): void {
  if (typeof op.amountAtoms !== "bigint" || op.amountAtoms <= 0n) {
    throw new LedgerError("invalid_amount", "A transfer moves a positive amount.");
  }
  if (op.amountAtoms > MAX_AMOUNT_ATOMS) throw new LedgerError("invalid_amount", "The amount is too large.");
  if (!op.key || !op.code) throw new LedgerError("invalid_transfer", "A transfer needs a key and a code.");
}

export function requireOpenPending(
  row: TransferRow | undefined,
  op: PostOp | VoidOp,
  resolvedInBatch = false,
): TransferRow {
  if (!row) {
    throw new LedgerError("not_found", `There is no reservation ${op.pendingId}.`, {
      pendingId: String(op.pendingId),
    });
  }
  if (row.kind !== "pending") {
    throw new LedgerError("invalid_transfer", `Transfer ${op.pendingId} is not a reservation.`);
  }
  const status = resolvedInBatch ? "resolved" : row.status;
  if (status !== "pending") {
    throw new LedgerError("pending_resolved", `Reservation ${op.pendingId} was already ${status}.`, {
      pendingId: String(op.pendingId),
      status,
    });
  }
  return row;
}

/** What an op writes: the record it returns, before the database gives it an id and a time. */
export type PlannedTransfer = Omit<TransferRecord, "id" | "createdAt" | "replayed"> & {
  fingerprint: string;
  meta: JsonObject | undefined;
};

/** The record of a planned transfer once written: the database gave it its id and its time. */
export function writtenRecord(plan: PlannedTransfer, id: bigint, createdAt: Date): TransferRecord {
  return {
    id,
    key: plan.key,
    kind: plan.kind,
    status: plan.status,
    debitAccountId: plan.debitAccountId,
    creditAccountId: plan.creditAccountId,
    token: plan.token,
    amountAtoms: plan.amountAtoms,
    pendingId: plan.pendingId,
    code: plan.code,
    memo: plan.memo,
    expiresAt: plan.expiresAt,
    createdAt,
    replayed: false,
  };
}

/** The row an op will write, refusing what is wrong whatever the balances (amounts, dates, ids). */
export function planTransfer(
  op: LedgerOp,
  ids: { debit: number; credit: number } | undefined,
  pendings: Map<bigint, TransferRow>,
  now: Date,
): PlannedTransfer {
  const fingerprinted = { fingerprint: fingerprint(op, ids, pendings), key: op.key, memo: op.memo ?? null };
  if (op.kind === "transfer" || op.kind === "reserve") {
    if (op.kind === "reserve" && op.expiresAt && op.expiresAt.getTime() <= now.getTime()) {
      throw new LedgerError("invalid_transfer", "A reservation cannot expire before it is made.");
    }
    return {
      ...fingerprinted,
      kind: op.kind === "transfer" ? "single" : "pending",
      status: op.kind === "transfer" ? "posted" : "pending",
      debitAccountId: ids!.debit,
      creditAccountId: ids!.credit,
      token: op.token,
      amountAtoms: op.amountAtoms,
      pendingId: null,
      code: op.code,
      meta: op.meta,
      expiresAt: op.kind === "reserve" ? (op.expiresAt ?? null) : null,
    };
  }
  const pending = pendings.get(op.pendingId);
  if (!pending) requireOpenPending(undefined, op);
  const reserved = BigInt(pending!.amount);
  const amountAtoms = op.kind === "post" ? (op.amountAtoms ?? reserved) : reserved;
  if (op.kind === "post" && (amountAtoms <= 0n || amountAtoms > reserved)) {
    throw new LedgerError(
      "invalid_transfer",
      `A reservation of ${reserved} atoms can be posted for 1 to ${reserved} atoms, not ${amountAtoms}.`,
    );
  }
  return {
    ...fingerprinted,
    kind: op.kind,
    status: "posted",
    debitAccountId: pending!.debit_account_id,
    creditAccountId: pending!.credit_account_id,
    token: pending!.token,
    amountAtoms,
    pendingId: op.pendingId,
    code: op.code ?? `${pending!.code}.${op.kind}`,
    meta: op.kind === "post" ? op.meta : undefined,
    expiresAt: null,
  };
}

/** What a replay must match: everything that decides where money goes, nothing descriptive. */
function fingerprint(
  op: LedgerOp,
  ids: { debit: number; credit: number } | undefined,
  pendings: Map<bigint, TransferRow>,
): string {
  const essence =
    op.kind === "transfer" || op.kind === "reserve"
      ? [op.kind, ids!.debit, ids!.credit, op.token, op.amountAtoms.toString(), op.code]
      : [
          op.kind,
          String(op.pendingId),
          op.kind === "post"
            ? (op.amountAtoms ?? BigInt(pendings.get(op.pendingId)?.amount ?? -1)).toString()
            : "",
        ];
  return createHash("sha256").update(JSON.stringify(essence)).digest("hex").slice(0, 32);
}
