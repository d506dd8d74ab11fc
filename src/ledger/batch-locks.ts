// What a batch locks before it writes, in the order that keeps concurrent batches from waiting on
// each other in a cycle: the reservations it resolves first (by id), then every account it changes
// (by id), in one statement when there are reservations, so resolving one costs no extra round trip.
import type { TxClient } from "#src/db/database.ts";
import { TRANSFER_COLUMNS, type TransferRow } from "./transfers.ts";

/** An account locked for the batch, with its balances as they evolve in memory. */
export interface LockedAccount {
  id: number;
  token: string;
  allowNegative: boolean;
  balance: bigint;
  pending: bigint;
  changed: boolean;
}

interface AccountRow {
  id: number;
  token: string;
  allow_negative: boolean;
  balance: string;
  pending: string;
}

const ACCOUNT_COLUMNS =
  "id, token, allow_negative, balance::text AS balance, pending_debits::text AS pending";

/** Locks accounts `ids` in ascending id order. */
export async function lockAccounts(db: TxClient, ids: number[]): Promise<Map<number, LockedAccount>> {
  const rows = await db.$queryRawUnsafe<AccountRow[]>(
    `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE`,
    ids,
  );
  return lockedById(rows);
}

// The reservations are locked inside `pending`; the accounts' id list is built from ARRAY()
// subqueries over it (init plans, evaluated before the accounts are scanned), and the accounts'
// locks are taken above their sort, after every row is read: so every reservation is locked before
// any account, as two separate statements would do. JSON carries both sets in one row, ids as text.
const LOCK_BATCH = `
WITH pending AS MATERIALIZED (
  SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE),
locked AS MATERIALIZED (
  SELECT ${ACCOUNT_COLUMNS} FROM accounts
  WHERE id = ANY($3::int[] || ARRAY(SELECT debit_account_id FROM pending)
                           || ARRAY(SELECT credit_account_id FROM pending WHERE id = ANY($2::bigint[])))
  ORDER BY id FOR UPDATE)
SELECT (SELECT coalesce(json_agg(to_jsonb(p) || jsonb_build_object('id', p.id::text, 'pending_id', p.pending_id::text)), '[]')
        FROM pending p)::text AS pendings,
       (SELECT coalesce(json_agg(l), '[]') FROM locked l)::text AS accounts`;

/**
 * Locks reservations `pendingIds`, then (by id) the accounts `accountIds`, the debit accounts of
 * those reservations and the credit accounts of those among them being posted (`postedIds`).
 */
export async function lockBatch(
  db: TxClient,
  pendingIds: readonly bigint[],
  postedIds: readonly bigint[],
  accountIds: readonly number[],
): Promise<{ pendings: Map<bigint, TransferRow>; locked: Map<number, LockedAccount> }> {
  if (pendingIds.length === 0)
    return { pendings: new Map(), locked: await lockAccounts(db, [...accountIds]) };
  const [row] = await db.$queryRawUnsafe<Array<{ pendings: string; accounts: string }>>(
    LOCK_BATCH,
    pendingIds.map(String),
    postedIds.map(String),
    [...accountIds],
  );
  const pendings = new Map<bigint, TransferRow>();
  for (const p of JSON.parse(row!.pendings) as Array<Record<string, unknown>>) {
    const transfer = {
      ...p,
      id: BigInt(p.id as string),
      pending_id: p.pending_id === null ? null : BigInt(p.pending_id as string),
      expires_at: p.expires_at === null ? null : new Date(p.expires_at as string),
      created_at: new Date(p.created_at as string),
    } as TransferRow;
    pendings.set(transfer.id, transfer);
  }
  return { pendings, locked: lockedById(JSON.parse(row!.accounts) as AccountRow[]) };
}

function lockedById(rows: readonly AccountRow[]): Map<number, LockedAccount> {
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        token: r.token,
        allowNegative: r.allow_negative,
        balance: BigInt(r.balance),
        pending: BigInt(r.pending),
        changed: false,
      },
    ]),
  );
}
