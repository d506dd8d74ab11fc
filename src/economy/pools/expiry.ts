// Reservation expiry: a queued submission whose grade never came within RESERVATION_TTL_HOURS gives
// its bid back to the pool, exactly once (the ledger's own expiry sweep uses the same key), and its
// recording may be submitted again. One waiting for a person (manual_review) never expires
// (docs/economy.md section 4): it keeps its reservation until it is scored.
import type { Tx } from "#src/db/database.ts";
import { type SubmissionStatus, submissionStatus } from "#src/economy/pools/statuses.ts";
import type { SubmissionRow } from "#src/economy/pools/submission-reads.ts";
import { expiredNotice } from "#src/economy/pools/submission-wording.ts";
import type { SubmissionDeps } from "#src/economy/pools/submissions.ts";

/**
 * The expiry job: voids the reservations of queued submissions whose grade never came, each exactly once. Stops before the
 * next submission once `signal` is aborted; the next run expires the rest.
 */
export async function expireDue(
  deps: SubmissionDeps,
  now: Date,
  { limit = 500, signal }: { limit?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const { db } = deps;
  const due = await db.prisma.submission.findMany({
    where: { status: "queued" satisfies SubmissionStatus, expiresAt: { lte: now } },
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true },
  });
  let expired = 0;
  for (const { id } of due) {
    signal?.throwIfAborted();
    const farmer = await db.transaction(async (tx) => {
      await tx.db.$queryRaw`SELECT id FROM submissions WHERE id = ${id} FOR UPDATE`;
      const sub = await tx.db.submission.findUniqueOrThrow({ where: { id } });
      if (submissionStatus(sub) !== "queued") return undefined;
      await expireRow(deps, tx, sub);
      return sub.farmerUserId;
    });
    if (farmer !== undefined) {
      expired++;
      await deps.notifier.notifyUser(farmer, expiredNotice(id, deps.config.RESERVATION_TTL_HOURS));
    }
  }
  return expired;
}

export async function expireRow(
  deps: SubmissionDeps,
  tx: Tx,
  sub: Pick<SubmissionRow, "id" | "reservationId" | "contentHash">,
): Promise<void> {
  if (sub.reservationId !== null)
    // Same key as the ledger's own expiry sweep, so the two can never void it twice.
    await deps.ledger.void(tx, {
      key: `expire:${sub.reservationId}`,
      pendingId: sub.reservationId,
      expired: true,
    });
  // A recording that expired unpaid may be submitted again: its hash is released.
  // Raw, so the row (and its payload) does not come back to be parsed.
  await tx.db.$executeRaw`
    UPDATE submissions SET status = ${"expired" satisfies SubmissionStatus},
      content_hash = ${`expired:${sub.id}:${sub.contentHash}`}
    WHERE id = ${sub.id}`;
}
