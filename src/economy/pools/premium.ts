// Premium factories (docs/economy.md section 5): a factory may require a minimum reputation, and is then
// visible and open only to farmers at or above it. With `premiumHours` it is "premium first": the
// farmers with a strong track record get it to themselves for that many hours after the pool first
// received funds, and then it opens to everyone. The window starts at the first funding, not at
// creation, because an unfunded pool pays nobody: the head start must be one farmers can use.
import { HOUR } from "#src/core/clock.ts";

export interface PremiumTerms {
  minReputation: number | null;
  premiumHours: number | null;
  firstFundedAt: Date | null;
}

/** When the bar lifts, if it ever does: unknown (null) until the pool is first funded. */
export function premiumUntil(terms: PremiumTerms): Date | null {
  if (terms.minReputation === null || terms.premiumHours === null || terms.firstFundedAt === null)
    return null;
  return new Date(terms.firstFundedAt.getTime() + terms.premiumHours * HOUR);
}

/** The reputation a farmer needs at `now` to see and enter the factory (null: open to all). */
export function reputationBar(terms: PremiumTerms, now: Date): number | null {
  if (terms.minReputation === null) return null;
  const until = premiumUntil(terms);
  return until !== null && now.getTime() >= until.getTime() ? null : terms.minReputation;
}
