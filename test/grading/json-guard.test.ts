// Uploaded JSON that would crash what reads or stores it is refused while still text: nesting past 64
// levels (a line nested 5,000 deep overflowed the stack in JSON.stringify), \u0000 (jsonb refuses it)
// and lone surrogates (not Unicode). Checked without recursion, and against a plain reference walk.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UserError } from "#src/core/errors.ts";
import { findJsonHazard, MAX_JSON_DEPTH } from "#src/grading/json-guard.ts";
import { parseDemonstration } from "#src/grading/parse.ts";
import type { UploadedFile } from "#src/grading/types.ts";
import { fixtureFiles, fixtureLogText, fixtureMetaJson, text } from "./fixture.ts";

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const LAST_TIME = 1759835943573;

function refusal(files: UploadedFile[]): UserError {
  try {
    parseDemonstration(files);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("the upload was accepted");
}

/** The real log with one more line at its end (in time order). */
const logWith = (line: string) => text(`${fixtureLogText.trimEnd()}\n${line}\n`);
const lastLine = fixtureLogText.trimEnd().split("\n").length + 1;

describe("findJsonHazard", () => {
  it("passes the real recording, line by line, and its meta.json", () => {
    for (const line of fixtureLogText.split("\n")) expect(findJsonHazard(line)).toBeUndefined();
    expect(findJsonHazard(JSON.stringify(fixtureMetaJson))).toBeUndefined();
  });

  it("counts nesting of arrays and objects, not brackets inside strings", () => {
    expect(findJsonHazard(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(findJsonHazard(nested(MAX_JSON_DEPTH + 1))).toBe("too_deep");
    expect(findJsonHazard(`${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`)).toBe("too_deep");
    expect(findJsonHazard(JSON.stringify({ text: "[".repeat(1_000) }))).toBeUndefined();
    expect(findJsonHazard(JSON.stringify({ text: '\\"[[[' }))).toBeUndefined();
  });

  it("stays flat on a million levels (no recursion), and tells deep noise from deep JSON", () => {
    expect(findJsonHazard(nested(1_000_000))).toBe("too_deep");
    expect(findJsonHazard("[".repeat(1_000_000))).toBe("malformed");
    expect(findJsonHazard(`${nested(100)}"`)).toBe("malformed");
  });

  it("finds \\u0000 escaped or typed, and lone surrogates in keys and values", () => {
    expect(findJsonHazard('{"a":"\\u0000"}')).toBe("nul");
    expect(findJsonHazard('{"\\u0000":1}')).toBe("nul");
    expect(findJsonHazard('["x\u0000"]')).toBe("nul");
    expect(findJsonHazard('["\\ud800"]')).toBe("lone_surrogate");
    expect(findJsonHazard('["\\udc00\\ud800"]')).toBe("lone_surrogate");
    expect(findJsonHazard('["\\ud800x"]')).toBe("lone_surrogate");
    expect(findJsonHazard('["\\ud800\\n"]')).toBe("lone_surrogate");
    expect(findJsonHazard('{"\\udfff":1}')).toBe("lone_surrogate");
    expect(findJsonHazard('["\ud800"]')).toBe("lone_surrogate");
  });

  it("keeps what only looks like a hazard: whole pairs, an escaped backslash before u0000", () => {
    expect(findJsonHazard('["\\ud83d\\ude00", "😀", "\\ud83d\ude00"]')).toBeUndefined();
    expect(findJsonHazard('["\\\\u0000"]')).toBeUndefined();
    expect(findJsonHazard('["\\\\ud800"]')).toBeUndefined();
  });

  it("agrees with a plain walk of the parsed value, for any JSON", () => {
    const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.string({ unit: anyUnit, maxLength: 6 }),
        fc.integer(),
        fc.constant(null),
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(fc.string({ unit: anyUnit, maxLength: 3 }), tie("node"), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 1, max: 6 }), (v, maxDepth) => {
        // Which hazard comes first may differ inside one string; whether there is one may not.
        expect(findJsonHazard(JSON.stringify(v), maxDepth) !== undefined).toBe(
          reference(v, maxDepth) !== undefined,
        );
      }),
      { numRuns: 500 },
    );
  });
});

/** A hazard a plain recursive walk of the value finds, if any. */
function reference(value: unknown, maxDepth: number): string | undefined {
  const badText = (s: string) =>
    s.includes("\u0000")
      ? "nul"
      : /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s)
        ? "lone_surrogate"
        : undefined;
  const walk = (v: unknown, depth: number): string | undefined => {
    if (typeof v === "string") return badText(v);
    if (v === null || typeof v !== "object") return undefined;
    if (depth + 1 > maxDepth) return "too_deep";
    for (const [key, item] of Array.isArray(v) ? v.map((x) => ["", x] as const) : Object.entries(v)) {
      const found = (Array.isArray(v) ? undefined : badText(key)) ?? walk(item, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk(value, 0);
}

describe("uploads carrying such JSON are refused with the line and what to do", () => {
  const cases: Array<[string, string, string]> = [
    ["nested 5,000 deep", `{"event":"keydown","data":${nested(5_000)},"time":${LAST_TIME}}`, "too_deep"],
    [
      "with \\u0000 in a value",
      JSON.stringify({ event: "keydown", data: { key: "\u0000" }, time: LAST_TIME }),
      "nul",
    ],
    [
      "with \\u0000 in a key",
      JSON.stringify({ event: "keydown", data: { "\u0000": 1 }, time: LAST_TIME }),
      "nul",
    ],
    [
      "with a lone surrogate",
      JSON.stringify({ event: "key\udc00", data: null, time: LAST_TIME }),
      "lone_surrogate",
    ],
  ];
  for (const [name, line, hazard] of cases) {
    it(`an input_log.jsonl line ${name}`, () => {
      const error = refusal(fixtureFiles({ log: logWith(line) }));
      expect([error.code, error.details]).toEqual(["demo_bad_log_line", { line: lastLine, hazard }]);
      expect(error.message).toMatch(
        new RegExp(`^input_log.jsonl line ${lastLine} .*Upload the files the recorder wrote, unchanged\\.$`),
      );
    });
  }

  it("a meta.json nested 5,000 deep, or with \\u0000 or a lone surrogate in its title", () => {
    const meta = JSON.stringify(fixtureMetaJson);
    const quest = fixtureMetaJson.quest as object;
    const variants: Array<[string, string]> = [
      [`${meta.slice(0, -1)},"extra":${nested(5_000)}}`, "too_deep"],
      [JSON.stringify({ ...fixtureMetaJson, quest: { ...quest, title: "Cart\u0000" } }), "nul"],
      [JSON.stringify({ ...fixtureMetaJson, quest: { ...quest, title: "Cart\ud83d" } }), "lone_surrogate"],
    ];
    for (const [metaText, hazard] of variants) {
      const error = refusal(fixtureFiles({ meta: text(metaText) }));
      expect([error.code, error.details]).toEqual(["demo_bad_meta", { hazard }]);
      expect(error.message).toMatch(/^meta\.json .*Upload the files the recorder wrote, unchanged\.$/);
    }
  });

  it("a deep line cut short is reported as cut short, at once", () => {
    const started = performance.now();
    const error = refusal(
      fixtureFiles({ log: logWith(`{"event":"keydown","data":${"[".repeat(5_000_000)}`) }),
    );
    expect(error.code).toBe("demo_bad_log_line");
    expect(error.message).toContain("cut short");
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("a log line cut short inside a surrogate pair is still reported as cut short", () => {
    const cut = `{"event":"keydown","data":{"key":"\\ud83d`;
    const error = refusal(fixtureFiles({ log: logWith(cut) }));
    expect(error.code).toBe("demo_bad_log_line");
    expect(error.message).toContain("cut short");
  });
});
