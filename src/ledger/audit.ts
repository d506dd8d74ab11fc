// The audit proves the ledger's invariants from the database itself, in one consistent snapshot:
// every token sums to zero, every balance equals the sum of its entries (and its last entry's
// balance-after), every pending amount equals its open reservations, no user, pool or stake
// balance is negative, every posted transfer has two entries that cancel, and every reservation
// was resolved at most once.
import type { Database } from "#src/db/database.ts";

export interface TokenTotal {
  token: string;
  /** The sum of every balance of this token: zero in a sound ledger. */
  sumAtoms: bigint;
  accounts: number;
  /** Money that entered from outside (the negated world and emission balances). */
  outsideAtoms: bigint;
}

export interface AuditReport {
  ok: boolean;
  tokens: TokenTotal[];
  problems: string[];
  checkedAt: Date;
}

export async function auditLedger(db: Database): Promise<AuditReport> {
  return db.transaction(async ({ db: q, now }) => {
    if (db.kind === "postgres")
      await q.$executeRawUnsafe("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const problems: string[] = [];

    const totals = await q.$queryRawUnsafe<
      Array<{ token: string; total: string; n: number; outside: string }>
    >(
      `SELECT token, SUM(balance)::text AS total, COUNT(*)::int AS n,
              (-SUM(CASE WHEN allow_negative THEN balance ELSE 0 END))::text AS outside
       FROM accounts GROUP BY token ORDER BY token`,
    );
    const tokens = totals.map((t) => ({
      token: t.token,
      sumAtoms: BigInt(t.total),
      accounts: t.n,
      outsideAtoms: BigInt(t.outside),
    }));
    for (const t of tokens)
      if (t.sumAtoms !== 0n) problems.push(`${t.token} sums to ${t.sumAtoms} atoms, not zero`);

    const checks: Array<[string, string]> = [
      [
        "balance differs from the sum of its entries",
        `SELECT a.id::text AS id FROM accounts a
         LEFT JOIN (SELECT account_id, SUM(delta) AS total FROM entries GROUP BY account_id) s ON s.account_id = a.id
         WHERE a.balance <> COALESCE(s.total, 0)`,
      ],
      [
        "balance differs from its last entry's balance-after",
        `SELECT a.id::text AS id FROM accounts a
         JOIN LATERAL (SELECT balance_after FROM entries WHERE account_id = a.id ORDER BY id DESC LIMIT 1) last ON true
         WHERE last.balance_after <> a.balance`,
      ],
      [
        "pending amount differs from its open reservations",
        `SELECT a.id::text AS id FROM accounts a
         LEFT JOIN (SELECT debit_account_id, SUM(amount) AS total FROM transfers
                    WHERE kind = 'pending' AND status = 'pending' GROUP BY debit_account_id) p
           ON p.debit_account_id = a.id
         WHERE a.pending_debits <> COALESCE(p.total, 0)`,
      ],
      [
        "may not be negative but is",
        `SELECT id::text AS id FROM accounts WHERE NOT allow_negative AND (balance < 0 OR balance - pending_debits < 0)`,
      ],
      [
        "posted transfer without exactly two cancelling entries",
        `SELECT t.id::text AS id FROM transfers t LEFT JOIN entries e ON e.transfer_id = t.id
         WHERE t.kind IN ('single', 'post')
         GROUP BY t.id, t.amount HAVING COUNT(e.id) <> 2 OR COALESCE(SUM(e.delta), 0) <> 0
           OR COALESCE(MAX(e.delta), 0) <> t.amount`,
      ],
      [
        "reservation or void with entries",
        `SELECT DISTINCT t.id::text AS id FROM transfers t JOIN entries e ON e.transfer_id = t.id WHERE t.kind IN ('pending', 'void')`,
      ],
      [
        "reservation resolved more than once",
        `SELECT pending_id::text AS id FROM transfers WHERE pending_id IS NOT NULL GROUP BY pending_id HAVING COUNT(*) > 1`,
      ],
      [
        "reservation whose status disagrees with its resolution",
        `SELECT p.id::text AS id FROM transfers p LEFT JOIN transfers r ON r.pending_id = p.id
         WHERE p.kind = 'pending' AND (
           (p.status = 'pending' AND r.id IS NOT NULL) OR
           (p.status = 'posted' AND (r.kind IS DISTINCT FROM 'post' OR r.amount > p.amount)) OR
           (p.status IN ('voided', 'expired') AND (r.kind IS DISTINCT FROM 'void' OR r.amount <> p.amount)))`,
      ],
    ];
    for (const [label, sql] of checks) {
      const rows = await q.$queryRawUnsafe<Array<{ id: string }>>(`${sql} LIMIT 20`);
      for (const row of rows)
        problems.push(
          `${label}: ${label.startsWith("reservation") || label.startsWith("posted") ? "transfer" : "account"} ${row.id}`,
        );
    }
    return { ok: problems.length === 0, tokens, problems, checkedAt: now };
  });
}
