// Business actions run once per idempotency key. The first run stores its result under the key,
// in the same transaction as its effects; a replay (a redelivered Discord interaction or Telegram
// update, a double-pressed button) returns that result and does nothing. The same key used with a
// different request is refused.
import { createHash } from "node:crypto";
import type { Tx } from "#src/db/database.ts";
import { UserError } from "./errors.ts";

export interface OnceResult<T> {
  result: T;
  /** True when this key had already run: the result is the stored one. */
  replayed: boolean;
}

/** JSON with bigints and dates kept: results hold atoms and timestamps. */
export function encodeResult(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
      const original = this[key];
      if (typeof original === "bigint") return { $bigint: original.toString() };
      if (original instanceof Date) return { $date: original.toISOString() };
      return v;
    }),
  );
}

export function decodeResult<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value), (_key, v) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      if (typeof v.$bigint === "string" && Object.keys(v).length === 1) return BigInt(v.$bigint);
      if (typeof v.$date === "string" && Object.keys(v).length === 1) return new Date(v.$date);
    }
    return v;
  }) as T;
}

export function fingerprintOf(input: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(encodeResult(input) ?? null))
    .digest("hex")
    .slice(0, 32);
}

/**
 * Runs `work` once for (scope, key) inside `tx`. Concurrent runs with the same key queue on the
 * record's primary key: the second waits for the first to commit, then returns its result.
 */
export async function runOnce<T>(
  tx: Tx,
  request: { scope: string; key: string; input: unknown },
  work: () => Promise<T>,
): Promise<OnceResult<T>> {
  const recordKey = `${request.scope}|${request.key}`;
  const fingerprint = fingerprintOf(request.input);
  const inserted = await tx.db.$queryRaw<Array<{ key: string }>>`
    INSERT INTO idempotency_records (key, scope, fingerprint, result, created_at)
    VALUES (${recordKey}, ${request.scope}, ${fingerprint}, 'null'::jsonb, ${tx.now})
    ON CONFLICT (key) DO NOTHING
    RETURNING key`;
  if (inserted.length === 0) {
    const previous = await tx.db.idempotencyRecord.findUnique({ where: { key: recordKey } });
    if (!previous) throw new Error(`idempotency record ${recordKey} vanished`);
    if (previous.fingerprint !== fingerprint) {
      throw new UserError(
        "idempotency_conflict",
        "This request's key was already used for a different request, so nothing was done. Run the command again.",
      );
    }
    return { result: decodeResult<T>(previous.result), replayed: true };
  }
  const result = await work();
  await tx.db.idempotencyRecord.update({
    where: { key: recordKey },
    data: { result: (encodeResult(result) ?? null) as never },
  });
  return { result, replayed: false };
}

/** A key for the n-th ledger transfer of one business action. */
export const subKey = (key: string, ...parts: Array<string | number | bigint>): string =>
  [key, ...parts].join("|");
