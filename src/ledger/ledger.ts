// The double-entry ledger: the only code that writes a balance. Modeled on TigerBeetle's transfers:
// every transfer debits one account and credits another; its key is its idempotency key; pending
// transfers reserve money and are later posted (in full or in part) or voided, at most once;
// mistakes are corrected by new transfers, never by edits.
//
// Concurrency: a batch locks every account it changes with one SELECT ... FOR UPDATE in ascending
// id order (pending transfers it resolves are locked first, also by id), so two batches never wait
// on each other in a cycle; Database.transaction retries the rare deadlock or serialization failure.
import { createHash } from "node:crypto";
import { type Clock, systemClock } from "#src/core/clock.ts";
import { UserError } from "#src/core/errors.ts";
import type { Tx, TxClient } from "#src/db/database.ts";
import type { Prisma } from "#src/db/generated/client.ts";
import { type AccountKey, type AccountRef, accountKeyString } from "./accounts.ts";
import { formatMoney, MAX_AMOUNT_ATOMS } from "./amount.ts";
import type { TokenRegistry } from "./tokens.ts";

export type JsonObject = Prisma.InputJsonObject;

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

export type TransferKind = "single" | "pending" | "post" | "void";
export type TransferStatus = "posted" | "pending" | "voided" | "expired";

/** A transfer's columns, the same whether it is about to be written or has been. */
interface TransferFields {
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
}

export interface TransferRecord extends TransferFields {
  id: bigint;
  createdAt: Date;
  /** True when this key had been used before with the same request: nothing moved this time. */
  replayed: boolean;
}

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

interface LockedAccount {
  id: number;
  token: string;
  allowNegative: boolean;
  balance: bigint;
  pending: bigint;
  changed: boolean;
}

interface TransferRow {
  id: bigint;
  key: string;
  fingerprint: string;
  kind: string;
  status: string;
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

const TRANSFER_COLUMNS = `id, key, fingerprint, kind, status, debit_account_id, credit_account_id, token,
  amount::text AS amount, pending_id, code, memo, expires_at, created_at`;

export class LedgerError extends UserError {
  override name = "LedgerError";
}

export class Ledger {
  /** Account ids by key; filled only after the transaction that saw them commits. */
  readonly #accountIds = new Map<string, number>();

  /**
   * `clock` decides when a reservation has expired; it is the bot's clock, so tests that move time
   * and the reservation-expiry job agree with the ledger about "now".
   */
  constructor(
    readonly tokens: TokenRegistry,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The id of the account `ref` names, creating the account the first time. */
  async accountId(tx: Tx, ref: AccountRef): Promise<number> {
    if (typeof ref === "number") return ref;
    const cacheKey = accountKeyString(ref);
    const cached = this.#accountIds.get(cacheKey);
    if (cached !== undefined) return cached;
    await this.tokens.resolve(tx.db, ref.token);
    for (;;) {
      // Insert-or-select in one statement. Under a concurrent insert the SELECT branch can miss the
      // row (it is not in this statement's snapshot); the loop then sees it on the next try.
      const rows = await tx.db.$queryRaw<Array<{ id: number }>>`
        WITH inserted AS (
          INSERT INTO accounts (owner_type, owner_id, token, purpose, allow_negative, created_at)
          VALUES (${ref.ownerType}, ${ref.ownerId}, ${ref.token}, ${ref.purpose}, ${ref.allowNegative ?? false},
                  ${this.clock.now()})
          ON CONFLICT (owner_type, owner_id, token, purpose) DO NOTHING
          RETURNING id)
        SELECT id FROM inserted
        UNION ALL
        SELECT id FROM accounts
        WHERE owner_type = ${ref.ownerType} AND owner_id = ${ref.ownerId} AND token = ${ref.token} AND purpose = ${ref.purpose}
        LIMIT 1`;
      const id = rows[0]?.id;
      if (id !== undefined) {
        tx.afterCommit(() => {
          this.#accountIds.set(cacheKey, id);
        });
        return id;
      }
    }
  }

  /**
   * The ids of many accounts at once, creating the missing ones in one statement: for batches that
   * pay thousands of members (arena epochs), where one round trip per new account dominates.
   */
  async accountIds(tx: Tx, keys: readonly AccountKey[]): Promise<number[]> {
    const missing = [...new Map(keys.map((k) => [accountKeyString(k), k])).entries()].filter(
      ([cacheKey]) => !this.#accountIds.has(cacheKey),
    );
    for (const token of new Set(missing.map(([, k]) => k.token))) await this.tokens.resolve(tx.db, token);
    if (missing.length > 0) {
      const columns = [
        missing.map(([, k]) => k.ownerType),
        missing.map(([, k]) => k.ownerId),
        missing.map(([, k]) => k.token),
        missing.map(([, k]) => k.purpose),
        missing.map(([, k]) => k.allowNegative ?? false),
      ];
      await tx.db.$executeRawUnsafe(
        `INSERT INTO accounts (owner_type, owner_id, token, purpose, allow_negative, created_at)
         SELECT *, $6::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[])
         ON CONFLICT (owner_type, owner_id, token, purpose) DO NOTHING`,
        ...columns,
        this.clock.now().toISOString(),
      );
      const rows = await tx.db.$queryRawUnsafe<Array<{ id: number; k: string }>>(
        `SELECT a.id, v.owner_type || ':' || v.owner_id || ':' || v.token || ':' || v.purpose AS k
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS v(owner_type, owner_id, token, purpose)
         JOIN accounts a USING (owner_type, owner_id, token, purpose)`,
        ...columns.slice(0, 4),
      );
      const found = new Map(rows.map((r) => [r.k, r.id]));
      tx.afterCommit(() => {
        for (const [k, id] of found) this.#accountIds.set(k, id);
      });
      return keys.map((k) => this.#accountIds.get(accountKeyString(k)) ?? found.get(accountKeyString(k))!);
    }
    return keys.map((k) => this.#accountIds.get(accountKeyString(k))!);
  }

  /** The account `key` names if it exists, without creating it. */
  async findAccountId(db: TxClient, key: AccountKey): Promise<number | undefined> {
    const cached = this.#accountIds.get(accountKeyString(key));
    if (cached !== undefined) return cached;
    const row = await db.account.findUnique({
      where: {
        ownerType_ownerId_token_purpose: {
          ownerType: key.ownerType,
          ownerId: key.ownerId,
          token: key.token,
          purpose: key.purpose,
        },
      },
      select: { id: true },
    });
    return row?.id;
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
    if (ops.length === 0) return [];
    const keys = ops.map((op) => op.key);
    if (new Set(keys).size !== keys.length) {
      throw new LedgerError("duplicate_key", "Two transfers in one batch share a key.");
    }

    // 1. Resolve account references; lock the pending transfers being resolved (by id).
    const accountIds = new Map<LedgerOp, { debit: number; credit: number }>();
    for (const op of ops) {
      if (op.kind === "transfer" || op.kind === "reserve") {
        validateMovement(op);
        await this.tokens.resolve(tx.db, op.token);
        const ids = {
          debit: await this.accountId(tx, op.debit),
          credit: await this.accountId(tx, op.credit),
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
    const pendings = new Map<bigint, TransferRow>();
    if (pendingIds.length > 0) {
      const rows = await tx.db.$queryRawUnsafe<TransferRow[]>(
        `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`,
        pendingIds.map(String),
      );
      for (const row of rows) pendings.set(BigInt(row.id), row);
    }

    // 2. What each op writes, checked for everything that does not depend on balances.
    const now = this.clock.now();
    const planned = ops.map((op) => planTransfer(op, accountIds.get(op), pendings, now));

    // 3. Lock every account any op could change, in ascending id order.
    const touched = new Set<number>();
    for (const plan of planned) {
      touched.add(plan.debitAccountId);
      if (plan.kind !== "pending" && plan.kind !== "void") touched.add(plan.creditAccountId);
    }
    const locked = await lockAccounts(tx.db, [...touched]);

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
        if (first.fingerprint !== plan.fingerprint) {
          throw new LedgerError(
            "idempotency_conflict",
            `The request key "${op.key}" was already used for a different transfer; nothing was changed.`,
            { key: op.key },
          );
        }
        results.push({ ...toRecord(first), replayed: true });
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
        this.checkToken(op, debit, plan.creditAccountId, locked);
        this.checkAvailable(debit, op.amountAtoms, op.token);
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
      results.push({
        id: transferId,
        key: op.key,
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
        createdAt: row.created_at,
        replayed: false,
      });
    }

    // 6. Write the resolved reservations' status, then the entries and balances in one statement.
    if (resolved.size > 0) {
      await tx.db.$executeRawUnsafe(
        `UPDATE transfers AS t SET status = v.status
         FROM unnest($1::bigint[], $2::text[]) AS v(id, status)
         WHERE t.id = v.id AND t.status = 'pending'`,
        [...resolved.keys()].map(String),
        [...resolved.values()],
      );
    }
    const changed = [...locked.values()].filter((a) => a.changed);
    if (changed.length > 0) {
      await tx.db.$executeRawUnsafe(
        `WITH new_entries AS (
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
      );
    }
    return results;
  }

  private checkToken(
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

  private checkAvailable(account: LockedAccount, amount: bigint, symbol: string) {
    if (account.allowNegative) return;
    const available = account.balance - account.pending;
    if (available >= amount) return;
    throw this.insufficientFunds(available, amount, symbol);
  }

  private insufficientFunds(available: bigint, amount: bigint, symbol: string): LedgerError {
    const token = this.tokens.get(symbol);
    return new LedgerError(
      "insufficient_funds",
      `Insufficient funds: ${formatMoney(available < 0n ? 0n : available, token)} available, ${formatMoney(amount, token)} needed.`,
      { availableAtoms: available.toString(), neededAtoms: amount.toString(), token: symbol },
    );
  }

  /**
   * For previews: refuses, with the same error a transfer would give, to offer spending more than
   * `account` has available now. The transfer checks again under its lock when it happens.
   */
  async requireAvailable(db: TxClient, account: AccountKey, amountAtoms: bigint): Promise<void> {
    const { availableAtoms } = await this.balance(db, account);
    if (availableAtoms < amountAtoms)
      throw this.insufficientFunds(availableAtoms, amountAtoms, account.token);
  }

  /** Balances of the account `ref` names (zero when it does not exist yet). */
  async balance(
    db: TxClient,
    ref: AccountRef,
  ): Promise<{ balanceAtoms: bigint; pendingAtoms: bigint; availableAtoms: bigint }> {
    const id = typeof ref === "number" ? ref : await this.findAccountId(db, ref);
    if (id === undefined) return { balanceAtoms: 0n, pendingAtoms: 0n, availableAtoms: 0n };
    const rows = await db.$queryRaw<Array<{ balance: string; pending: string }>>`
      SELECT balance::text AS balance, pending_debits::text AS pending FROM accounts WHERE id = ${id}`;
    const balance = BigInt(rows[0]?.balance ?? "0");
    const pending = BigInt(rows[0]?.pending ?? "0");
    return { balanceAtoms: balance, pendingAtoms: pending, availableAtoms: balance - pending };
  }

  /** Every account of one owner, optionally of one purpose, by token. */
  async balancesOf(
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
  async findTransfer(db: TxClient, id: bigint): Promise<TransferRecord | undefined> {
    const rows = await db.$queryRawUnsafe<TransferRow[]>(
      `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = $1::bigint`,
      String(id),
    );
    return rows[0] ? { ...toRecord(rows[0]), replayed: false } : undefined;
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

function validateMovement(op: TransferOp | ReserveOp): void {
  if (typeof op.amountAtoms !== "bigint" || op.amountAtoms <= 0n) {
    throw new LedgerError("invalid_amount", "A transfer moves a positive amount.");
  }
  if (op.amountAtoms > MAX_AMOUNT_ATOMS) throw new LedgerError("invalid_amount", "The amount is too large.");
  if (!op.key || !op.code) throw new LedgerError("invalid_transfer", "A transfer needs a key and a code.");
}

function requireOpenPending(
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

interface PlannedTransfer extends TransferFields {
  fingerprint: string;
  meta: JsonObject | undefined;
}

/** The row an op will write, refusing what is wrong whatever the balances (amounts, dates, ids). */
function planTransfer(
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

async function lockAccounts(db: TxClient, ids: number[]): Promise<Map<number, LockedAccount>> {
  const rows = await db.$queryRawUnsafe<
    Array<{ id: number; token: string; allow_negative: boolean; balance: string; pending: string }>
  >(
    `SELECT id, token, allow_negative, balance::text AS balance, pending_debits::text AS pending
     FROM accounts WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE`,
    ids,
  );
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

function toRecord(row: TransferRow): Omit<TransferRecord, "replayed"> {
  return {
    id: BigInt(row.id),
    key: row.key,
    kind: row.kind as TransferKind,
    status: row.status as TransferStatus,
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
