// An account's history: its entries, newest first, each with the transfer behind it and the
// account on the other side, and the balance after it (which the audit also checks).
import type { TxClient } from "#src/db/database.ts";

export interface HistoryLine {
  entryId: bigint;
  accountId: number;
  transferId: bigint;
  token: string;
  deltaAtoms: bigint;
  balanceAfterAtoms: bigint;
  code: string;
  memo: string | null;
  createdAt: Date;
  counterparty: { ownerType: string; ownerId: string; purpose: string };
}

export interface HistoryPage {
  lines: HistoryLine[];
  /** Pass as `beforeEntryId` for the next (older) page; undefined on the last page. */
  nextBeforeEntryId?: bigint;
}

export async function accountHistory(
  db: TxClient,
  accountIds: number[],
  options: { limit?: number; beforeEntryId?: bigint; offset?: number; token?: string } = {},
): Promise<HistoryPage> {
  const limit = Math.min(Math.max(options.limit ?? 10, 1), 100);
  if (accountIds.length === 0) return { lines: [] };
  const rows = await db.$queryRawUnsafe<
    Array<{
      entry_id: bigint;
      account_id: number;
      transfer_id: bigint;
      token: string;
      delta: string;
      balance_after: string;
      code: string;
      memo: string | null;
      created_at: Date;
      owner_type: string;
      owner_id: string;
      purpose: string;
    }>
  >(
    `SELECT e.id AS entry_id, e.account_id, e.transfer_id, t.token, e.delta::text AS delta,
            e.balance_after::text AS balance_after, t.code, t.memo, e.created_at,
            other.owner_type, other.owner_id, other.purpose
     FROM entries e
     JOIN transfers t ON t.id = e.transfer_id
     JOIN accounts other ON other.id =
       CASE WHEN t.debit_account_id = e.account_id THEN t.credit_account_id ELSE t.debit_account_id END
     WHERE e.account_id = ANY($1::int[]) AND ($2::bigint IS NULL OR e.id < $2::bigint)
       AND ($5::text IS NULL OR t.token = $5::text)
     ORDER BY e.id DESC
     LIMIT $3 OFFSET $4`,
    accountIds,
    options.beforeEntryId === undefined ? null : String(options.beforeEntryId),
    limit + 1,
    Math.max(options.offset ?? 0, 0),
    options.token ?? null,
  );
  const lines = rows.slice(0, limit).map((r) => ({
    entryId: BigInt(r.entry_id),
    accountId: r.account_id,
    transferId: BigInt(r.transfer_id),
    token: r.token,
    deltaAtoms: BigInt(r.delta),
    balanceAfterAtoms: BigInt(r.balance_after),
    code: r.code,
    memo: r.memo,
    createdAt: r.created_at,
    counterparty: { ownerType: r.owner_type, ownerId: r.owner_id, purpose: r.purpose },
  }));
  return rows.length > limit ? { lines, nextBeforeEntryId: lines.at(-1)!.entryId } : { lines };
}
