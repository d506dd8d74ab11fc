// An upload -> what is kept and graded (PreparedDemonstration): parse, label the actions, digest the
// events, describe them for the farmer. CPU-bound (a long session's log is 16 MB of JSON lines), so
// the bot runs it on a worker thread (prepare-thread.ts); it is a plain function for everything else.
import { recordDemonstration } from "./digest.ts";
import { type DemonstrationLimits, parseDemonstration } from "./parse.ts";
import { describeSummary, processDemonstration } from "./process.ts";
import type { PreparedDemonstration, UploadedFile } from "./types.ts";

export function prepareDemonstration(
  files: readonly UploadedFile[],
  limits: DemonstrationLimits,
): PreparedDemonstration {
  const parsed = parseDemonstration(files, limits);
  const processed = processDemonstration(parsed.events, { platform: parsed.meta.platform });
  return {
    demonstration: recordDemonstration(parsed),
    processed,
    summary: describeSummary(processed.summary),
  };
}
