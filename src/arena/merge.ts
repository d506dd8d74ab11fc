// A /link merge of two members, as the arena sees it.
import { UserError } from "#src/core/errors.ts";
import type { Tx } from "#src/db/database.ts";

/**
 * /link merged member `from` into `into` (their stake money moved with their balances): the
 * stakes, nodes and validators follow. Where both had the same role on a task, `from`'s stakes
 * join `into`'s participant. Tasks are moved by the merge itself (src/identity/user-columns.ts).
 * Refused while an epoch is between its snapshot and its payment: its reward lines name the
 * payees of the snapshot, and a line paid to `from` after the link would reach no one.
 */
export async function mergeUsers(tx: Tx, from: number, into: number): Promise<void> {
  const unpaid = await tx.db.$queryRaw<Array<{ id: number }>>`
    SELECT e.id FROM arena_epochs e WHERE e.status <> 'paid'
      AND (EXISTS (SELECT 1 FROM arena_stakes WHERE user_id = ${from})
        OR EXISTS (SELECT 1 FROM arena_participants WHERE user_id = ${from})
        OR EXISTS (SELECT 1 FROM arena_rewards WHERE user_id = ${from} AND NOT paid))
    LIMIT 1`;
  if (unpaid.length > 0) {
    throw new UserError(
      "link_pending",
      "The arena is paying this epoch's rewards, some of them to this account; link again once they are paid (a few minutes).",
    );
  }
  await tx.db.$executeRaw`UPDATE arena_stakes SET user_id = ${into} WHERE user_id = ${from}`;
  await tx.db.$executeRaw`
    UPDATE arena_stakes s SET participant_id = q.id
    FROM arena_participants p JOIN arena_participants q
      ON q.task_id = p.task_id AND q.role = p.role AND q.user_id = ${into}
    WHERE p.user_id = ${from} AND s.participant_id = p.id`;
  await tx.db.$executeRaw`
    UPDATE arena_participants p SET user_id = ${into}
    WHERE p.user_id = ${from} AND NOT EXISTS (
      SELECT 1 FROM arena_participants q WHERE q.user_id = ${into} AND q.task_id = p.task_id AND q.role = p.role)`;
  // What is left of `from` is a participant emptied into the survivor's; it goes unless it is
  // the record behind a model submitted, a score given or a reward paid.
  await tx.db.$executeRaw`
    DELETE FROM arena_participants p WHERE p.user_id = ${from}
      AND NOT EXISTS (SELECT 1 FROM arena_stakes s WHERE s.participant_id = p.id)
      AND NOT EXISTS (SELECT 1 FROM arena_submissions m WHERE m.participant_id = p.id)
      AND NOT EXISTS (SELECT 1 FROM arena_scores c WHERE c.validator_id = p.id)
      AND NOT EXISTS (SELECT 1 FROM arena_rewards r WHERE r.participant_id = p.id)`;
}
