// Raw recorder events -> labelled actions (click, drag, scroll, type, hotkey) and a summary the farmer
// can check. Shapes as the CLONES recorder writes them (see the fixture in test/fixtures/forge-demos):
//   mousemove {x, y} · mousedown/mouseup {button} · mousewheel {delta} (negative scrolls down)
//   keydown/keyup {key: "KeyC" | "MetaLeft" | "Return" ..., actual_char: 'UnicodeInfo { name: Some("c"), unicode: [99], ... }'}
//   axtree / axtree_interaction {focused_app: {name} | null, tree} · app_focus · ffmpeg_stderr {output}
// The recorder writes most input events twice (same event and data, 0-1 ms apart); the copies are
// dropped first. Anything unexpected in an event's data is ignored rather than trusted.
import type {
  ActionKind,
  ActionSummary,
  InputEvent,
  LabelledAction,
  ProcessedDemonstration,
} from "./types.ts";

/** Two identical input events this close together are the recorder's double write, not two inputs. */
const DUPLICATE_WINDOW_MS = 2;
/** The pointer moving less than this between press and release is a click, more is a drag. */
const DRAG_DISTANCE = 8;
/** A second click this soon after the first, at the same place, makes a double click. */
const DOUBLE_CLICK_MS = 500;
/** Wheel events closer than this are one scroll. */
const SCROLL_GAP_MS = 500;
/** A key pressed again within this while held is auto-repeat, not a new press. */
const REPEAT_WINDOW_MS = 1000;
/** Keys closer than this are one typing run. */
const TYPING_GAP_MS = 2000;
/** No input for longer than this is idle time. */
export const IDLE_GAP_MS = 3000;

const INPUT_EVENTS = new Set(["mousemove", "mousedown", "mouseup", "mousewheel", "keydown", "keyup"]);

export interface ProcessOptions {
  /** meta.json's platform: "macos" names modifiers ⌘ ⌥ ⌃ ⇧, others Ctrl, Alt, Shift, Meta. */
  platform?: string;
}

export function processDemonstration(
  rawEvents: readonly InputEvent[],
  options: ProcessOptions = {},
): ProcessedDemonstration {
  const events = dropRecorderDuplicates(rawEvents.filter((event) => Number.isFinite(event.time)));
  // A loop, not Math.min(...times): an hour's log has more events than a call has arguments.
  let start = events.length ? Number.POSITIVE_INFINITY : 0;
  let end = events.length ? Number.NEGATIVE_INFINITY : 0;
  for (const { time } of events) {
    start = Math.min(start, time);
    end = Math.max(end, time);
  }
  const builder = new ActionBuilder(start, options.platform === "macos");
  const apps: string[] = [];
  let activeMs = 0;
  let lastInput: number | undefined;

  for (const event of events) {
    if (INPUT_EVENTS.has(event.event)) {
      if (lastInput !== undefined) {
        const gap = event.time - lastInput;
        if (gap > 0 && gap <= IDLE_GAP_MS) activeMs += gap;
      }
      lastInput = event.time;
    }
    const data = record(event.data);
    switch (event.event) {
      case "mousemove":
        builder.move(num(data.x), num(data.y));
        break;
      case "mousedown":
        builder.press(String(data.button ?? "Left"), event.time);
        break;
      case "mouseup":
        builder.release(String(data.button ?? "Left"), event.time);
        break;
      case "mousewheel":
        builder.wheel(num(data.delta) ?? num(data.delta_y) ?? num(data.deltaY) ?? 0, event.time);
        break;
      case "keydown":
        builder.keyDown(String(data.key ?? ""), characterOf(data.actual_char), event.time);
        break;
      case "keyup":
        builder.keyUp(String(data.key ?? ""), event.time);
        break;
      default: {
        const app = focusedApp(event.event, data);
        if (app && !apps.includes(app)) apps.push(app);
      }
    }
  }
  const actions = builder.finish();
  const totalMs = end - start;
  activeMs = Math.min(activeMs, totalMs);
  const counts: Record<ActionKind, number> = { click: 0, drag: 0, scroll: 0, type: 0, hotkey: 0 };
  for (const action of actions) counts[action.kind]++;
  const summary: ActionSummary = { counts, activeMs, idleMs: totalMs - activeMs, totalMs, apps };
  return { actions, summary };
}

/** The short text a farmer reads before the upload is graded. */
export function describeSummary(summary: ActionSummary): string {
  const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
  const counted = (["click", "drag", "scroll", "type", "hotkey"] as const)
    .filter((kind) => summary.counts[kind] > 0)
    .map((kind) => `${summary.counts[kind]} ${plural(kind, summary.counts[kind])}`);
  const actions = counted.length ? counted.join(", ") : "no actions";
  const apps = summary.apps.length ? `; apps: ${summary.apps.join(", ")}` : "";
  return `${seconds(summary.totalMs)} recorded (${seconds(summary.activeMs)} active, ${seconds(summary.idleMs)} idle): ${actions}${apps}.`;
}

function plural(kind: ActionKind, count: number): string {
  const words: Record<ActionKind, [string, string]> = {
    click: ["click", "clicks"],
    drag: ["drag", "drags"],
    scroll: ["scroll", "scrolls"],
    type: ["typing run", "typing runs"],
    hotkey: ["shortcut", "shortcuts"],
  };
  return words[kind][count === 1 ? 0 : 1];
}

/** Drops the second copy of an input event written twice within DUPLICATE_WINDOW_MS. */
export function dropRecorderDuplicates(events: readonly InputEvent[]): InputEvent[] {
  const lastSeen = new Map<string, number>();
  const kept: InputEvent[] = [];
  for (const event of events) {
    if (!INPUT_EVENTS.has(event.event)) {
      kept.push(event);
      continue;
    }
    const key = `${event.event}\u0000${JSON.stringify(event.data) ?? ""}`;
    const seen = lastSeen.get(key);
    if (seen !== undefined && Math.abs(event.time - seen) <= DUPLICATE_WINDOW_MS) continue;
    lastSeen.set(key, event.time);
    kept.push(event);
  }
  return kept;
}

// Maps, not object literals: a key named "constructor" must not find Object's.
const MODIFIERS = new Map<string, "meta" | "control" | "alt" | "shift">([
  ["MetaLeft", "meta"],
  ["MetaRight", "meta"],
  ["Meta", "meta"],
  ["ControlLeft", "control"],
  ["ControlRight", "control"],
  ["Control", "control"],
  ["Alt", "alt"],
  ["AltLeft", "alt"],
  ["AltRight", "alt"],
  ["AltGr", "alt"],
  ["ShiftLeft", "shift"],
  ["ShiftRight", "shift"],
  ["Shift", "shift"],
]);
const MODIFIER_ORDER = ["control", "alt", "shift", "meta"] as const;
const MAC_SYMBOLS = { control: "⌃", alt: "⌥", shift: "⇧", meta: "⌘" };
const OTHER_NAMES = { control: "Ctrl", alt: "Alt", shift: "Shift", meta: "Meta" };
/** Keys that edit text: part of a typing run. */
const EDITING_KEYS = new Map([
  ["Return", "\n"],
  ["Enter", "\n"],
  ["Tab", "\t"],
  ["Space", " "],
]);
const BACKSPACE = new Set(["Backspace", "Delete"]);

class ActionBuilder {
  readonly #actions: LabelledAction[] = [];
  #x: number | undefined;
  #y: number | undefined;
  readonly #pressed = new Map<string, { at: number; x?: number; y?: number; farthest: number }>();
  #lastClick: { action: LabelledAction; downAt: number; x?: number; y?: number } | undefined;
  #scroll: { action: LabelledAction; lastAt: number; sum: number } | undefined;
  #typing: { action: LabelledAction & { text: string }; lastAt: number; corrections: number } | undefined;
  /** Keys down, with the time of their last press. */
  readonly #held = new Map<string, number>();
  readonly #releasedAt = new Map<string, number>();

  constructor(
    private readonly start: number,
    private readonly mac: boolean,
  ) {}

  move(x: number | undefined, y: number | undefined): void {
    if (x === undefined || y === undefined) return;
    this.#x = x;
    this.#y = y;
    for (const press of this.#pressed.values()) {
      if (press.x === undefined || press.y === undefined) continue;
      press.farthest = Math.max(press.farthest, Math.hypot(x - press.x, y - press.y));
    }
  }

  press(button: string, at: number): void {
    if (this.#pressed.has(button)) return;
    this.#pressed.set(button, {
      at,
      ...(this.#x !== undefined && this.#y !== undefined ? { x: this.#x, y: this.#y } : {}),
      farthest: 0,
    });
  }

  release(button: string, at: number): void {
    const press = this.#pressed.get(button);
    if (!press) return;
    this.#pressed.delete(button);
    this.closeRuns();
    const which = button.toLowerCase();
    if (press.farthest >= DRAG_DISTANCE) {
      this.#lastClick = undefined;
      this.push("drag", press.at, at, `${which} drag over ${Math.round(press.farthest)} px`);
      return;
    }
    const last = this.#lastClick;
    if (
      last &&
      press.at - last.downAt <= DOUBLE_CLICK_MS &&
      last.action.detail === `${which} click` &&
      distance(last, press) < DRAG_DISTANCE
    ) {
      last.action.detail = `${which} double click`;
      last.action.durationMs = Math.max(0, at - this.start - last.action.atMs);
      this.#lastClick = undefined;
      return;
    }
    const action = this.push("click", press.at, at, `${which} click`);
    this.#lastClick = { action, downAt: press.at, ...pointOf(press) };
  }

  wheel(delta: number, at: number): void {
    this.closeTyping();
    this.#lastClick = undefined;
    const scroll = this.#scroll;
    if (scroll && at - scroll.lastAt <= SCROLL_GAP_MS) {
      scroll.sum += delta;
      scroll.lastAt = at;
      scroll.action.durationMs = Math.max(0, at - this.start - scroll.action.atMs);
    } else {
      const action = this.push("scroll", at, at, "");
      this.#scroll = { action, lastAt: at, sum: delta };
    }
    const { sum, action } = this.#scroll!;
    action.detail =
      sum === 0 ? "scrolled" : `scrolled ${sum < 0 ? "down" : "up"} ${Math.round(Math.abs(sum))}`;
  }

  keyDown(key: string, character: string | undefined, at: number): void {
    // The recorder sometimes writes a release's second copy as a press (⌘ in the fixture, at the
    // same millisecond as its release): taken as a press, ⌘ would stay held and turn all later
    // typing into shortcuts.
    const released = this.#releasedAt.get(key);
    if (released !== undefined && at - released <= DUPLICATE_WINDOW_MS) return;
    const held = this.#held.get(key);
    this.#held.set(key, at);
    // Auto-repeat (presses every few tens of ms) is one press; a press long after the last one is a
    // new press whose release was lost.
    if (held !== undefined && (MODIFIERS.has(key) || at - held <= REPEAT_WINDOW_MS)) return;
    if (MODIFIERS.has(key)) return;
    const modifiers = new Set([...this.#held.keys()].map((down) => MODIFIERS.get(down)).filter(Boolean));
    const command = modifiers.has("meta") || modifiers.has("control") || modifiers.has("alt");
    const text =
      EDITING_KEYS.get(key) ??
      (isPrintable(character) ? character : fromKeyName(key, modifiers.has("shift")));
    if (!command && (text !== undefined || BACKSPACE.has(key))) {
      this.type(text, at);
      return;
    }
    this.closeRuns();
    this.#lastClick = undefined;
    const names = this.mac ? MAC_SYMBOLS : OTHER_NAMES;
    const combo = MODIFIER_ORDER.filter((modifier) => modifiers.has(modifier)).map(
      (modifier) => names[modifier],
    );
    combo.push(keyLabel(key));
    this.push("hotkey", at, at, combo.join("+"));
  }

  keyUp(key: string, at: number): void {
    this.#held.delete(key);
    this.#releasedAt.set(key, at);
  }

  finish(): LabelledAction[] {
    this.closeRuns();
    return this.#actions;
  }

  private type(text: string | undefined, at: number): void {
    this.#scroll = undefined;
    this.#lastClick = undefined;
    let typing = this.#typing;
    if (!typing || at - typing.lastAt > TYPING_GAP_MS) {
      this.closeTyping();
      const action = this.push("type", at, at, "") as LabelledAction & { text: string };
      action.text = "";
      typing = { action, lastAt: at, corrections: 0 };
      this.#typing = typing;
    }
    if (text === undefined) {
      typing.corrections++;
      typing.action.text = typing.action.text.slice(0, -1);
    } else typing.action.text += text;
    typing.lastAt = at;
    typing.action.durationMs = Math.max(0, at - this.start - typing.action.atMs);
    const length = [...typing.action.text].length;
    typing.action.detail = `typed ${length} character${length === 1 ? "" : "s"}${
      typing.corrections ? ` (${typing.corrections} correction${typing.corrections === 1 ? "" : "s"})` : ""
    }`;
  }

  private closeTyping(): void {
    this.#typing = undefined;
  }

  private closeRuns(): void {
    this.#typing = undefined;
    this.#scroll = undefined;
  }

  private push(kind: ActionKind, from: number, to: number, detail: string): LabelledAction {
    const action: LabelledAction = {
      kind,
      atMs: from - this.start,
      durationMs: Math.max(0, to - from),
      detail,
    };
    this.#actions.push(action);
    return action;
  }
}

function pointOf(press: { x?: number; y?: number }): { x?: number; y?: number } {
  return press.x !== undefined && press.y !== undefined ? { x: press.x, y: press.y } : {};
}

function distance(a: { x?: number; y?: number }, b: { x?: number; y?: number }): number {
  if (a.x === undefined || a.y === undefined || b.x === undefined || b.y === undefined) return 0;
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function record(data: unknown): Record<string, unknown> {
  return typeof data === "object" && data !== null && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : {};
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function isPrintable(character: string | undefined): character is string {
  if (character === undefined || [...character].length !== 1) return false;
  const code = character.codePointAt(0)!;
  return code >= 0x20 && code !== 0x7f;
}

/**
 * The character a key produced. The recorder writes either the character itself or rdev's debug
 * text: `UnicodeInfo { name: Some("c"), unicode: [99], is_dead: false }` (empty on key release).
 */
export function characterOf(actual: unknown): string | undefined {
  if (typeof actual !== "string" || actual === "") return undefined;
  if (!actual.startsWith("UnicodeInfo")) return actual;
  if (/is_dead: true/.test(actual)) return undefined;
  const codes = /unicode: \[([\d, ]*)\]/.exec(actual)?.[1];
  if (codes) {
    const points = codes
      .split(",")
      .map((code) => Number(code.trim()))
      .filter((code) => Number.isInteger(code) && code > 0 && code <= 0x10ffff);
    if (points.length) return String.fromCodePoint(...points);
  }
  const name = /name: Some\("((?:[^"\\]|\\.)*)"\)/.exec(actual)?.[1];
  if (name === undefined) return undefined;
  try {
    return JSON.parse(`"${name}"`) as string;
  } catch {
    return name;
  }
}

function fromKeyName(key: string, shift: boolean): string | undefined {
  const letter = /^Key([A-Z])$/.exec(key)?.[1];
  if (letter) return shift ? letter : letter.toLowerCase();
  const digit = /^(?:Num|Digit|Numpad)(\d)$/.exec(key)?.[1];
  return digit;
}

function keyLabel(key: string): string {
  const letter = /^Key([A-Z])$/.exec(key)?.[1];
  if (letter) return letter;
  const digit = /^(?:Num|Digit|Numpad)(\d)$/.exec(key)?.[1];
  if (digit) return digit;
  if (key === "Return") return "Enter";
  return key || "?";
}

/** The app an app_focus / axtree event says is in front, if it names one. */
function focusedApp(event: string, data: Record<string, unknown>): string | undefined {
  if (event !== "app_focus" && event !== "axtree" && event !== "axtree_interaction") return undefined;
  const candidates = [record(data.focused_app).name, data.app_name, data.name, record(data.app).name];
  const name = candidates.find((value): value is string => typeof value === "string" && value.trim() !== "");
  return name?.trim();
}
