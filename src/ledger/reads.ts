// Reads: balances of one account or of one owner, and a transfer by id. Nothing here locks or
// writes; a balance read outside a transfer is a snapshot, and transfers check again under lock.
import type { TxClient } from "#src/db/database.ts";
import type { AccountIds } from "./account-ids.ts";
import type { AccountRef } from "./accounts.ts";
import { TRANSFER_COLUMNS, type TransferRecord, type TransferRow, toRecord } from "./transfers.ts";

export interface AccountBalance {
  accountId: number;
  ownerType: string;
  ownerId: string;
  token: string;
  purpose: string;
  balanceAtoms: bigint;
  pendingAtoms: bigint;
  /** balance - pending: what may still be spent or reserved. */
  availableAtoms: bigint;
}

/** Balances of the account `ref` names (zero when it does not exist yet). */
export async function balanceOf(
  db: TxClient,
  accountIds: AccountIds,
  ref: AccountRef,
): Promise<{ balanceAtoms: bigint; pendingAtoms: bigint; availableAtoms: bigint }> {
  const id = typeof ref === "number" ? ref : await accountIds.find(db, ref);
  if (id === undefined) return { balanceAtoms: 0n, pendingAtoms: 0n, availableAtoms: 0n };
  const rows = await db.$queryRaw<Array<{ balance: string; pending: string }>>`
    SELECT balance::text AS balance, pending_debits::text AS pending FROM accounts WHERE id = ${id}`;
  const balance = BigInt(rows[0]?.balance ?? "0");
  const pending = BigInt(rows[0]?.pending ?? "0");
  return { balanceAtoms: balance, pendingAtoms: pending, availableAtoms: balance - pending };
}

/** Every account of one owner, optionally of one purpose, by token. */
export async function balancesOf(
  db: TxClient,
  ownerType: string,
  ownerId: string,
  purpose?: string,
): Promise<AccountBalance[]> {
  const rows = await db.$queryRaw<
    Array<{
      id: number;
      owner_type: string;
      owner_id: string;
      token: string;
      purpose: string;
      balance: string;
      pending: string;
    }>
  >`SELECT id, owner_type, owner_id, token, purpose, balance::text AS balance, pending_debits::text AS pending
    FROM accounts WHERE owner_type = ${ownerType} AND owner_id = ${ownerId}
    AND (${purpose ?? null}::text IS NULL OR purpose = ${purpose ?? null}::text)
    ORDER BY token, purpose`;
  return rows.map((r) => ({
    accountId: r.id,
    ownerType: r.owner_type,
    ownerId: r.owner_id,
    token: r.token,
    purpose: r.purpose,
    balanceAtoms: BigInt(r.balance),
    pendingAtoms: BigInt(r.pending),
    availableAtoms: BigInt(r.balance) - BigInt(r.pending),
  }));
}

/** A transfer by id (e.g. a reservation, to show or resolve it). */
export async function findTransfer(db: TxClient, id: bigint): Promise<TransferRecord | undefined> {
  const rows = await db.$queryRawUnsafe<TransferRow[]>(
    `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = $1::bigint`,
    String(id),
  );
  return rows[0] ? { ...toRecord(rows[0]), replayed: false } : undefined;
}
