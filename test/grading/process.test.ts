// Raw events -> labelled actions: the real recording (counts checked by reading the log: every input
// event is written twice; 7 left clicks, "coucou" and two Enters, one scroll down through Word, ⌘+Tab),
// and small hand-made logs for what the recording does not show (drags, double clicks, corrections).
import { describe, expect, it } from "vitest";
import { parseDemonstration } from "#src/grading/parse.ts";
import {
  characterOf,
  describeSummary,
  dropRecorderDuplicates,
  processDemonstration,
} from "#src/grading/process.ts";
import type { InputEvent } from "#src/grading/types.ts";
import { fixtureFiles } from "./fixture.ts";

describe("the real recording", () => {
  const parsed = parseDemonstration(fixtureFiles());
  const processed = processDemonstration(parsed.events, { platform: parsed.meta.platform });

  it("drops the recorder's double writes", () => {
    const kept = dropRecorderDuplicates(parsed.events);
    const count = (kind: string) => kept.filter((event) => event.event === kind).length;
    expect(kept).toHaveLength(610);
    expect([count("mousemove"), count("mousedown"), count("mouseup"), count("mousewheel")]).toEqual([
      484, 7, 7, 43,
    ]);
    // 10 presses written twice, and one release the recorder wrote again as a press (⌘ at ...941921).
    expect([count("keydown"), count("keyup")]).toEqual([11, 10]);
    expect([count("ffmpeg_stderr"), count("axtree_interaction")]).toEqual([41, 7]);
  });

  it("labels the actions in order", () => {
    expect(
      processed.actions.map(({ kind, atMs, durationMs, detail }) => [kind, atMs, durationMs, detail]),
    ).toEqual([
      ["click", 1615, 101, "left click"],
      ["click", 2632, 84, "left click"],
      ["type", 3116, 1840, "typed 8 characters"],
      ["click", 6272, 109, "left click"],
      ["click", 6797, 83, "left click"],
      ["scroll", 7439, 338, "scrolled down 1441"],
      ["hotkey", 8284, 0, "⌘+Tab"],
      ["click", 8815, 101, "left click"],
      ["click", 9615, 117, "left click"],
      ["click", 9916, 84, "left click"],
    ]);
    expect(processed.actions[2]!.text).toBe("coucou\n\n");
  });

  it("summarises counts, activity and apps, in words the farmer reads", () => {
    expect(processed.summary).toEqual({
      counts: { click: 7, drag: 0, scroll: 1, type: 1, hotkey: 1 },
      activeMs: 9301,
      idleMs: 699,
      totalMs: 10_000,
      apps: ["Word"],
    });
    expect(describeSummary(processed.summary)).toBe(
      "10 s recorded (9 s active, 1 s idle): 7 clicks, 1 scroll, 1 typing run, 1 shortcut; apps: Word.",
    );
  });
});

describe("hand-made logs", () => {
  const at = (time: number, event: string, data: unknown): InputEvent => ({ event, data, time });
  const key = (time: number, down: boolean, name: string, char = ""): InputEvent =>
    at(time, down ? "keydown" : "keyup", { key: name, actual_char: char });

  it("tells drags from clicks and double clicks", () => {
    const { actions } = processDemonstration([
      at(0, "mousemove", { x: 10, y: 10 }),
      at(100, "mousedown", { button: "Left" }),
      at(150, "mousemove", { x: 200, y: 10 }),
      at(300, "mouseup", { button: "Left" }),
      at(1000, "mousedown", { button: "Left" }),
      at(1050, "mouseup", { button: "Left" }),
      at(1200, "mousedown", { button: "Left" }),
      at(1260, "mouseup", { button: "Left" }),
      at(2000, "mousedown", { button: "Right" }),
      at(2040, "mouseup", { button: "Right" }),
    ]);
    expect(actions.map((action) => [action.kind, action.detail])).toEqual([
      ["drag", "left drag over 190 px"],
      ["click", "left double click"],
      ["click", "right click"],
    ]);
    expect(actions[1]).toMatchObject({ atMs: 1000, durationMs: 260 });
  });

  it("types runs with corrections, splits them on pauses, and names shortcuts off macOS", () => {
    const { actions, summary } = processDemonstration(
      [
        key(0, true, "ShiftLeft"),
        key(10, true, "KeyH"),
        key(20, false, "KeyH"),
        key(30, false, "ShiftLeft"),
        key(100, true, "KeyI", 'UnicodeInfo { name: Some("i"), unicode: [105], is_dead: false }'),
        key(150, false, "KeyI"),
        key(200, true, "KeyX", "x"),
        key(300, true, "Backspace"),
        key(5000, true, "ControlLeft"),
        key(5010, true, "KeyS", "s"),
        key(5020, false, "KeyS"),
        key(5030, false, "ControlLeft"),
        key(6000, true, "Escape"),
        key(12_000, true, "Space"),
      ],
      { platform: "windows" },
    );
    expect(actions.map((action) => [action.kind, action.detail, action.text])).toEqual([
      ["type", "typed 2 characters (1 correction)", "Hi"],
      ["hotkey", "Ctrl+S", undefined],
      ["hotkey", "Escape", undefined],
      ["type", "typed 1 character", " "],
    ]);
    // Gaps over 3 s are idle: 0-300 and 5000-6000 are active.
    expect(summary).toMatchObject({ activeMs: 1300, idleMs: 10_700, totalMs: 12_000 });
  });

  it("ignores a release the recorder wrote again as a press, so ⌘ does not stay held", () => {
    const { actions } = processDemonstration(
      [
        key(0, true, "MetaLeft"),
        key(50, true, "Tab"),
        key(100, false, "MetaLeft"),
        key(100, true, "MetaLeft"),
        key(150, false, "Tab"),
        key(500, true, "KeyA", "a"),
        key(520, false, "KeyA"),
        // A press whose release was lost, then the same key again much later: two characters.
        key(600, true, "KeyB", "b"),
        key(1900, true, "KeyB", "b"),
        key(1950, true, "KeyB", "b"),
      ],
      { platform: "macos" },
    );
    expect(actions.map((action) => [action.kind, action.detail, action.text])).toEqual([
      ["hotkey", "⌘+Tab", undefined],
      ["type", "typed 3 characters", "abb"],
    ]);
  });

  it("groups wheel events into scrolls, and reads the recorder's character text", () => {
    const { actions } = processDemonstration([
      at(0, "mousewheel", { delta: 3 }),
      at(100, "mousewheel", { delta: 4 }),
      at(2000, "mousewheel", { delta: -1 }),
      at(2100, "app_focus", { app_name: "Code" }),
    ]);
    expect(actions.map((action) => action.detail)).toEqual(["scrolled up 7", "scrolled down 1"]);
    expect(characterOf('UnicodeInfo { name: Some("é"), unicode: [233], is_dead: false }')).toBe("é");
    expect(characterOf('UnicodeInfo { name: Some("`"), unicode: [], is_dead: true }')).toBeUndefined();
    expect(characterOf("")).toBeUndefined();
  });

  it("survives nonsense: unknown events, odd data, no events", () => {
    const empty = processDemonstration([]);
    expect(empty.actions).toEqual([]);
    expect(empty.summary).toEqual({
      counts: { click: 0, drag: 0, scroll: 0, type: 0, hotkey: 0 },
      activeMs: 0,
      idleMs: 0,
      totalMs: 0,
      apps: [],
    });
    const odd = processDemonstration([
      at(5, "keydown", { key: "constructor" }),
      at(6, "mouseup", null),
      at(7, "mousemove", [1, 2]),
      at(8, "axtree", { focused_app: { name: "  Figma " } }),
      at(Number.NaN, "keydown", { key: "KeyA" }),
    ]);
    expect(odd.actions.map((action) => [action.kind, action.detail])).toEqual([["hotkey", "constructor"]]);
    expect(odd.summary.apps).toEqual(["Figma"]);
  });
});
