// The order a genuine log is in (docs/economy.md section 4). The recorder writes most events as they
// happen, but stamps an accessibility-tree capture (`axtree`, `axtree_interaction`; the real
// recording carries it as `data.duration`, in ms) when the capture starts and writes it when it
// ends, after whatever happened meanwhile. So a capture's line may be earlier than the lines before
// it by up to its own duration; any other step back is disorder no recorder produces (an edited or
// merged log). Lines are compared with the latest time seen so far, not only the line before: a
// capture going back does not excuse the lines after it from being in order.
import type { InputEvent } from "./types.ts";

const CAPTURE_EVENTS = new Set(["axtree", "axtree_interaction"]);

/** How far before the latest earlier line this event's line may be: its capture's duration, else 0. */
export function allowedStepBackMs(event: Pick<InputEvent, "event" | "data">): number {
  if (!CAPTURE_EVENTS.has(event.event)) return 0;
  const data = event.data;
  if (typeof data !== "object" || data === null) return 0;
  const duration = (data as Record<string, unknown>).duration;
  return typeof duration === "number" && Number.isFinite(duration) && duration > 0 ? duration : 0;
}

/** Where a log first goes back further than its captures' durations explain. */
export interface Disorder {
  /** The index (in the order given) of the line that goes back. */
  index: number;
  /** The index of the earlier line it goes back from: the latest time seen before it. */
  latestIndex: number;
}

/** Follows a log line by line; `step` returns the disorder a line makes, if any. */
export class TimelineCheck {
  #latest = Number.NEGATIVE_INFINITY;
  #latestIndex = -1;
  #index = -1;

  step(event: Pick<InputEvent, "event" | "data" | "time">): Disorder | undefined {
    this.#index++;
    if (event.time < this.#latest - allowedStepBackMs(event))
      return { index: this.#index, latestIndex: this.#latestIndex };
    if (event.time >= this.#latest) {
      this.#latest = event.time;
      this.#latestIndex = this.#index;
    }
    return undefined;
  }
}

/** The first disorder in `events`, or undefined when the log is in the recorder's order. */
export function findDisorder(events: readonly InputEvent[]): Disorder | undefined {
  const check = new TimelineCheck();
  for (const event of events) {
    const disorder = check.step(event);
    if (disorder) return disorder;
  }
  return undefined;
}
