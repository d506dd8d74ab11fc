// PostgreSQL reports conflicts as SQLSTATE codes; Prisma wraps them differently depending on the
// driver adapter and the query API (PGlite may surface the raw 23505 where pg gives Prisma's P2002).
// These helpers look through every wrapper so callers can ask one question.

const PRISMA_TO_SQLSTATE: Record<string, string> = {
  P2002: "23505", // unique constraint failed
  P2034: "40001", // transaction failed due to a write conflict or a deadlock
};

function codeOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const code = (value as { code?: unknown }).code;
  if (typeof code !== "string") return undefined;
  // Prisma's codes (P2002) look like SQLSTATEs too: translate them first.
  const translated = PRISMA_TO_SQLSTATE[code];
  if (translated) return translated;
  if (/^P\d{4}$/.test(code)) return undefined;
  if (/^[0-9A-Z]{5}$/.test(code)) return code;
  return undefined;
}

/** The SQLSTATE behind an error from Prisma, a driver adapter, pg or PGlite, if there is one. */
export function sqlState(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    const direct = codeOf(current);
    if (direct) return direct;
    const record = current as Record<string, unknown>;
    const meta = record.meta as Record<string, unknown> | undefined;
    queue.push(
      record.cause,
      meta?.driverAdapterError,
      (meta?.driverAdapterError as { cause?: unknown })?.cause,
    );
    // Raw-query failures (P2010) carry the SQLSTATE only in the message: "Code: `23505`".
    const message = typeof record.message === "string" ? record.message : "";
    const inMessage = /Code: `([0-9A-Z]{5})`/.exec(message);
    if (inMessage?.[1]) return inMessage[1];
  }
  return undefined;
}

export const isUniqueViolation = (error: unknown): boolean => sqlState(error) === "23505";

/** Serialization failures and deadlocks: the transaction did nothing and may simply run again. */
export const isRetryableConflict = (error: unknown): boolean => {
  const state = sqlState(error);
  return state === "40001" || state === "40P01";
};
