// Opening a training task.
import { UserError } from "#src/core/errors.ts";
import { runOnce } from "#src/core/idempotency.ts";
import {
  type ActionBase,
  type ArenaDeps,
  MAX_DESCRIPTION_LENGTH,
  MAX_TITLE_LENGTH,
  type TaskView,
  toTaskView,
} from "./types.ts";

export async function createTask(
  arena: ArenaDeps,
  request: ActionBase & { title: string; description?: string; factoryId?: number },
): Promise<TaskView> {
  const title = request.title.trim();
  const description = request.description?.trim() || null;
  if (!title)
    throw new UserError("missing_option", 'Give the task a title, e.g. title:"Summarize support tickets".');
  if (title.length > MAX_TITLE_LENGTH)
    throw new UserError("invalid_option", `A title is at most ${MAX_TITLE_LENGTH} characters.`);
  if (description && description.length > MAX_DESCRIPTION_LENGTH)
    throw new UserError("invalid_option", `A description is at most ${MAX_DESCRIPTION_LENGTH} characters.`);
  if (request.factoryId !== undefined && (!Number.isSafeInteger(request.factoryId) || request.factoryId <= 0))
    throw new UserError("invalid_option", "factory: give the number of a factory, e.g. factory:3.");
  const { result } = await arena.db.transaction((tx) =>
    runOnce(
      tx,
      {
        scope: "arena.task.create",
        key: request.key,
        input: { userId: request.actor.userId, title, description, factoryId: request.factoryId ?? null },
      },
      async () => {
        // A task trains on an existing factory's dataset, or on none (FOR SHARE: it is not deleted meanwhile).
        if (request.factoryId !== undefined) {
          const factory = await tx.db.$queryRaw<Array<{ id: number }>>`
            SELECT id FROM factories WHERE id = ${request.factoryId} FOR SHARE`;
          if (factory.length === 0)
            throw new UserError(
              "not_found",
              `There is no factory #${request.factoryId} to train on. /factory list shows them; leave factory: out for a task without one.`,
            );
        }
        const row = await tx.db.arenaTask.create({
          data: {
            creatorId: request.actor.userId,
            title,
            description,
            factoryId: request.factoryId ?? null,
            createdAt: request.now,
          },
        });
        return toTaskView(row);
      },
    ),
  );
  return result;
}
