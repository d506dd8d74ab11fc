// Real recordings as the recorder writes them (docs/economy.md section 4): an accessibility-tree capture
// is stamped when it starts and written when it ends, so its line may be earlier than the lines
// before it by up to its duration. Such a log parses and grades like the recording it came from;
// a step back that no capture's duration explains is still refused.
import { describe, expect, it } from "vitest";
import { UserError } from "#src/core/errors.ts";
import { digestEvents, recordDemonstration } from "#src/grading/digest.ts";
import { parseDemonstration } from "#src/grading/parse.ts";
import { processDemonstration } from "#src/grading/process.ts";
import { gradeByRubric } from "#src/grading/rubric.ts";
import { findDisorder } from "#src/grading/timeline.ts";
import type { InputEvent, ParsedDemonstration } from "#src/grading/types.ts";
import { capturesWrittenAtEnd, fixtureFiles, fixtureLogText, text } from "./fixture.ts";

const original = parseDemonstration(fixtureFiles());
const grade = (parsed: ParsedDemonstration) =>
  gradeByRubric({
    demonstration: recordDemonstration(parsed),
    processed: processDemonstration(parsed.events, { platform: parsed.meta.platform }),
    task: {
      title: parsed.meta.quest.title,
      app: parsed.meta.quest.app,
      objectives: parsed.meta.quest.objectives,
    },
  });

function refusal(log: string): UserError {
  try {
    parseDemonstration(fixtureFiles({ log: text(log) }));
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("the log was accepted");
}

describe("captures written when they end", () => {
  it("the real recording carries each capture's duration in its data, in ms", () => {
    const captures = original.events.filter((event) => event.event.startsWith("axtree"));
    expect(captures.map((event) => (event.data as { duration: number }).duration)).toEqual([
      16, 29, 7, 19, 2, 3, 2,
    ]);
  });

  it("are accepted, in the order written, and graded exactly like the recording they come from", () => {
    const { log, stepsBack } = capturesWrittenAtEnd();
    // The constructed log really goes back: every capture is earlier than the line before it.
    expect(stepsBack).toHaveLength(7);
    for (const step of stepsBack) expect(step).toBeGreaterThan(0);
    const parsed = parseDemonstration(fixtureFiles({ log: text(log) }));
    expect(parsed.events).toHaveLength(original.events.length);
    const backwards = parsed.events.filter((event, i) => i > 0 && event.time < parsed.events[i - 1]!.time);
    expect(backwards.map((event) => event.event)).toEqual(Array(7).fill("axtree_interaction"));

    const graded = grade(parsed);
    expect(graded.flags).not.toContain("out_of_order");
    const { reasons: _, ...rest } = graded;
    const { reasons: __, ...expected } = grade(original);
    expect(rest).toEqual(expected);
    expect(graded.score).toBeGreaterThan(0);
  });

  it("are refused when their durations do not explain the step back", () => {
    const error = refusal(capturesWrittenAtEnd({ explained: false }).log);
    expect(error.code).toBe("demo_out_of_order");
    // The first capture (line 352 of the recording, duration 16) is written after the mouseup it
    // preceded (now line 352), 83 ms earlier than it.
    expect(error.message).toBe(
      "input_log.jsonl is out of order: line 353 (time 1759835936206) is earlier than line 352 (time 1759835936289). The log has been edited or merged; upload the recorder's original.",
    );
  });
});

describe("disorder no duration explains", () => {
  const at = (time: number, event = "mousemove", data: unknown = { x: 1, y: 1 }): InputEvent => ({
    event,
    data,
    time,
  });
  const capture = (time: number, duration: unknown) =>
    at(time, "axtree", { duration, focused_app: null, tree: [] });

  it("a capture may go back by its duration, no further", () => {
    expect(findDisorder([at(100), at(120), capture(95, 25), at(121)])).toBeUndefined();
    expect(findDisorder([at(100), at(120), capture(94, 25)])).toEqual({ index: 2, latestIndex: 1 });
  });

  it("the lines after a capture are still compared with the latest time before it", () => {
    expect(findDisorder([at(100), at(120), capture(95, 25), at(110)])).toEqual({
      index: 3,
      latestIndex: 1,
    });
  });

  it("only captures go back: a duration on any other event, or a nonsense one, explains nothing", () => {
    expect(findDisorder([at(100), at(90, "mousedown", { duration: 50 })])).toBeDefined();
    for (const duration of [-20, Number.NaN, "50", null])
      expect(findDisorder([at(100), capture(90, duration)])).toBeDefined();
  });

  it("the recording with its last line moved up is refused, and graded 0 if it got through", () => {
    const lines = fixtureLogText.split("\n").filter((line) => line.trim() !== "");
    lines.splice(10, 0, lines.pop()!);
    expect(refusal(lines.join("\n")).code).toBe("demo_out_of_order");
    const events = lines.map((line) => JSON.parse(line) as InputEvent);
    expect(digestEvents(events).outOfOrder).toBe(true);
    const graded = grade({ ...original, events });
    expect(graded.flags).toContain("out_of_order");
    expect(graded.score).toBe(0);
  });
});
