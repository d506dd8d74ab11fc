// The demonstration pipeline pools use, built from src/grading: parse an upload (loose files or a
// zip), process its events into labelled actions, describe them, match the recording to a task.
import { matchTask } from "#src/grading/match-task.ts";
import { type DemonstrationLimits, parseDemonstration } from "#src/grading/parse.ts";
import { describeSummary, processDemonstration } from "#src/grading/process.ts";
import type { DemonstrationPipeline } from "./submissions.ts";

export function demonstrationPipeline(limits: DemonstrationLimits): DemonstrationPipeline {
  return {
    parse: (files) => parseDemonstration(files, limits),
    process: (parsed) => processDemonstration(parsed.events, { platform: parsed.meta.platform }),
    describe: (processed) => describeSummary(processed.summary),
    matchTask,
  };
}
