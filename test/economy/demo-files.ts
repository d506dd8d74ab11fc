// Recordings on disk for /submit file:PATH: the real one, variants of it (another recording id, so
// another content hash; another task), and damaged copies. Written under the OS temp directory.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixtureLog, fixtureLogText, fixtureMetaJson, noise } from "#test/grading/fixture.ts";

export const FIXTURE_DIR = new URL("../fixtures/forge-demos/20251007_131852/", import.meta.url).pathname;

const root = mkdtempSync(join(tmpdir(), "forgebot-demos-"));

/** A folder holding meta.json and input_log.jsonl; returns the /submit options that upload it. */
export function writeDemo(
  name: string,
  options: {
    id?: string;
    quest?: Record<string, unknown>;
    log?: string | Uint8Array;
    /** More meta.json fields, e.g. duration_seconds. */
    meta?: Record<string, unknown>;
  } = {},
): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const meta = {
    ...fixtureMetaJson,
    ...options.meta,
    id: options.id ?? name,
    quest: { ...(fixtureMetaJson.quest as object), ...options.quest },
  };
  writeFileSync(join(dir, "meta.json"), JSON.stringify(meta, null, 2));
  writeFileSync(join(dir, "input_log.jsonl"), options.log ?? fixtureLog);
  return filesOf(dir);
}

export const filesOf = (dir: string) =>
  `file:file:${join(dir, "meta.json")} log:file:${join(dir, "input_log.jsonl")}`;

/** The damaged copies of the real recording the issue names, as /submit options. */
export function damagedDemos(): Record<string, { options: string; code: string }> {
  const lines = fixtureLogText.split("\n").filter((l) => l.trim() !== "");
  const reordered = [...lines];
  reordered.splice(10, 0, reordered.pop()!);
  const noisy = join(root, "noise.zip");
  writeFileSync(noisy, noise(10 * 1024 * 1024));
  const notZip = join(root, "honest.zip");
  writeFileSync(notZip, "meta.json and input_log.jsonl, honest");
  return {
    "a truncated line": {
      options: writeDemo("cut", { log: fixtureLog.subarray(0, fixtureLog.length - 20) }),
      code: "demo_bad_log_line",
    },
    "an empty log": { options: writeDemo("empty", { log: "" }), code: "demo_empty_log" },
    "timestamps out of order": {
      options: writeDemo("reordered", { log: reordered.join("\n") }),
      code: "demo_out_of_order",
    },
    "another task": {
      options: writeDemo("other-task", { quest: { title: "Bake bread", task_id: "task_9" } }),
      code: "demo_wrong_task",
    },
    "10 MB of noise": { options: `file:file:${noisy}`, code: "demo_not_zip" },
    "not a zip": { options: `file:file:${notZip}`, code: "demo_not_zip" },
  };
}
