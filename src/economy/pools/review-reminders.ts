// The moderators' daily reminder (docs/economy.md section 4): a recording waiting for a person keeps
// its reservation and never expires, so nothing may wait forever unseen. Once a day every moderator
// is told what has waited longer than a day: manual reviews, and appeals not yet settled.
import { countOf } from "#src/core/counts.ts";
import type { Reply } from "#src/core/reply.ts";
import { WAITING_FOR_A_PERSON } from "#src/economy/pools/review.ts";
import { submissionStatus } from "#src/economy/pools/statuses.ts";
import type { SubmissionDeps } from "#src/economy/pools/submissions.ts";

/** An item is overdue once it has waited this long for a person. */
export const REMINDER_AFTER_MS = 86_400_000;
/** The reminder lists this many items, oldest first, and counts the rest. */
const LISTED = 20;

export interface ReminderOutcome {
  /** Items that have waited longer than a day. */
  overdue: number;
  /** Moderators the reminder was delivered to. */
  reminded: number;
}

export async function remindModerators(
  deps: SubmissionDeps,
  now: Date,
  signal?: AbortSignal,
): Promise<ReminderOutcome> {
  const before = new Date(now.getTime() - REMINDER_AFTER_MS);
  // A manual review waits from its submission (grading takes minutes); an appeal from when it was made.
  const where = {
    AND: [
      WAITING_FOR_A_PERSON,
      {
        OR: [
          { status: "manual_review", createdAt: { lte: before } },
          { status: "settled", appealedAt: { lte: before } },
        ],
      },
    ],
  };
  const [overdue, items] = await Promise.all([
    deps.db.prisma.submission.count({ where }),
    deps.db.prisma.submission.findMany({
      where,
      orderBy: { id: "asc" },
      take: LISTED,
      select: {
        id: true,
        factoryId: true,
        status: true,
        createdAt: true,
        appealedAt: true,
        factory: { select: { creatorUserId: true } },
      },
    }),
  ]);
  if (overdue === 0) return { overdue, reminded: 0 };
  const days = (since: Date) => Math.floor((now.getTime() - since.getTime()) / REMINDER_AFTER_MS);
  const lines = items.map((s) =>
    submissionStatus(s) === "manual_review"
      ? `#${s.id} factory #${s.factoryId}: needs a score, waiting ${countOf(days(s.createdAt), "day")}`
      : `#${s.id} factory #${s.factoryId}: appeal waiting ${countOf(days(s.appealedAt!), "day")}`,
  );
  if (overdue > items.length) lines.push(`…and ${overdue - items.length} more.`);
  const notice: Reply = {
    title: `Review queue: ${overdue} item(s) waiting over a day`,
    text: `${lines.join("\n")}\nTheir bids stay reserved until someone scores them: /review queue, then /review score submission:N score:Q. A factory's creator may not score its own.`,
    tone: "warning",
    data: { overdue, submissionIds: items.map((s) => s.id) },
  };
  let reminded = 0;
  for (const userId of await deps.moderators()) {
    signal?.throwIfAborted();
    if (await deps.notifier.notifyUser(userId, notice)) reminded++;
  }
  return { overdue, reminded };
}
