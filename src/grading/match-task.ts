// Which of a factory's tasks a recording was made for: the recorder writes the task's reference
// (task_id) when the farmer started from the pool, and always the quest's title. A recording that
// names neither is for another task, and is refused before anything is reserved.
import { UserError } from "../core/errors.ts";
import type { RecordedQuest } from "./types.ts";

export interface MatchableTask {
  /** The task's reference as the recorder writes it into meta.json's quest.task_id. */
  ref: string;
  title: string;
}

/** By task reference, else by the exact quest title (surrounding spaces aside); else UserError. */
export function matchTask<T extends MatchableTask>(quest: RecordedQuest, tasks: readonly T[]): T {
  if (quest.taskRef) {
    const byRef = tasks.find((task) => task.ref === quest.taskRef);
    if (byRef) return byRef;
  }
  const title = quest.title.trim();
  const byTitle = tasks.filter((task) => task.title.trim() === title);
  if (byTitle.length === 1) return byTitle[0]!;
  if (byTitle.length > 1)
    throw new UserError(
      "demo_ambiguous_task",
      `Several tasks of this factory are titled "${title}". Record again from the pool's task so the recording carries the task's id.`,
    );
  throw new UserError(
    "demo_wrong_task",
    `This recording is for another task ("${title}"); this factory's tasks are: ${tasks.map((task) => `"${task.title}"`).join(", ") || "none"}. Record one of them and upload that recording.`,
    { quest: title },
  );
}
