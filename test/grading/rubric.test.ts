// The built-in quality agent on the real recording: an exact, explained, repeatable grade; a task the
// recording does show scores higher; junk scores 0 with its flag.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { recordDemonstration } from "#src/grading/digest.ts";
import { parseDemonstration } from "#src/grading/parse.ts";
import { processDemonstration } from "#src/grading/process.ts";
import { gradeByRubric, RubricGrader } from "#src/grading/rubric.ts";
import type {
  DemonstrationMeta,
  GradingInput,
  InputEvent,
  ParsedDemonstration,
  TaskBrief,
} from "#src/grading/types.ts";
import { fixtureFiles } from "./fixture.ts";

const parsed = parseDemonstration(fixtureFiles());
const record = recordDemonstration(parsed);
const processed = processDemonstration(parsed.events, { platform: "macos" });
const questTask: TaskBrief = {
  title: parsed.meta.quest.title,
  app: parsed.meta.quest.app,
  objectives: parsed.meta.quest.objectives,
};

function inputFor(events: InputEvent[], task: TaskBrief = questTask, durationSeconds = 11): GradingInput {
  const demonstration: ParsedDemonstration = {
    ...parsed,
    meta: { ...parsed.meta, durationSeconds },
    events,
  };
  return { demonstration: recordDemonstration(demonstration), processed: processDemonstration(events), task };
}

describe("the real recording", () => {
  it("gets an exact grade with a breakdown and reasons, the same every time", async () => {
    const grader = new RubricGrader();
    const first = await grader.grade({ demonstration: record, processed, task: questTask });
    const second = await grader.grade({
      demonstration: recordDemonstration(parseDemonstration(fixtureFiles())),
      processed: processDemonstration(parsed.events, { platform: "macos" }),
      task: questTask,
    });
    expect(second).toEqual(first);
    expect(first).toEqual({
      kind: "graded",
      grade: {
        score: 37,
        breakdown: { outcome: 0, process: 28, efficiency: 9 },
        reasons: [
          "Outcome 0/60: Flutter E-Commerce never appears (the recording shows Word, Docker Desktop, Finder, Microsoft Word, MongoDB Compass, Telegram); 0 of 4 objectives addressed, 0% of their keywords found on screen or in typed text.",
          "Process 28/30: active 93% of the time (13/15); 10 actions for 5 expected (10/10); timeline 5/5 (the log's length agrees with meta.json).",
          "Efficiency 9/10: 10 s recorded (5/5); 84% of it between the first and the last action (4/5).",
        ],
        flags: [],
        grader: "rubric",
        summary: "37/100 from the built-in rubric: outcome 0/60, process 28/30, efficiency 9/10.",
      },
    });
  });

  it("scores a task it does show higher, on the evidence of apps and typed text", () => {
    const grade = gradeByRubric({
      demonstration: record,
      processed,
      task: {
        title: "Greet a colleague",
        app: "Microsoft Word",
        objectives: ["Type a greeting (coucou)", "Switch to Telegram"],
      },
    });
    // App 15 + objectives: "coucou" 1 of 3 keywords, "telegram" 1 of 2 -> floor(45 * (1/3 + 1/2) / 2) = 18.
    expect(grade.breakdown).toEqual({ outcome: 33, process: 28, efficiency: 9 });
    expect(grade.score).toBe(70);
    expect(grade.reasons[0]).toContain("Microsoft Word is in evidence");
    expect(grade.reasons[0]).toContain("1 of 2 objectives addressed");
  });

  it("loses timeline points when meta.json's duration disagrees with the log", () => {
    const grade = gradeByRubric(inputFor(parsed.events, questTask, 60));
    expect(grade.breakdown.process).toBe(25);
    expect(grade.reasons[1]).toContain("the log spans 10 s but meta.json says 60 s");
  });
});

describe("junk", () => {
  const at = (time: number, event: string, data: unknown = {}): InputEvent => ({ event, data, time });

  it("no actions: empty, 0", () => {
    const moves = Array.from({ length: 50 }, (_, i) => at(i * 200, "mousemove", { x: i, y: i }));
    const grade = gradeByRubric(inputFor([at(0, "ffmpeg_stderr", { output: "x" }), ...moves]));
    expect(grade).toMatchObject({ score: 0, breakdown: { outcome: 0, process: 0, efficiency: 0 } });
    expect(grade.flags).toEqual(["empty"]);
    expect(grade.summary).toBe("0/100 from the built-in rubric: empty.");
    expect(grade.reasons).toEqual([
      "The recording holds no actions (no clicks, drags, scrolls, typing or shortcuts).",
    ]);
  });

  it("timestamps going backwards, or unusable: out_of_order / corrupt, 0", () => {
    const clicks = [at(5000, "mousedown", { button: "Left" }), at(5100, "mouseup", { button: "Left" })];
    const backwards = gradeByRubric(inputFor([at(9000, "mousemove", { x: 1, y: 1 }), ...clicks]));
    expect(backwards.score).toBe(0);
    expect(backwards.flags).toContain("out_of_order");
    const corrupt = gradeByRubric(inputFor([...clicks, at(Number.NaN, "keydown", { key: "KeyA" })]));
    expect(corrupt.score).toBe(0);
    expect(corrupt.flags).toContain("corrupt");
  });

  it("too short and mostly idle: flagged, and points lost", () => {
    const short = gradeByRubric(
      inputFor(
        [
          at(0, "mousedown", { button: "Left" }),
          at(80, "mouseup", { button: "Left" }),
          at(2000, "keydown", { key: "KeyA", actual_char: "a" }),
        ],
        questTask,
        2,
      ),
    );
    expect(short.flags).toEqual(["too_short"]);
    // Pace: 2 s of the 10 s a real session takes earns 1 of 5.
    expect(short.breakdown.efficiency).toBe(6);
    expect(short.reasons[2]).toContain("2 s recorded (1/5)");
    expect(short.reasons.at(-1)).toBe("Flagged too_short: under 5 seconds of recording.");
    const idle = gradeByRubric(
      inputFor(
        [
          at(0, "mousedown", { button: "Left" }),
          at(80, "mouseup", { button: "Left" }),
          at(120_000, "mousedown", { button: "Left" }),
          at(120_100, "mouseup", { button: "Left" }),
        ],
        questTask,
        120,
      ),
    );
    expect(idle.flags).toEqual(["idle"]);
    expect(idle.breakdown.process).toBeLessThanOrEqual(3);
    expect(idle.reasons.at(-1)).toBe("Flagged idle: more than 80% of the recording has no input.");
  });
});

describe("properties", () => {
  const eventNames = fc.constantFrom(
    "mousemove",
    "mousedown",
    "mouseup",
    "mousewheel",
    "keydown",
    "keyup",
    "axtree",
    "axtree_interaction",
    "app_focus",
    "ffmpeg_stderr",
    "something_else",
  );
  const data = fc.oneof(
    fc.record({ x: fc.double(), y: fc.double() }),
    fc.record({ button: fc.constantFrom("Left", "Right", "Middle") }),
    fc.record({ delta: fc.oneof(fc.double(), fc.integer({ min: -100, max: 100 })) }),
    fc.record({
      key: fc.constantFrom(
        "KeyA",
        "KeyB",
        "MetaLeft",
        "ControlLeft",
        "ShiftLeft",
        "Return",
        "Backspace",
        "Tab",
        "F5",
      ),
      actual_char: fc.oneof(fc.constant(""), fc.string({ maxLength: 3 })),
    }),
    fc.record({
      focused_app: fc.option(fc.record({ name: fc.string({ maxLength: 12 }) })),
      tree: fc.array(fc.record({ name: fc.string({ maxLength: 12 }), role: fc.constant("application") }), {
        maxLength: 3,
      }),
    }),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const time = fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0, max: 3_600_000 }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1e15) },
  );
  const event = fc.record({ event: eventNames, data, time });
  const log = fc.oneof(
    fc.array(event, { maxLength: 200 }),
    // Mostly well-formed logs: sorted times, so the interesting scores (not only junk) are reached.
    fc
      .array(fc.record({ event: eventNames, data, time: fc.integer({ min: 0, max: 600_000 }) }), {
        maxLength: 200,
      })
      .map((events) => [...events].sort((a, b) => a.time - b.time)),
  );
  const task = fc.record({
    title: fc.string({ maxLength: 30 }),
    app: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("Word", "Telegram", "")),
    objectives: fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("Type a, b", "Open Word")), {
      maxLength: 4,
    }),
  });

  it("the rubric is an integer 0..100 whose breakdown sums to it, within its weights, the same twice", () => {
    fc.assert(
      fc.property(
        log,
        task,
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (events, brief, durationSeconds) => {
          const meta: DemonstrationMeta = { ...parsed.meta, durationSeconds };
          const input: GradingInput = {
            demonstration: recordDemonstration({ ...parsed, meta, events }),
            processed: processDemonstration(events),
            task: brief,
          };
          const grade = gradeByRubric(input);
          const { outcome, process, efficiency } = grade.breakdown;
          expect(Number.isInteger(grade.score)).toBe(true);
          expect(grade.score).toBeGreaterThanOrEqual(0);
          expect(grade.score).toBeLessThanOrEqual(100);
          expect(outcome + process + efficiency).toBe(grade.score);
          for (const [part, max] of [
            [outcome, 60],
            [process, 30],
            [efficiency, 10],
          ] as const) {
            expect(Number.isInteger(part) && part >= 0 && part <= max).toBe(true);
          }
          expect(gradeByRubric(input)).toEqual(grade);
        },
      ),
      { numRuns: 400 },
    );
  });
});
