// A lone posted transfer (the commonest op by far) in one statement: lock both accounts in id
// order, check the token and the debit's available balance, insert the transfer (its unique key
// telling replays apart), update both balances and write both entries. The general path
// (apply.ts) takes three statements; a round trip costs more than the SQL, so this one matters.
//
// The statement runs wherever the caller's transaction is: in the business transaction (Tx.statement:
// straight on its pg connection on PostgreSQL, through Prisma on PGlite; either way it commits or
// rolls back with the rest), or alone on the driver (Database.statement), where a single statement is
// its own transaction.
// Nothing is written unless every check passes, so a refusal leaves the database as it was even
// outside a transaction.
//
// Why it is safe under concurrency (READ COMMITTED):
// - `locked` takes the row locks (FOR UPDATE, sorted by id before locking, as apply.ts does) and,
//   having waited for any concurrent writer, reads the latest committed balances; `checked`
//   aggregates over it, so both locks are held before anything is written.
// - The UPDATE adds the delta to the row (balance + delta) rather than writing a computed value: if
//   the statement's snapshot is older than the row, PostgreSQL re-reads the latest version (which
//   this transaction now holds locked) and applies the delta to it; RETURNING gives the new
//   balance, which the entries record.
// - ON CONFLICT (key) DO NOTHING waits for a concurrent insert of the same key and then inserts
//   nothing, so the money moves once; the replay is then read back by key in a second statement.
import { insufficientFunds } from "./apply.ts";
import { type PlannedTransfer, writtenRecord } from "./plan.ts";
import type { TokenRegistry } from "./tokens.ts";
import {
  LedgerError,
  replayOf,
  TRANSFER_COLUMNS,
  type TransferOp,
  type TransferRecord,
  type TransferRow,
} from "./transfers.ts";

/** Runs one SQL statement with positional parameters and returns its rows. */
export type RunStatement = <Row>(sql: string, params: unknown[]) => Promise<Row[]>;

const SINGLE_TRANSFER = `
WITH locked AS MATERIALIZED (
  SELECT id, token, allow_negative, balance, pending_debits
  FROM accounts WHERE id IN ($3::int, $4::int) ORDER BY id FOR UPDATE),
checked AS MATERIALIZED (
  SELECT count(*) = 2
         AND bool_and(token = $5::text)
         AND bool_and(id <> $3::int OR allow_negative OR balance - pending_debits >= $6::numeric) AS ok
  FROM locked),
inserted AS (
  INSERT INTO transfers (key, fingerprint, kind, status, debit_account_id, credit_account_id, token,
                         amount, pending_id, code, memo, meta, expires_at, created_at)
  SELECT $1::text, $2::text, 'single', 'posted', $3::int, $4::int, $5::text, $6::numeric, NULL, $7::text,
         $8::text, $9::jsonb, NULL, $10::timestamptz
  FROM checked WHERE ok
  ON CONFLICT (key) DO NOTHING
  RETURNING id, created_at),
moved AS (
  UPDATE accounts AS a
  SET balance = a.balance + CASE WHEN a.id = $3::int THEN -$6::numeric ELSE $6::numeric END
  FROM inserted
  WHERE a.id IN ($3::int, $4::int)
  RETURNING a.id, a.balance, inserted.id AS transfer_id),
written AS (
  INSERT INTO entries (account_id, transfer_id, delta, balance_after, created_at)
  SELECT id, transfer_id, CASE WHEN id = $3::int THEN -$6::numeric ELSE $6::numeric END, balance,
         $10::timestamptz
  FROM moved ORDER BY id <> $3::int
  RETURNING 1)
SELECT (SELECT id::text FROM inserted) AS id,
       (SELECT created_at FROM inserted) AS created_at,
       (SELECT count(*)::int FROM written) AS entries,
       (SELECT count(*)::int FROM locked) AS accounts,
       (SELECT token FROM locked WHERE id = $3::int) AS debit_token,
       (SELECT token FROM locked WHERE id = $4::int) AS credit_token,
       (SELECT (balance - pending_debits)::text FROM locked WHERE id = $3::int) AS debit_available,
       (SELECT allow_negative FROM locked WHERE id = $3::int) AS debit_allow_negative`;

interface Outcome {
  id: string | null;
  created_at: Date | null;
  entries: number;
  accounts: number;
  debit_token: string | null;
  credit_token: string | null;
  debit_available: string | null;
  debit_allow_negative: boolean | null;
}

/**
 * Applies one planned transfer with `run` (see the top of the file), returning its record; a
 * replay returns the first record (replayed: true); refusals throw the LedgerError apply.ts would.
 */
export async function applySingleTransfer(
  run: RunStatement,
  op: TransferOp,
  plan: PlannedTransfer,
  now: Date,
  tokens: TokenRegistry,
): Promise<TransferRecord> {
  const [outcome] = await run<Outcome>(SINGLE_TRANSFER, [
    plan.key,
    plan.fingerprint,
    plan.debitAccountId,
    plan.creditAccountId,
    plan.token,
    plan.amountAtoms.toString(),
    plan.code,
    plan.memo,
    plan.meta === undefined ? null : JSON.stringify(plan.meta),
    now.toISOString(),
  ]);
  if (!outcome) throw new Error("the single-transfer statement returned no row");
  if (outcome.id !== null) {
    if (outcome.entries !== 2) throw new Error(`a transfer wrote ${outcome.entries} entries, not 2`);
    return writtenRecord(plan, BigInt(outcome.id), outcome.created_at!);
  }
  // Nothing was written: a replay (its first record is read now, so a concurrent first delivery
  // that committed during the statement is seen too), or a refusal.
  const [first] = await run<TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE key = $1::text`, [
    plan.key,
  ]);
  if (first) return replayOf(first, op.key, plan.fingerprint);
  if (outcome.accounts !== 2) {
    throw new LedgerError("not_found", "A transfer names an account that does not exist.");
  }
  throw refusalOf(outcome, outcome.credit_token === op.token, op, tokens, "transfer");
}

/**
 * Why a single statement that found its accounts wrote nothing (single-transfer.ts,
 * single-reserve.ts): a token other than the op's (`otherTokensMatch`: the accounts besides the
 * debit), or too little available on the debit. Anything else is a bug, not a refusal.
 */
export function refusalOf(
  debit: { debit_token: string | null; debit_available: string | null; debit_allow_negative: boolean | null },
  otherTokensMatch: boolean,
  op: Pick<TransferOp, "key" | "token" | "amountAtoms">,
  tokens: TokenRegistry,
  what: "transfer" | "reservation",
): Error {
  if (debit.debit_token !== op.token || !otherTokensMatch)
    return new LedgerError(
      "invalid_transfer",
      `A ${op.token} transfer must move between ${op.token} accounts.`,
    );
  const available = BigInt(debit.debit_available ?? "0");
  if (!debit.debit_allow_negative && available < op.amountAtoms)
    return insufficientFunds(tokens, available, op.amountAtoms, op.token);
  return new Error(`${what} "${op.key}" was neither written nor refused`);
}
