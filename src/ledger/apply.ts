// Applying a batch of ops inside the caller's transaction: locks, idempotent inserts, balance checks
// as the batch evolves in memory, then the entries and balances written in one statement.
//
// Concurrency: a batch locks every account it changes with one SELECT ... FOR UPDATE in ascending
// id order (pending transfers it resolves are locked first, also by id), so two batches never wait
// on each other in a cycle; Database.transaction retries the rare deadlock or serialization failure.
import type { Clock } from "#src/core/clock.ts";
import type { Tx } from "#src/db/database.ts";
import type { AccountIds } from "./account-ids.ts";
import { formatMoney } from "./amount.ts";
import { type LockedAccount, lockBatch } from "./batch-locks.ts";
import { planTransfer, requireOpenPending, validateMovement, writtenRecord } from "./plan.ts";
import type { TokenRegistry } from "./tokens.ts";
import {
  LedgerError,
  type LedgerOp,
  type ReserveOp,
  replayOf,
  TRANSFER_COLUMNS,
  type TransferOp,
  type TransferRecord,
  type TransferRow,
  type TransferStatus,
} from "./transfers.ts";

/** What applying ops needs from the ledger that owns them. */
export interface LedgerParts {
  tokens: TokenRegistry;
  clock: Clock;
  accounts: AccountIds;
}

/**
 * Applies `ops` in order, all or nothing, inside the caller's transaction. A key seen before with
 * the same request returns the first result (replayed: true) and moves nothing; with a different
 * request it is refused. Throws LedgerError (a UserError) for insufficient funds and bad input.
 *
 * Three statements for a plain batch: lock the accounts (and, first, any reservations it resolves);
 * insert the transfers (the unique key tells replays apart in the same statement); write the
 * reservations' status, the entries and the balances.
 */
export async function applyOps(
  tx: Tx,
  ops: readonly LedgerOp[],
  { tokens, clock, accounts }: LedgerParts,
): Promise<TransferRecord[]> {
  if (ops.length === 0) return [];
  const keys = ops.map((op) => op.key);
  if (new Set(keys).size !== keys.length) {
    throw new LedgerError("duplicate_key", "Two transfers in one batch share a key.");
  }

  // 1. Resolve account references.
  const accountIds = new Map<LedgerOp, { debit: number; credit: number }>();
  for (const op of ops) {
    if (op.kind === "transfer" || op.kind === "reserve") {
      validateMovement(op);
      await tokens.resolve(tx.db, op.token);
      const ids = {
        debit: await accounts.one(tx, op.debit),
        credit: await accounts.one(tx, op.credit),
      };
      if (ids.debit === ids.credit) {
        throw new LedgerError("invalid_transfer", "A transfer needs two different accounts.");
      }
      accountIds.set(op, ids);
    }
  }
  const pendingIds = [
    ...new Set(ops.flatMap((op) => (op.kind === "post" || op.kind === "void" ? [op.pendingId] : []))),
  ];
  const postedIds = [...new Set(ops.flatMap((op) => (op.kind === "post" ? [op.pendingId] : [])))];
  // Every account a movement changes: a transfer's two, a reservation's debit (its credit moves
  // only when it is posted). Those of the reservations resolved are found while locking them.
  const moved = new Set<number>();
  for (const [op, ids] of accountIds) {
    moved.add(ids.debit);
    if (op.kind === "transfer") moved.add(ids.credit);
  }

  // 2. Lock the reservations being resolved, then every account any op could change, by id.
  const { pendings, locked } = await lockBatch(tx.db, pendingIds, postedIds, [...moved]);

  // 3. What each op writes, checked for everything that does not depend on balances.
  const now = clock.now();
  const planned = ops.map((op) => planTransfer(op, accountIds.get(op), pendings, now));

  // 4. Insert the transfers. A key that already exists inserts nothing: a replay, or a conflict.
  const inserted = await tx.db.$queryRawUnsafe<Array<{ id: bigint; key: string; created_at: Date }>>(
    `INSERT INTO transfers (key, fingerprint, kind, status, debit_account_id, credit_account_id, token,
                            amount, pending_id, code, memo, meta, expires_at, created_at)
     SELECT *, $14::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[],
                          $7::text[], $8::numeric[], $9::bigint[], $10::text[], $11::text[], $12::jsonb[],
                          $13::timestamptz[])
     ON CONFLICT (key) DO NOTHING
     RETURNING id, key, created_at`,
    planned.map((p) => p.key),
    planned.map((p) => p.fingerprint),
    planned.map((p) => p.kind),
    planned.map((p) => p.status),
    planned.map((p) => p.debitAccountId),
    planned.map((p) => p.creditAccountId),
    planned.map((p) => p.token),
    planned.map((p) => p.amountAtoms.toString()),
    planned.map((p) => (p.pendingId === null ? null : p.pendingId.toString())),
    planned.map((p) => p.code),
    planned.map((p) => p.memo),
    planned.map((p) => (p.meta === undefined ? null : JSON.stringify(p.meta))),
    planned.map((p) => p.expiresAt?.toISOString() ?? null),
    now.toISOString(),
  );
  const insertedByKey = new Map(inserted.map((row) => [row.key, row]));
  const replayKeys = keys.filter((key) => !insertedByKey.has(key));
  const previous = new Map<string, TransferRow>();
  if (replayKeys.length > 0) {
    const rows = await tx.db.$queryRawUnsafe<TransferRow[]>(
      `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE key = ANY($1::text[])`,
      replayKeys,
    );
    for (const row of rows) previous.set(row.key, row);
  }

  // 5. Apply the fresh ones in memory, in order, checking balances as they evolve in the batch.
  const entries: Array<{ transferId: bigint; accountId: number; delta: bigint; balanceAfter: bigint }> = [];
  const resolved = new Map<bigint, TransferStatus>();
  const results: TransferRecord[] = [];
  for (const [index, op] of ops.entries()) {
    const plan = planned[index]!;
    const first = previous.get(op.key);
    if (first) {
      results.push(replayOf(first, op.key, plan.fingerprint));
      continue;
    }
    const row = insertedByKey.get(op.key)!;
    const transferId = BigInt(row.id);
    const debit = locked.get(plan.debitAccountId)!;
    const move = (credit: LockedAccount, amount: bigint) => {
      debit.balance -= amount;
      credit.balance += amount;
      debit.changed = credit.changed = true;
      entries.push({ transferId, accountId: debit.id, delta: -amount, balanceAfter: debit.balance });
      entries.push({ transferId, accountId: credit.id, delta: amount, balanceAfter: credit.balance });
    };
    if (op.kind === "transfer" || op.kind === "reserve") {
      checkToken(op, debit, plan.creditAccountId, locked);
      checkAvailable(tokens, debit, op.amountAtoms, op.token);
      if (op.kind === "transfer") move(locked.get(plan.creditAccountId)!, op.amountAtoms);
      else {
        debit.pending += op.amountAtoms;
        debit.changed = true;
      }
    } else {
      const pending = requireOpenPending(pendings.get(op.pendingId), op, resolved.has(op.pendingId));
      if (op.kind === "post" && pending.expires_at && pending.expires_at.getTime() <= now.getTime()) {
        throw new LedgerError(
          "pending_expired",
          `Reservation ${op.pendingId} expired at ${pending.expires_at.toISOString()}; it can only be voided.`,
        );
      }
      debit.pending -= BigInt(pending.amount);
      debit.changed = true;
      if (op.kind === "post") move(locked.get(plan.creditAccountId)!, plan.amountAtoms);
      resolved.set(op.pendingId, op.kind === "post" ? "posted" : op.expired ? "expired" : "voided");
    }
    results.push(writtenRecord(plan, transferId, row.created_at));
  }

  // 6. One statement writes the resolved reservations' status, the entries and the balances (a
  // resolved reservation always changes its debit account's pending, so there is one to write).
  const changed = [...locked.values()].filter((a) => a.changed);
  if (changed.length > 0) {
    await tx.db.$executeRawUnsafe(
      `WITH resolved AS (
         UPDATE transfers AS t SET status = r.status
         FROM unnest($9::bigint[], $10::text[]) AS r(id, status)
         WHERE t.id = r.id AND t.status = 'pending'),
       new_entries AS (
         INSERT INTO entries (account_id, transfer_id, delta, balance_after, created_at)
         SELECT *, $8::timestamptz FROM unnest($4::int[], $5::bigint[], $6::numeric[], $7::numeric[]))
       UPDATE accounts AS a SET balance = v.balance, pending_debits = v.pending
       FROM unnest($1::int[], $2::numeric[], $3::numeric[]) AS v(id, balance, pending)
       WHERE a.id = v.id`,
      changed.map((a) => a.id),
      changed.map((a) => a.balance.toString()),
      changed.map((a) => a.pending.toString()),
      entries.map((e) => e.accountId),
      entries.map((e) => e.transferId.toString()),
      entries.map((e) => e.delta.toString()),
      entries.map((e) => e.balanceAfter.toString()),
      now.toISOString(),
      [...resolved.keys()].map(String),
      [...resolved.values()],
    );
  }
  return results;
}

function checkToken(
  op: TransferOp | ReserveOp,
  debit: LockedAccount,
  creditId: number,
  locked: Map<number, LockedAccount>,
) {
  const creditToken = locked.get(creditId)?.token;
  if (debit.token !== op.token || (creditToken !== undefined && creditToken !== op.token)) {
    throw new LedgerError(
      "invalid_transfer",
      `A ${op.token} transfer must move between ${op.token} accounts.`,
    );
  }
}

function checkAvailable(tokens: TokenRegistry, account: LockedAccount, amount: bigint, symbol: string) {
  if (account.allowNegative) return;
  const available = account.balance - account.pending;
  if (available >= amount) return;
  throw insufficientFunds(tokens, available, amount, symbol);
}

export function insufficientFunds(
  tokens: TokenRegistry,
  available: bigint,
  amount: bigint,
  symbol: string,
): LedgerError {
  const token = tokens.get(symbol);
  return new LedgerError(
    "insufficient_funds",
    `Insufficient funds: ${formatMoney(available < 0n ? 0n : available, token)} available, ${formatMoney(amount, token)} needed.`,
    { availableAtoms: available.toString(), neededAtoms: amount.toString(), token: symbol },
  );
}
