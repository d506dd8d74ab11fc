// Who may submit to a factory (docs/economy.md section 5): a premium factory's reputation bar, which
// a farmer's reputation meets only once they have a track record, and the Playground's top N of the
// month. Each refusal says what would let the farmer in.
import { UserError } from "#src/core/errors.ts";
import type { TxClient } from "#src/db/database.ts";
import { monthQualityStanding } from "#src/economy/pools/playground.ts";
import { type PremiumTerms, premiumUntil, reputationBar } from "#src/economy/pools/premium.ts";
import { type Reputation, TRACK_RECORD_MIN_GRADED } from "#src/economy/pools/reputation.ts";

export interface EntryTerms extends PremiumTerms {
  id: number;
  playgroundTop: number | null;
}

export async function checkEntry(
  db: TxClient,
  reputation: Reputation,
  factory: EntryTerms,
  userId: number,
  now: Date,
): Promise<void> {
  const bar = reputationBar(factory, now);
  if (bar !== null) {
    const rep = await reputation.of(db, userId, now);
    const until = premiumUntil(factory);
    const opens = until
      ? ` It opens to everyone at ${until.toISOString().slice(0, 16).replace("T", " ")} UTC.`
      : "";
    if (rep.graded < TRACK_RECORD_MIN_GRADED)
      throw new UserError(
        "track_record_needed",
        `Factory #${factory.id} is premium: it needs reputation ${bar}, yours is ${rep.reputation} and counts only after ${TRACK_RECORD_MIN_GRADED} graded demonstrations; you have ${rep.graded}. Record for open factories first (/bids).${opens}`,
        { graded: rep.graded, needed: TRACK_RECORD_MIN_GRADED },
      );
    if (rep.reputation < bar)
      throw new UserError(
        "reputation_too_low",
        `Factory #${factory.id} is premium: it needs reputation ${bar}, yours is ${rep.reputation}.${opens} /reputation shows how to raise yours.`,
      );
  }
  if (factory.playgroundTop !== null) {
    const top = factory.playgroundTop;
    const standing = await monthQualityStanding(db, userId, now, reputation.minimumQualityCount);
    if (standing.rank === undefined || standing.rank > top) {
      const where =
        standing.rank === undefined
          ? `you are not ranked this month: ${standing.graded} graded demonstration(s), ${reputation.minimumQualityCount} needed`
          : `you are #${standing.rank} this month`;
      throw new UserError(
        "playground_only",
        `Factory #${factory.id} is in the Playground: only the month's top ${top} farmers by average quality may submit, and ${where}. Raise your quality on open factories (/bids); /leaderboard farmers metric:quality period:month shows the ranking.`,
        { top, ...(standing.rank !== undefined ? { rank: standing.rank } : {}), graded: standing.graded },
      );
    }
  }
}
