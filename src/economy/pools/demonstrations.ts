// The demonstration pipeline pools use, built from src/grading: prepare an upload (loose files or a
// zip: parsed, its actions labelled, its events digested, described) on a worker thread, and match
// the recording to a task.

import type { DemonstrationPipeline } from "#src/economy/pools/submission-intake.ts";
import { matchTask } from "#src/grading/match-task.ts";
import type { DemonstrationLimits } from "#src/grading/parse.ts";
import { PrepareThread } from "#src/grading/prepare-thread.ts";

export function demonstrationPipeline(limits: DemonstrationLimits): DemonstrationPipeline {
  const thread = new PrepareThread(limits);
  return {
    prepare: (files) => thread.prepare(files),
    close: () => thread.close(),
    matchTask,
  };
}
