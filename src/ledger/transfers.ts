// What a transfer is: the ops callers hand the ledger, the rows it stores and the records it returns.
import { UserError } from "#src/core/errors.ts";
import type { Prisma } from "#src/db/generated/client.ts";
import type { AccountRef } from "./accounts.ts";

export type JsonObject = Prisma.InputJsonObject;

/** transfers.kind: single (posted at once), pending (a reservation), post / void (resolve one). */
export type TransferKind = "single" | "pending" | "post" | "void";
/** transfers.status: single, post, void are posted; a reservation is pending, then posted, voided or expired. */
export type TransferStatus = "posted" | "pending" | "voided" | "expired";

interface MovementFields {
  /** The idempotency key of this transfer. */
  key: string;
  debit: AccountRef;
  credit: AccountRef;
  token: string;
  amountAtoms: bigint;
  /** What the money is for: a dotted code such as admin.credit or payout.farmer. */
  code: string;
  memo?: string;
  meta?: JsonObject;
}

export interface TransferOp extends MovementFields {
  kind: "transfer";
}

export interface ReserveOp extends MovementFields {
  kind: "reserve";
  /** After this the reservation can no longer be posted; the expiry job voids it. */
  expiresAt?: Date;
}

export interface PostOp {
  kind: "post";
  key: string;
  pendingId: bigint;
  /** Defaults to the whole reserved amount; less releases the rest back to the debit account. */
  amountAtoms?: bigint;
  code?: string;
  memo?: string;
  meta?: JsonObject;
}

export interface VoidOp {
  kind: "void";
  key: string;
  pendingId: bigint;
  code?: string;
  memo?: string;
  /** Marks the reservation expired rather than voided (the expiry job). */
  expired?: boolean;
}

export type LedgerOp = TransferOp | ReserveOp | PostOp | VoidOp;

export interface TransferRecord {
  id: bigint;
  key: string;
  kind: TransferKind;
  status: TransferStatus;
  debitAccountId: number;
  creditAccountId: number;
  token: string;
  amountAtoms: bigint;
  pendingId: bigint | null;
  code: string;
  memo: string | null;
  expiresAt: Date | null;
  createdAt: Date;
  /** True when this key had been used before with the same request: nothing moved this time. */
  replayed: boolean;
}

/** A transfers row as raw SQL reads it (amount as text, so no atom is lost). */
export interface TransferRow {
  id: bigint;
  key: string;
  fingerprint: string;
  kind: TransferKind;
  status: TransferStatus;
  debit_account_id: number;
  credit_account_id: number;
  token: string;
  amount: string;
  pending_id: bigint | null;
  code: string;
  memo: string | null;
  expires_at: Date | null;
  created_at: Date;
}

export const TRANSFER_COLUMNS = `id, key, fingerprint, kind, status, debit_account_id, credit_account_id, token,
  amount::text AS amount, pending_id, code, memo, expires_at, created_at`;

export class LedgerError extends UserError {
  override name = "LedgerError";
}

export function toRecord(row: TransferRow): Omit<TransferRecord, "replayed"> {
  return {
    id: BigInt(row.id),
    key: row.key,
    kind: row.kind,
    status: row.status,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    token: row.token,
    amountAtoms: BigInt(row.amount),
    pendingId: row.pending_id === null ? null : BigInt(row.pending_id),
    code: row.code,
    memo: row.memo,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
}

/**
 * An earlier transfer under the same key: the same transfer again (matching fingerprint) is a
 * replay, answered with the first one's record; anything else under that key is refused.
 */
export function replayOf(first: TransferRow, key: string, fingerprint: string): TransferRecord {
  if (first.fingerprint !== fingerprint) {
    throw new LedgerError(
      "idempotency_conflict",
      `The request key "${key}" was already used for a different transfer; nothing was changed.`,
      { key },
    );
  }
  return { ...toRecord(first), replayed: true };
}
