// Shared wording for replies: money, dates and people, the same in every command.
import { countOf, formatCount } from "#src/core/counts.ts";
import { formatTime } from "#src/core/time-format.ts";
import { COMMISSION_CODES } from "#src/economy/ambassadors/commissions.ts";
import type { TokenInfo } from "#src/ledger/amount.ts";
import { decimalString, formatMoney } from "#src/ledger/amount.ts";

export { countOf, decimalString, formatCount, formatMoney, formatTime };

/** "+1,000.5 USDC" or "-12 USDC" */
export function signedMoney(atoms: bigint, token: TokenInfo): string {
  return `${atoms >= 0n ? "+" : "-"}${formatMoney(atoms >= 0n ? atoms : -atoms, token)}`;
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

/**
 * The commissions' labels, one wording wherever they are registered. A creator's ambassador earns on
 * a reward (clones) or on a deposit (forge): the transfer's memo says which.
 */
export const COMMISSION_LABELS: Record<string, string> = {
  [COMMISSION_CODES.farmer_ambassador]: "commission: a farmer you referred was paid",
  [COMMISSION_CODES.creator_ambassador]: "commission: a creator you referred",
};

export function registerTransferLabels(labels: Record<string, string>): void {
  Object.assign(TRANSFER_LABELS, labels);
}
