// The double-entry ledger: the only code that writes a balance. Modeled on TigerBeetle's transfers:
// every transfer debits one account and credits another; its key is its idempotency key; pending
// transfers reserve money and are later posted (in full or in part) or voided, at most once;
// mistakes are corrected by new transfers, never by edits.
//
// The class is the ledger's face; its parts live beside it: account-ids.ts (ids and their cache),
// plan.ts (what each op writes, checked), apply.ts (locks, entries, balances; how concurrent batches
// avoid deadlocks), reads.ts (balances and transfers read back), transfers.ts (the shapes).
import { type Clock, systemClock } from "#src/core/clock.ts";
import type { Tx, TxClient } from "#src/db/database.ts";
import { AccountIds } from "./account-ids.ts";
import type { AccountKey, AccountRef } from "./accounts.ts";
import { applyOps, insufficientFunds } from "./apply.ts";
import { type AccountBalance, balanceOf, balancesOf, findTransfer } from "./reads.ts";
import type { TokenRegistry } from "./tokens.ts";
import type { LedgerOp, PostOp, ReserveOp, TransferOp, TransferRecord, VoidOp } from "./transfers.ts";

export type { AccountBalance } from "./reads.ts";
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
   * Three statements for a plain transfer: lock the accounts; insert the transfers (the unique key
   * tells replays apart in the same statement); insert the entries and update the balances.
   */
  async execute(tx: Tx, ops: readonly LedgerOp[]): Promise<TransferRecord[]> {
    const records = await applyOps(tx, ops, {
      tokens: this.tokens,
      clock: this.clock,
      accounts: this.#accountIds,
    });
    if (this.#committedListeners.length > 0) {
      const written = records.filter((record) => !record.replayed);
      // After commit: a transaction that rolls back (or is retried) moved nothing.
      if (written.length > 0)
        tx.afterCommit(() => {
          for (const listener of this.#committedListeners) listener(written);
        });
    }
    return records;
  }

  /** Calls `listener` with every committed batch of new transfers (the metrics count them). */
  onCommitted(listener: CommittedTransfersListener): void {
    this.#committedListeners.push(listener);
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
