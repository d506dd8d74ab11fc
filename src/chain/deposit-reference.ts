// A member's deposit reference: the memo that tells the bot whose deposit a transaction is, when it
// comes from a wallet not linked to anyone (an exchange, a friend's wallet). "FB-<id>-<check>": the
// member id in base 36 and four check characters, so a typo matches no one rather than someone else.
import { createHash } from "node:crypto";

const PATTERN = /\bFB-([0-9A-Z]{1,10})-([0-9A-Z]{4})\b/gi;

function checkOf(id: string): string {
  const digest = createHash("sha256").update(`forgebot deposit reference ${id}`).digest();
  return BigInt(`0x${digest.subarray(0, 8).toString("hex")}`)
    .toString(36)
    .toUpperCase()
    .padStart(4, "0")
    .slice(-4);
}

export function depositReference(userId: number): string {
  const id = userId.toString(36).toUpperCase();
  return `FB-${id}-${checkOf(id)}`;
}

/** The member the first well-formed reference in `texts` names, if any. */
export function findDepositReference(texts: readonly string[]): number | undefined {
  for (const text of texts) {
    for (const match of text.matchAll(PATTERN)) {
      const id = match[1]!.toUpperCase();
      if (checkOf(id) !== match[2]!.toUpperCase()) continue;
      const userId = Number.parseInt(id, 36);
      if (Number.isSafeInteger(userId) && userId > 0) return userId;
    }
  }
  return undefined;
}
