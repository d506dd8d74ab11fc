// Many transfers from one account, described by a query, applied by the database in a few
// set-based statements: for payments of thousands of lines (an arena epoch pays 12,000 payees),
// where shipping every row to the bot and back costs far more than the SQL. The rows never leave
// the database; the guarantees are those of applyOps:
// - locks: every account the set touches, in ascending id order, before anything is written;
// - idempotency: each transfer's key is unique (ON CONFLICT DO NOTHING); a key used before with
//   the same request (the same fingerprint, computed as plan.ts computes it) is a replay that moves
//   nothing; with another request it is refused and the whole transaction rolls back;
// - double entry: two entries per new transfer (the debit first), each with the balance after it,
//   and each touched balance updated once by the sum of its entries;
// - no overdraft of an account that may not go negative, same token on every account, amounts
//   positive and in range, debit and credit different.
// Everything happens in the caller's transaction, so a refusal (thrown after the writes) leaves
// nothing behind.
import type { Tx } from "#src/db/database.ts";
import { MAX_AMOUNT_ATOMS } from "./amount.ts";
import { insufficientFunds } from "./apply.ts";
import type { TokenRegistry } from "./tokens.ts";
import { LedgerError, type TransferRecord } from "./transfers.ts";

export interface TransferSet {
  /** The account every transfer of the set debits (its id). */
  debitAccountId: number;
  token: string;
  code: string;
  /**
   * A SELECT with the columns ord (the order to apply them in), key, credit_account_id, amount
   * (atoms), memo (text or NULL) and meta (jsonb or NULL): one row per transfer.
   */
  source: { sql: string; params: unknown[] };
}

export interface TransferSetResult {
  /** The transfers written now, in order. */
  written: TransferRecord[];
  /** Rows whose key had already been used for the same transfer: nothing moved for them. */
  replayed: number;
}

/** Temporary tables are per connection and dropped at commit; a counter keeps two calls apart. */
let staged = 0;

export async function applyTransferSet(
  tx: Tx,
  set: TransferSet,
  tokens: TokenRegistry,
  now: Date,
): Promise<TransferSetResult> {
  const table = `ledger_transfer_set_${++staged}`;
  // The source's parameters come first in the staging statement; the others take $1 to $4.
  const n = set.source.params.length;
  const [debit, token, code] = [`$${n + 1}::int`, `$${n + 2}::text`, `$${n + 3}::text`];

  // 1. Stage the set, each row with the fingerprint plan.ts gives the same transfer (sha256 of the
  // JSON of kind, debit, credit, token, amount, code), checked as a batch.
  await tx.db.$executeRawUnsafe(
    `CREATE TEMPORARY TABLE ${table} (ord bigint, key text, fingerprint text, credit_account_id int,
       amount numeric, memo text, meta jsonb) ON COMMIT DROP`,
  );
  const [shape] = await tx.db.$queryRawUnsafe<
    Array<{ rows: number; keys: number; bad_amounts: number; bad_accounts: number }>
  >(
    `WITH st AS (
       INSERT INTO ${table} (ord, key, fingerprint, credit_account_id, amount, memo, meta)
       SELECT s.ord, s.key,
              left(encode(sha256(convert_to(format('["transfer",%s,%s,%s,%s,%s]', ${debit}, s.credit_account_id,
                to_json(${token}), to_json(trunc(s.amount::numeric, 0)::text), to_json(${code})), 'UTF8')), 'hex'), 32),
              s.credit_account_id, s.amount, s.memo, s.meta
       FROM (${set.source.sql}) AS s
       RETURNING key, credit_account_id, amount)
     SELECT count(*)::int AS rows, count(DISTINCT key)::int AS keys,
            count(*) FILTER (WHERE amount IS NULL OR amount <= 0 OR amount > ${MAX_AMOUNT_ATOMS}::numeric
                             OR amount <> trunc(amount))::int AS bad_amounts,
            count(*) FILTER (WHERE credit_account_id IS NULL OR credit_account_id = ${debit})::int AS bad_accounts
     FROM st`,
    ...set.source.params,
    set.debitAccountId,
    set.token,
    set.code,
  );
  if (!shape || shape.rows === 0) return { written: [], replayed: 0 };
  if (shape.keys !== shape.rows) {
    throw new LedgerError("duplicate_key", "Two transfers in one batch share a key.");
  }
  if (shape.bad_amounts > 0) throw new LedgerError("invalid_amount", "A transfer moves a positive amount.");
  if (shape.bad_accounts > 0) {
    throw new LedgerError("invalid_transfer", "A transfer needs two different accounts.");
  }

  // 2. Lock every account the set touches, in ascending id order; check the tokens and that the
  // debit can pay what the new keys move.
  const [locked] = await tx.db.$queryRawUnsafe<
    Array<{
      n: number;
      named: number;
      other_tokens: number;
      allow_negative: boolean;
      available: string | null;
      fresh: string;
    }>
  >(
    `WITH locked AS MATERIALIZED (
       SELECT id, token, allow_negative, balance, pending_debits FROM accounts
       WHERE id = $1::int OR id IN (SELECT credit_account_id FROM ${table}) ORDER BY id FOR UPDATE)
     SELECT count(*)::int AS n, (SELECT count(DISTINCT credit_account_id)::int + 1 FROM ${table}) AS named,
            count(*) FILTER (WHERE token <> $2::text)::int AS other_tokens,
            bool_or(allow_negative) FILTER (WHERE id = $1::int) AS allow_negative,
            (max(balance - pending_debits) FILTER (WHERE id = $1::int))::text AS available,
            (SELECT COALESCE(SUM(amount), 0) FROM ${table} s
             WHERE NOT EXISTS (SELECT 1 FROM transfers t WHERE t.key = s.key))::text AS fresh
     FROM locked`,
    set.debitAccountId,
    set.token,
  );
  if (!locked || locked.available === null || locked.n !== locked.named) {
    throw new LedgerError("invalid_transfer", "A transfer names an account that does not exist.");
  }
  if (locked.other_tokens > 0) {
    throw new LedgerError(
      "invalid_transfer",
      `A ${set.token} transfer must move between ${set.token} accounts.`,
    );
  }
  // What the keys not used before would move (a concurrent twin can only make it less).
  const available = BigInt(locked.available);
  if (!locked.allow_negative && available < BigInt(locked.fresh)) {
    throw insufficientFunds(tokens, available, BigInt(locked.fresh), set.token);
  }

  // 3. Insert the transfers (a key used before inserts nothing), their entries with the balance
  // after each (the debit first, as applyOps writes them), and each balance once.
  const rows = await tx.db.$queryRawUnsafe<
    Array<{
      id: bigint;
      key: string;
      credit_account_id: number;
      amount: string;
      memo: string | null;
      created_at: Date;
    }>
  >(
    `WITH inserted AS (
       INSERT INTO transfers (key, fingerprint, kind, status, debit_account_id, credit_account_id, token,
                              amount, pending_id, code, memo, meta, expires_at, created_at)
       SELECT key, fingerprint, 'single', 'posted', $1::int, credit_account_id, $2::text, amount, NULL,
              $3::text, memo, meta, NULL, $4::timestamptz
       FROM ${table} ORDER BY ord
       ON CONFLICT (key) DO NOTHING
       RETURNING id, key, credit_account_id, amount, memo, created_at),
     moves AS (
       SELECT id AS transfer_id, $1::int AS account_id, -amount AS delta FROM inserted
       UNION ALL
       SELECT id, credit_account_id, amount FROM inserted),
     new_entries AS (
       INSERT INTO entries (account_id, transfer_id, delta, balance_after, created_at)
       SELECT m.account_id, m.transfer_id, m.delta,
              a.balance + SUM(m.delta) OVER (PARTITION BY m.account_id ORDER BY m.transfer_id),
              $4::timestamptz
       FROM moves m JOIN accounts a ON a.id = m.account_id
       ORDER BY m.transfer_id, m.delta),
     balances AS (
       UPDATE accounts AS a SET balance = a.balance + t.total
       FROM (SELECT account_id, SUM(delta) AS total FROM moves GROUP BY account_id) AS t
       WHERE a.id = t.account_id)
     SELECT id, key, credit_account_id, amount::text AS amount, memo, created_at FROM inserted ORDER BY id`,
    set.debitAccountId,
    set.token,
    set.code,
    now.toISOString(),
  );
  // 4. The keys that inserted nothing were used before: the same transfer (a replay), or refused.
  if (rows.length < shape.rows) {
    const [conflict] = await tx.db.$queryRawUnsafe<Array<{ key: string }>>(
      `SELECT s.key FROM ${table} s JOIN transfers t ON t.key = s.key
       WHERE t.fingerprint <> s.fingerprint ORDER BY s.ord LIMIT 1`,
    );
    if (conflict) {
      throw new LedgerError(
        "idempotency_conflict",
        `The request key "${conflict.key}" was already used for a different transfer; nothing was changed.`,
        { key: conflict.key },
      );
    }
  }
  const written = rows.map(
    (row): TransferRecord => ({
      id: BigInt(row.id),
      key: row.key,
      kind: "single",
      status: "posted",
      debitAccountId: set.debitAccountId,
      creditAccountId: row.credit_account_id,
      token: set.token,
      amountAtoms: BigInt(row.amount),
      pendingId: null,
      code: set.code,
      memo: row.memo,
      expiresAt: null,
      createdAt: row.created_at,
      replayed: false,
    }),
  );
  return { written, replayed: shape.rows - rows.length };
}
