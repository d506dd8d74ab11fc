// A log's events -> what grading needs from them (EventDigest), so a demonstration is kept and
// graded without its raw events: a long session's log is megabytes, its digest a few kilobytes.
import { gatherLogEvidence } from "./evidence.ts";
import { findDisorder } from "./timeline.ts";
import type { DemonstrationRecord, EventDigest, InputEvent, ParsedDemonstration } from "./types.ts";

const INPUT_EVENTS = new Set(["mousemove", "mousedown", "mouseup", "mousewheel", "keydown", "keyup"]);

export function digestEvents(events: readonly InputEvent[]): EventDigest {
  const corrupt = events.some((event) => typeof event.event !== "string" || !Number.isFinite(event.time));
  return {
    eventCount: events.length,
    ...gatherLogEvidence(events),
    longestInputSilenceMs: longestInputSilence(events),
    corrupt,
    outOfOrder: !corrupt && findDisorder(events) !== undefined,
  };
}

/** The parsed upload as it is kept: everything but the events, which are digested. */
export function recordDemonstration(parsed: ParsedDemonstration): DemonstrationRecord {
  const { events, ...rest } = parsed;
  return { ...rest, digest: digestEvents(events) };
}

/** The longest time without any input event (mouse or keyboard), in ms. */
function longestInputSilence(events: readonly InputEvent[]): number {
  let longest = 0;
  let last: number | undefined;
  for (const event of events) {
    if (!INPUT_EVENTS.has(event.event)) continue;
    if (last !== undefined) longest = Math.max(longest, event.time - last);
    last = event.time;
  }
  return longest;
}
