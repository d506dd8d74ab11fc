// Who judges demonstrations (docs/economy.md section 4): the payer never does. A factory's creator
// may not score, override or settle appeals on their own factory, even as a moderator; moderators
// may on every other factory, and so may the reviewers moderators appoint, for one factory or for
// all of them. Only moderators appoint and remove reviewers.
import type { Actor } from "#src/core/context.ts";
import { forbidden, UserError } from "#src/core/errors.ts";
import { runOnce } from "#src/core/idempotency.ts";
import type { UserRef } from "#src/core/spec.ts";
import type { Database, TxClient } from "#src/db/database.ts";
import { findFactory } from "#src/economy/pools/factory-access.ts";

export interface ReviewerRow {
  userId: number;
  /** null: every factory the reviewer did not create. */
  factoryId: number | null;
  appointedByUserId: number;
  createdAt: Date;
}

/** Refuses an actor who may not judge this factory's demonstrations, saying who may. */
export async function requireJudge(
  db: TxClient,
  actor: Actor,
  factory: { id: number; creatorUserId: number },
): Promise<void> {
  if (actor.userId === factory.creatorUserId)
    throw forbidden(
      `You created factory #${factory.id}, so you pay for its demonstrations and may not judge them: moderators or the reviewers they appoint score them.`,
    );
  if (actor.isModerator) return;
  if (await isReviewerOf(db, actor.userId, factory.id)) return;
  throw forbidden(
    `Only moderators and the reviewers they appoint can score demonstrations of factory #${factory.id}.`,
  );
}

export async function isReviewerOf(db: TxClient, userId: number, factoryId: number): Promise<boolean> {
  const row = await db.reviewer.findFirst({
    where: { userId, OR: [{ factoryId }, { factoryId: null }] },
    select: { id: true },
  });
  return row !== null;
}

/** The factories an actor may judge, for the review queue: undefined means every one. */
export async function judgedScope(
  db: TxClient,
  actor: Actor,
): Promise<{ all: true } | { all: false; factoryIds: number[] }> {
  const rows = await db.reviewer.findMany({ where: { userId: actor.userId }, select: { factoryId: true } });
  if (actor.isModerator || rows.some((r) => r.factoryId === null)) return { all: true };
  return { all: false, factoryIds: rows.map((r) => r.factoryId!) };
}

const requireModerator = (actor: Actor, what: string) => {
  if (!actor.isModerator) throw forbidden(`Only moderators can ${what} reviewers.`);
};

/** A moderator appoints `user` reviewer of one factory, or of every factory when none is given. */
export async function appointReviewer(
  db: Database,
  request: { actor: Actor; key: string; user: UserRef; factoryId?: number },
): Promise<{ appointed: boolean }> {
  requireModerator(request.actor, "appoint");
  const factoryId = request.factoryId ?? null;
  return db.transaction(async (tx) => {
    if (factoryId !== null) {
      const factory = await findFactory(tx.db, factoryId);
      if (factory.creatorUserId === request.user.userId)
        throw new UserError(
          "invalid_option",
          `${request.user.displayName} created factory #${factoryId}; its reviewer must be someone else, since the payer never judges.`,
        );
    }
    const { result } = await runOnce(
      tx,
      { scope: "review.appoint", key: request.key, input: { user: request.user.userId, factoryId } },
      async () => {
        // The reviewer's user row orders two appointments of the same person.
        await tx.db.$queryRaw`SELECT id FROM users WHERE id = ${request.user.userId} FOR UPDATE`;
        const existing = await tx.db.reviewer.findFirst({
          where: { userId: request.user.userId, factoryId },
        });
        if (existing) return { appointed: false };
        await tx.db.reviewer.create({
          data: {
            userId: request.user.userId,
            factoryId,
            appointedByUserId: request.actor.userId,
            createdAt: tx.now,
          },
        });
        return { appointed: true };
      },
    );
    return result;
  });
}

/** A moderator removes an appointment: of one factory, or the one for every factory when none is given. */
export async function removeReviewer(
  db: Database,
  request: { actor: Actor; key: string; user: UserRef; factoryId?: number },
): Promise<{ removed: boolean }> {
  requireModerator(request.actor, "remove");
  const factoryId = request.factoryId ?? null;
  if (factoryId !== null) await findFactory(db.prisma, factoryId);
  return db.transaction(async (tx) => {
    const { result } = await runOnce(
      tx,
      { scope: "review.remove", key: request.key, input: { user: request.user.userId, factoryId } },
      async () => {
        const gone = await tx.db.reviewer.deleteMany({ where: { userId: request.user.userId, factoryId } });
        return { removed: gone.count > 0 };
      },
    );
    return result;
  });
}

/** Every appointment, of one factory (with the reviewers of all factories) or all of them. */
export async function listReviewers(db: TxClient, actor: Actor, factoryId?: number): Promise<ReviewerRow[]> {
  requireModerator(actor, "list");
  if (factoryId !== undefined) await findFactory(db, factoryId);
  const rows = await db.reviewer.findMany({
    where: factoryId === undefined ? {} : { OR: [{ factoryId }, { factoryId: null }] },
    orderBy: { id: "asc" },
    take: 100,
  });
  // A /link may leave one person appointed twice to the same scope: show it once.
  const seen = new Set<string>();
  return rows
    .filter((r) => {
      const key = `${r.userId}:${r.factoryId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((r) => ({
      userId: r.userId,
      factoryId: r.factoryId,
      appointedByUserId: r.appointedByUserId,
      createdAt: r.createdAt,
    }));
}
