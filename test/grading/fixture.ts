// The real recording (test/fixtures/forge-demos, read-only) and helpers to make damaged copies.
import { readFileSync } from "node:fs";
import type { UploadedFile } from "#src/grading/types.ts";

const folder = new URL("../fixtures/forge-demos/20251007_131852/", import.meta.url);

export const fixtureMeta = new Uint8Array(readFileSync(new URL("meta.json", folder)));
export const fixtureLog = new Uint8Array(readFileSync(new URL("input_log.jsonl", folder)));
export const fixtureLogText = new TextDecoder().decode(fixtureLog);
export const fixtureMetaJson = JSON.parse(new TextDecoder().decode(fixtureMeta)) as Record<string, unknown>;

export const text = (value: string) => new TextEncoder().encode(value);

/** The recording as the recorder left it: meta.json and input_log.jsonl. */
export function fixtureFiles(overrides: { meta?: Uint8Array; log?: Uint8Array } = {}): UploadedFile[] {
  return [
    { name: "meta.json", bytes: overrides.meta ?? fixtureMeta },
    { name: "input_log.jsonl", bytes: overrides.log ?? fixtureLog },
  ];
}

/** Deterministic noise (a linear congruential generator), so failures reproduce. */
export function noise(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/**
 * The real recording as the recorder writes a capture that outlasts the next event (docs/economy.md
 * section 4): each accessibility-tree capture (`axtree_interaction`, its `duration` in its data, ms)
 * is stamped when it starts, at the event that triggered it (the line before it), and written when
 * it ends, just after the next event, so its line comes after that event's and is earlier than it.
 * Its duration runs from start to end, which explains the step back; with `explained: false` the
 * captures keep the durations the real recording gives them, too short to explain it.
 */
export function capturesWrittenAtEnd({ explained = true } = {}): { log: string; stepsBack: number[] } {
  type Line = { event: string; data: Record<string, unknown>; time: number };
  const lines = fixtureLogText
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Line);
  const out: Line[] = [];
  const stepsBack: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const next = lines[i + 1];
    if (line.event !== "axtree_interaction" || !next || i === 0) {
      out.push(line);
      continue;
    }
    const start = lines[i - 1]!.time;
    const end = next.time + 1;
    out.push(next, {
      ...line,
      time: start,
      data: { ...line.data, duration: explained ? end - start : line.data.duration },
    });
    stepsBack.push(next.time - start);
    i++;
  }
  return { log: `${out.map((line) => JSON.stringify(line)).join("\n")}\n`, stepsBack };
}
