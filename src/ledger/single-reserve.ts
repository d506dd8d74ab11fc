// A lone reservation (every /submit makes one, under its pool's lock) in one statement: lock the
// debit account, check its token and available balance, insert the pending transfer (its unique
// key telling replays apart) and raise the account's pending debits. The general path (apply.ts)
// takes three statements. A reservation writes no entries and moves no balance: the credit
// account is touched only when it is posted, so it is neither locked nor checked here, as in
// apply.ts. The concurrency argument is single-transfer.ts's: the lock is taken (and the latest
// committed row read) before anything is written, and the UPDATE adds to the row it re-reads.
import { type PlannedTransfer, writtenRecord } from "./plan.ts";
import { type RunStatement, refusalOf } from "./single-transfer.ts";
import type { TokenRegistry } from "./tokens.ts";
import {
  LedgerError,
  type ReserveOp,
  replayOf,
  TRANSFER_COLUMNS,
  type TransferRecord,
  type TransferRow,
} from "./transfers.ts";

const SINGLE_RESERVE = `
WITH locked AS MATERIALIZED (
  SELECT id, token, allow_negative, balance, pending_debits FROM accounts WHERE id = $3::int FOR UPDATE),
checked AS MATERIALIZED (
  SELECT count(*) = 1 AND bool_and(token = $5::text)
         AND bool_and(allow_negative OR balance - pending_debits >= $6::numeric) AS ok
  FROM locked),
inserted AS (
  INSERT INTO transfers (key, fingerprint, kind, status, debit_account_id, credit_account_id, token,
                         amount, pending_id, code, memo, meta, expires_at, created_at)
  SELECT $1::text, $2::text, 'pending', 'pending', $3::int, $4::int, $5::text, $6::numeric, NULL, $7::text,
         $8::text, $9::jsonb, $10::timestamptz, $11::timestamptz
  FROM checked WHERE ok
  ON CONFLICT (key) DO NOTHING
  RETURNING id, created_at),
held AS (
  UPDATE accounts AS a SET pending_debits = a.pending_debits + $6::numeric
  FROM inserted WHERE a.id = $3::int
  RETURNING 1)
SELECT (SELECT id::text FROM inserted) AS id,
       (SELECT created_at FROM inserted) AS created_at,
       (SELECT count(*)::int FROM held) AS held,
       (SELECT token FROM locked) AS debit_token,
       (SELECT (balance - pending_debits)::text FROM locked) AS debit_available,
       (SELECT allow_negative FROM locked) AS debit_allow_negative`;

interface Outcome {
  id: string | null;
  created_at: Date | null;
  held: number;
  debit_token: string | null;
  debit_available: string | null;
  debit_allow_negative: boolean | null;
}

/**
 * Applies one planned reservation with `run`, returning its record; a replay returns the first
 * record (replayed: true); refusals throw the LedgerError apply.ts would.
 */
export async function applySingleReserve(
  run: RunStatement,
  op: ReserveOp,
  plan: PlannedTransfer,
  now: Date,
  tokens: TokenRegistry,
): Promise<TransferRecord> {
  const [outcome] = await run<Outcome>(SINGLE_RESERVE, [
    plan.key,
    plan.fingerprint,
    plan.debitAccountId,
    plan.creditAccountId,
    plan.token,
    plan.amountAtoms.toString(),
    plan.code,
    plan.memo,
    plan.meta === undefined ? null : JSON.stringify(plan.meta),
    plan.expiresAt?.toISOString() ?? null,
    now.toISOString(),
  ]);
  if (!outcome) throw new Error("the single-reserve statement returned no row");
  if (outcome.id !== null) {
    if (outcome.held !== 1) throw new Error(`a reservation raised ${outcome.held} accounts' pending, not 1`);
    return writtenRecord(plan, BigInt(outcome.id), outcome.created_at!);
  }
  // Nothing was written: a replay (read now, so a concurrent first delivery is seen too), or a refusal.
  const [first] = await run<TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE key = $1::text`, [
    plan.key,
  ]);
  if (first) return replayOf(first, op.key, plan.fingerprint);
  if (outcome.debit_token === null) {
    throw new LedgerError("not_found", "A transfer names an account that does not exist.");
  }
  // Only the debit is checked (see above).
  throw refusalOf(outcome, true, op, tokens, "reservation");
}
