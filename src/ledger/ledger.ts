// The double-entry ledger: the only code that writes a balance. Modeled on TigerBeetle's transfers:
// every transfer debits one account and credits another; its key is its idempotency key; pending
// transfers reserve money and are later posted (in full or in part) or voided, at most once;
// mistakes are corrected by new transfers, never by edits.
//
// The class is the ledger's face; its parts live beside it: account-ids.ts (ids and their cache),
// plan.ts (what each op writes, checked), apply.ts (locks, entries, balances; how concurrent batches
// avoid deadlocks), single-transfer.ts (a lone transfer in one statement), transfer-set.ts (many
// transfers from one account, set-based), reads.ts (balances and transfers read back), transfers.ts
// (the shapes).
import { type Clock, systemClock } from "#src/core/clock.ts";
import type { Database, Tx, TxClient } from "#src/db/database.ts";
import { AccountIds } from "./account-ids.ts";
import type { AccountKey, AccountRef } from "./accounts.ts";
import { applyOps, insufficientFunds } from "./apply.ts";
import { planTransfer, validateMovement } from "./plan.ts";
import { type AccountBalance, balanceOf, balancesOf, findTransfer } from "./reads.ts";
import { applySingleReserve } from "./single-reserve.ts";
import { applySingleTransfer, type RunStatement } from "./single-transfer.ts";
import type { TokenRegistry } from "./tokens.ts";
import { applyTransferSet, type TransferSet, type TransferSetResult } from "./transfer-set.ts";
import {
  LedgerError,
  type LedgerOp,
  type PostOp,
  type ReserveOp,
  type TransferOp,
  type TransferRecord,
  type VoidOp,
} from "./transfers.ts";

export type { AccountBalance } from "./reads.ts";
export type { TransferSet, TransferSetResult } from "./transfer-set.ts";
export type {
  JsonObject,
  LedgerOp,
  PostOp,
  ReserveOp,
  TransferKind,
  TransferOp,
  TransferRecord,
  TransferStatus,
  VoidOp,
} from "./transfers.ts";
export { LedgerError } from "./transfers.ts";

/** Told of the transfers a transaction wrote (replays excluded), once it has committed. */
export type CommittedTransfersListener = (transfers: readonly TransferRecord[]) => void;

export class Ledger {
  /** Account ids by key; filled only after the transaction that saw them commits. */
  readonly #accountIds: AccountIds;
  readonly #committedListeners: CommittedTransfersListener[] = [];

  /**
   * `clock` decides when a reservation has expired; it is the bot's clock, so tests that move time
   * and the reservation-expiry job agree with the ledger about "now".
   */
  constructor(
    readonly tokens: TokenRegistry,
    private readonly clock: Clock = systemClock,
  ) {
    this.#accountIds = new AccountIds(tokens, clock);
  }

  /** The id of the account `ref` names, creating the account the first time. */
  accountId(tx: Tx, ref: AccountRef): Promise<number> {
    return this.#accountIds.one(tx, ref);
  }

  /**
   * The ids of many accounts at once, creating the missing ones in one statement: for batches that
   * pay thousands of members (arena epochs), where one round trip per new account dominates.
   */
  accountIds(tx: Tx, keys: readonly AccountKey[]): Promise<number[]> {
    return this.#accountIds.many(tx, keys);
  }

  /** The account `key` names if it exists, without creating it. */
  findAccountId(db: TxClient, key: AccountKey): Promise<number | undefined> {
    return this.#accountIds.find(db, key);
  }

  transfer(tx: Tx, op: Omit<TransferOp, "kind">): Promise<TransferRecord> {
    return this.executeOne(tx, { ...op, kind: "transfer" });
  }

  /**
   * A transfer that is a whole business action by itself: one statement on the driver, committed
   * when it returns (single-transfer.ts), with the guarantees of `transfer` (locks in id order,
   * idempotent key, no overdraft, entries). Accounts or a token this process has not yet seen
   * committed take the ordinary path in a transaction once, which also learns their ids. Never
   * inside `db.transaction`: it would run on another connection, outside that transaction's
   * atomicity (PostgreSQL), or wait for that transaction to end (PGlite); there, use `transfer`.
   */
  async transferAlone(db: Database, request: Omit<TransferOp, "kind">): Promise<TransferRecord> {
    const op: TransferOp = { ...request, kind: "transfer" };
    const debit = this.#accountIds.known(op.debit);
    const credit = this.#accountIds.known(op.credit);
    if (debit === undefined || credit === undefined || !this.tokens.has(op.token)) {
      return db.transaction((tx) => this.executeOne(tx, op));
    }
    const record = await this.#single(op, { debit, credit }, (sql, params) => db.statement(sql, params));
    // One statement is its own transaction: committed once it returns.
    if (!record.replayed) this.#announce([record]);
    return record;
  }

  reserve(tx: Tx, op: Omit<ReserveOp, "kind">): Promise<TransferRecord> {
    return this.executeOne(tx, { ...op, kind: "reserve" });
  }

  post(tx: Tx, op: Omit<PostOp, "kind">): Promise<TransferRecord> {
    return this.executeOne(tx, { ...op, kind: "post" });
  }

  void(tx: Tx, op: Omit<VoidOp, "kind">): Promise<TransferRecord> {
    return this.executeOne(tx, { ...op, kind: "void" });
  }

  private async executeOne(tx: Tx, op: LedgerOp): Promise<TransferRecord> {
    const [record] = await this.execute(tx, [op]);
    return record!;
  }

  /**
   * Applies `ops` in order, all or nothing, inside the caller's transaction. A key seen before with
   * the same request returns the first result (replayed: true) and moves nothing; with a different
   * request it is refused. Throws LedgerError (a UserError) for insufficient funds and bad input.
   *
   * A lone transfer or reservation is one statement (single-transfer.ts, single-reserve.ts). Other
   * batches take three: lock the reservations they resolve and the accounts; insert the transfers
   * (the unique key tells replays apart in the same statement); write the reservations' status,
   * the entries and the balances.
   */
  async execute(tx: Tx, ops: readonly LedgerOp[]): Promise<TransferRecord[]> {
    const records = await this.#apply(tx, ops);
    if (this.#committedListeners.length > 0) {
      const written = records.filter((record) => !record.replayed);
      // After commit: a transaction that rolls back (or is retried) moved nothing.
      if (written.length > 0) tx.afterCommit(() => this.#announce(written));
    }
    return records;
  }

  async #apply(tx: Tx, ops: readonly LedgerOp[]): Promise<TransferRecord[]> {
    const [only] = ops;
    if (ops.length === 1 && only?.kind === "transfer") {
      // The commonest case in one statement, on the business transaction's own connection (straight
      // on the driver where it can: Tx.statement).
      validateMovement(only);
      await this.tokens.resolve(tx.db, only.token);
      const ids = {
        debit: await this.#accountIds.one(tx, only.debit),
        credit: await this.#accountIds.one(tx, only.credit),
      };
      return [await this.#single(only, ids, (sql, params) => tx.statement(sql, params))];
    }
    if (ops.length === 1 && only?.kind === "reserve") {
      // A lone reservation (every /submit, under its pool's lock) in one statement too.
      validateMovement(only);
      await this.tokens.resolve(tx.db, only.token);
      const ids = {
        debit: await this.#accountIds.one(tx, only.debit),
        credit: await this.#accountIds.one(tx, only.credit),
      };
      if (ids.debit === ids.credit)
        throw new LedgerError("invalid_transfer", "A transfer needs two different accounts.");
      const now = this.clock.now();
      const run: RunStatement = (sql, params) => tx.statement(sql, params);
      return [await applySingleReserve(run, only, planTransfer(only, ids, new Map(), now), now, this.tokens)];
    }
    return applyOps(tx, ops, { tokens: this.tokens, clock: this.clock, accounts: this.#accountIds });
  }

  /**
   * Many transfers from one account, described by a query and applied by the database in a few
   * set-based statements (transfer-set.ts), inside the caller's transaction, with the guarantees of
   * `execute`: locks in id order, idempotent keys, entries, no overdraft. For payments of thousands
   * of lines whose rows need never reach the bot (arena epochs).
   */
  async transferSet(
    tx: Tx,
    set: Omit<TransferSet, "debitAccountId"> & { debit: AccountRef },
  ): Promise<TransferSetResult> {
    await this.tokens.resolve(tx.db, set.token);
    const debitAccountId = await this.#accountIds.one(tx, set.debit);
    const result = await applyTransferSet(
      tx,
      { debitAccountId, token: set.token, code: set.code, source: set.source },
      this.tokens,
      this.clock.now(),
    );
    const { written } = result;
    if (this.#committedListeners.length > 0 && written.length > 0) {
      tx.afterCommit(() => this.#announce(written));
    }
    return result;
  }

  #announce(written: readonly TransferRecord[]): void {
    for (const listener of this.#committedListeners) listener(written);
  }

  /** Calls `listener` with every committed batch of new transfers (the metrics count them). */
  onCommitted(listener: CommittedTransfersListener): void {
    this.#committedListeners.push(listener);
  }

  /** One transfer in one statement (single-transfer.ts), checked as applyOps checks it. */
  #single(
    op: TransferOp,
    ids: { debit: number; credit: number },
    run: RunStatement,
  ): Promise<TransferRecord> {
    validateMovement(op);
    if (ids.debit === ids.credit) {
      throw new LedgerError("invalid_transfer", "A transfer needs two different accounts.");
    }
    const now = this.clock.now();
    return applySingleTransfer(run, op, planTransfer(op, ids, new Map(), now), now, this.tokens);
  }

  /**
   * For previews: refuses, with the same error a transfer would give, to offer spending more than
   * `account` has available now. The transfer checks again under its lock when it happens.
   */
  async requireAvailable(db: TxClient, account: AccountKey, amountAtoms: bigint): Promise<void> {
    const { availableAtoms } = await this.balance(db, account);
    if (availableAtoms < amountAtoms)
      throw insufficientFunds(this.tokens, availableAtoms, amountAtoms, account.token);
  }

  /** Balances of the account `ref` names (zero when it does not exist yet). */
  balance(
    db: TxClient,
    ref: AccountRef,
  ): Promise<{ balanceAtoms: bigint; pendingAtoms: bigint; availableAtoms: bigint }> {
    return balanceOf(db, this.#accountIds, ref);
  }

  /** Every account of one owner, optionally of one purpose, by token. */
  balancesOf(db: TxClient, ownerType: string, ownerId: string, purpose?: string): Promise<AccountBalance[]> {
    return balancesOf(db, ownerType, ownerId, purpose);
  }

  /** A transfer by id (e.g. a reservation, to show or resolve it). */
  findTransfer(db: TxClient, id: bigint): Promise<TransferRecord | undefined> {
    return findTransfer(db, id);
  }

  /**
   * Lifts the deadline of an open reservation, so it waits until posted or voided (a recording
   * handed to a person keeps its bid however long the review takes). Returns whether it was open.
   */
  async keepReservation(tx: Tx, pendingId: bigint): Promise<boolean> {
    const updated = await tx.db.$executeRaw`
      UPDATE transfers SET expires_at = NULL WHERE id = ${pendingId} AND status = 'pending'`;
    return updated > 0;
  }

  /** Voids up to `limit` open reservations whose deadline has passed; returns how many. */
  async expirePending(tx: Tx, now: Date, limit = 500): Promise<number> {
    const due = await tx.db.$queryRaw<Array<{ id: bigint }>>`
      SELECT id FROM transfers WHERE status = 'pending' AND expires_at <= ${now} ORDER BY id LIMIT ${limit}`;
    if (due.length === 0) return 0;
    await this.execute(
      tx,
      due.map((row) => ({
        kind: "void" as const,
        key: `expire:${row.id}`,
        pendingId: BigInt(row.id),
        expired: true,
      })),
    );
    return due.length;
  }
}
