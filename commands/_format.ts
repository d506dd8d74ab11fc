// Shared wording for replies: money, dates and people, the same in every command.
import { countOf, formatCount } from "#src/core/counts.ts";
import { formatTime } from "#src/core/time-format.ts";
import type { TokenInfo } from "#src/ledger/amount.ts";
import { decimalString, formatMoney } from "#src/ledger/amount.ts";

export { countOf, decimalString, formatCount, formatMoney, formatTime };

/** "+1,000.5 USDC" or "-12 USDC" */
export function signedMoney(atoms: bigint, token: TokenInfo): string {
  return `${atoms >= 0n ? "+" : "-"}${formatMoney(atoms >= 0n ? atoms : -atoms, token)}`;
}

/** A text progress bar: "▓▓▓▓▓░░░░░ 50%". */
export function progressBar(part: bigint, whole: bigint, width = 10): string {
  if (whole <= 0n) return `${"░".repeat(width)} 0%`;
  const clamped = part < 0n ? 0n : part > whole ? whole : part;
  const filled = Number((clamped * BigInt(width)) / whole);
  const percent = Number((clamped * 100n) / whole);
  return `${"▓".repeat(filled)}${"░".repeat(width - filled)} ${percent}%`;
}

/** How a transfer code reads in a member's history. */
const TRANSFER_LABELS: Record<string, string> = {
  "admin.credit": "credit from a moderator",
  "admin.debit": "debit by a moderator",
  "identity.merge": "moved when accounts were linked",
};

export function transferLabel(code: string): string {
  return TRANSFER_LABELS[code] ?? code.replace(/[._]/g, " ");
}

export function registerTransferLabels(labels: Record<string, string>): void {
  Object.assign(TRANSFER_LABELS, labels);
}
