// Account ids by key, opening accounts the first time they are named, and the cache of ids the
// ledger has seen committed (ids never change, so a committed id can be reused without a query).
import type { Clock } from "#src/core/clock.ts";
import type { Tx, TxClient } from "#src/db/database.ts";
import { type AccountKey, type AccountRef, accountKeyString } from "./accounts.ts";
import type { TokenRegistry } from "./tokens.ts";

export class AccountIds {
  /** Account ids by key; filled only after the transaction that saw them commits. */
  readonly #ids = new Map<string, number>();

  constructor(
    private readonly tokens: TokenRegistry,
    private readonly clock: Clock,
  ) {}

  /** The id of the account `ref` names if it is known without a query (an id, or seen committed). */
  known(ref: AccountRef): number | undefined {
    return typeof ref === "number" ? ref : this.#ids.get(accountKeyString(ref));
  }

  /** The id of the account `ref` names, creating the account the first time. */
  async one(tx: Tx, ref: AccountRef): Promise<number> {
    if (typeof ref === "number") return ref;
    const cacheKey = accountKeyString(ref);
    const cached = this.#ids.get(cacheKey);
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
          this.#ids.set(cacheKey, id);
        });
        return id;
      }
    }
  }

  /**
   * The ids of many accounts at once, creating the missing ones in one statement: for batches that
   * pay thousands of members (arena epochs), where one round trip per new account dominates.
   */
  async many(tx: Tx, keys: readonly AccountKey[]): Promise<number[]> {
    const missing = [...new Map(keys.map((k) => [accountKeyString(k), k])).entries()].filter(
      ([cacheKey]) => !this.#ids.has(cacheKey),
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
        for (const [k, id] of found) this.#ids.set(k, id);
      });
      return keys.map((k) => this.#ids.get(accountKeyString(k)) ?? found.get(accountKeyString(k))!);
    }
    return keys.map((k) => this.#ids.get(accountKeyString(k))!);
  }

  /** The account `key` names if it exists, without creating it. */
  async find(db: TxClient, key: AccountKey): Promise<number | undefined> {
    const cached = this.#ids.get(accountKeyString(key));
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
}
