// Who may change a factory, and the row lock every change takes: the creator or a moderator, on a
// factory that is not closed. Lookups by number give the member a clear error for a bad one.
import type { Actor } from "#src/core/context.ts";
import { forbidden, UserError } from "#src/core/errors.ts";
import type { Tx, TxClient } from "#src/db/database.ts";

export type FactoryRow = Awaited<ReturnType<TxClient["factory"]["findUniqueOrThrow"]>>;

export async function findFactory(db: TxClient, factoryId: number): Promise<FactoryRow> {
  if (!Number.isSafeInteger(factoryId) || factoryId <= 0)
    throw new UserError("invalid_option", "A factory is named by its number, e.g. factory:3.");
  const row = await db.factory.findUnique({ where: { id: factoryId } });
  if (!row) throw new UserError("not_found", `There is no factory #${factoryId}. /factory list shows them.`);
  return row;
}

/** Locks the factory row for a change and checks the actor may make it. */
export async function lockOwned(tx: Tx, actor: Actor, factoryId: number, what: string): Promise<FactoryRow> {
  await findFactory(tx.db, factoryId);
  await tx.db.$queryRaw`SELECT id FROM factories WHERE id = ${factoryId} FOR UPDATE`;
  const row = await tx.db.factory.findUniqueOrThrow({ where: { id: factoryId } });
  requireOwner(actor, row, what);
  return row;
}

export function requireOwner(
  actor: Actor,
  factory: { id: number; creatorUserId: number },
  what: string,
): void {
  if (actor.userId === factory.creatorUserId || actor.isModerator) return;
  throw forbidden(`Only factory #${factory.id}'s creator or a moderator can ${what} it.`);
}

export const closedError = (factory: { id: number }) =>
  new UserError("factory_closed", `Factory #${factory.id} is closed; nothing about it can change any more.`);
