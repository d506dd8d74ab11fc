// The leaderboard_posts table: the claim of one scheduled post (schedule, period) that makes it go
// out once across bot processes, and lets another process finish it when its sender dies. The same
// idea as the scheduler's job runs (src/epochs/runs.ts): a claim is an INSERT guarded by the primary
// key, so one process wins it; a claim not marked posted within the lease (its owner died mid-send,
// or the send failed) is taken over by a conditional UPDATE, which only one process can win: under
// READ COMMITTED a second UPDATE waits for the first and re-checks its WHERE against the row the first
// one wrote (whose claimed_at is then fresh).
//
// There is no heartbeat: an attempt is one send (a few HTTP requests), so the lease bounds the send
// itself and a failed send waits the same lease before it is retried. The attempt number, with the
// owner, fences a late process out: it can only record the outcome of the attempt it made, never
// overwrite the attempt of the process that took its claim over. (posted_at IS NULL keeps a claim
// that a process of the previous version posted, without a status, from being sent again.)
import type { Database } from "#src/db/database.ts";

/** A failure's message is kept up to this many characters. */
export const MAX_POST_ERROR_LENGTH = 500;

/** leaderboard_posts.status (a CHECK in the database holds the column to these). */
export type PostStatus = "sending" | "retry" | "posted" | "failed";

export interface PostClaimPolicy {
  /** This process, as recorded in leaderboard_posts.owner. */
  owner: string;
  now: Date;
  /** An attempt not marked posted this long after it began may be taken over. */
  leaseMs: number;
  /** Attempts in all (the first included); then the post is recorded failed. */
  maxAttempts: number;
}

export type PostClaim =
  /** This process makes attempt `attempt` now (`resumed`: an earlier attempt died or failed). */
  | { claimed: true; attempt: number; resumed: boolean }
  /**
   * Posted already, held by a live attempt (`sending`), waiting out the lease after a failed
   * attempt (`retry`), or given up (`failed`; `gaveUpNow` when this call recorded it).
   */
  | { claimed: false; status: PostStatus; gaveUpNow: boolean };

export class PostClaims {
  constructor(private readonly db: Database) {}

  /** Claims (schedule, period) for a first attempt, or takes over an attempt that died or failed. */
  async claim(scheduleId: number, periodKey: string, policy: PostClaimPolicy): Promise<PostClaim> {
    const { owner, now } = policy;
    const inserted = await this.db.prisma.$queryRaw<Array<{ attempts: number }>>`
      INSERT INTO leaderboard_posts (schedule_id, period_key, status, owner, attempts, claimed_at)
      VALUES (${scheduleId}, ${periodKey}, 'sending', ${owner}, 1, ${now})
      ON CONFLICT (schedule_id, period_key) DO NOTHING
      RETURNING attempts`;
    if (inserted.length === 1) return { claimed: true, attempt: 1, resumed: false };

    const staleBefore = new Date(now.getTime() - policy.leaseMs);
    const taken = await this.db.prisma.$queryRaw<Array<{ attempts: number }>>`
      UPDATE leaderboard_posts
      SET status = 'sending', owner = ${owner}, claimed_at = ${now}, attempts = attempts + 1
      WHERE schedule_id = ${scheduleId} AND period_key = ${periodKey}
        AND status IN ('sending', 'retry') AND posted_at IS NULL AND claimed_at <= ${staleBefore}
        AND attempts < ${policy.maxAttempts}
      RETURNING attempts`;
    if (taken.length === 1) return { claimed: true, attempt: Number(taken[0]!.attempts), resumed: true };

    // Out of attempts and out of lease: the last attempt's process stopped (a failed last attempt
    // records "failed" itself). Nobody will post this period now; say so on the claim.
    const gaveUp = await this.db.prisma.$queryRaw<Array<{ attempts: number }>>`
      UPDATE leaderboard_posts
      SET status = 'failed',
          error = CASE WHEN status = 'sending'
            THEN 'attempt ' || attempts::text || ' by ' || owner || ' never finished (its process stopped)'
            ELSE error END
      WHERE schedule_id = ${scheduleId} AND period_key = ${periodKey}
        AND status IN ('sending', 'retry') AND posted_at IS NULL AND claimed_at <= ${staleBefore}
        AND attempts >= ${policy.maxAttempts}
      RETURNING attempts`;
    const row = await this.db.prisma.leaderboardPost.findUniqueOrThrow({
      where: { scheduleId_periodKey: { scheduleId, periodKey } },
      select: { status: true },
    });
    return { claimed: false, status: row.status as PostStatus, gaveUpNow: gaveUp.length === 1 };
  }

  /** Records attempt `attempt` posted; false if another process took the claim over meanwhile. */
  async posted(scheduleId: number, periodKey: string, owner: string, attempt: number, at: Date) {
    const { count } = await this.db.prisma.leaderboardPost.updateMany({
      // Whatever its status: if the post went out, "posted" is the truth even after a give-up.
      where: { scheduleId, periodKey, owner, attempts: attempt },
      data: { status: "posted" satisfies PostStatus, postedAt: at, error: null },
    });
    return count === 1;
  }

  /**
   * Records attempt `attempt` failed: "retry" while attempts are left (the next tick after the
   * lease retries it), "failed" after the last; "lost" if another process took the claim over.
   */
  async failed(
    scheduleId: number,
    periodKey: string,
    owner: string,
    attempt: number,
    maxAttempts: number,
    message: string,
  ): Promise<"retry" | "failed" | "lost"> {
    const status: Extract<PostStatus, "retry" | "failed"> = attempt >= maxAttempts ? "failed" : "retry";
    const { count } = await this.db.prisma.leaderboardPost.updateMany({
      where: { scheduleId, periodKey, owner, attempts: attempt, status: "sending" satisfies PostStatus },
      data: {
        status,
        error: (status === "failed" ? `gave up after ${attempt} attempts: ${message}` : message).slice(
          0,
          MAX_POST_ERROR_LENGTH,
        ),
      },
    });
    return count === 1 ? status : "lost";
  }

  /**
   * Gives up the schedule's earlier periods still unposted once their lease has run out: a later
   * period is due, and an old leaderboard is not worth posting after it. Returns how many.
   */
  async supersede(scheduleId: number, latestPeriodKey: string, policy: PostClaimPolicy): Promise<number> {
    const { count } = await this.db.prisma.leaderboardPost.updateMany({
      where: {
        scheduleId,
        // ISO minutes (2026-11-23T09:00Z) sort as text in time order.
        periodKey: { lt: latestPeriodKey },
        status: { in: ["sending", "retry"] satisfies PostStatus[] },
        postedAt: null,
        claimedAt: { lte: new Date(policy.now.getTime() - policy.leaseMs) },
      },
      data: {
        status: "failed" satisfies PostStatus,
        error: `not posted before the next scheduled time, ${latestPeriodKey}`,
      },
    });
    return count;
  }
}
