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
