// Option values for fuzzing commands from their specs: for each option type, values a careful user
// would type (so commands get past parsing and reach their services) mixed with what a careless or
// hostile one might: NUL, lone surrogates, injection strings, markup, huge and negative numbers,
// decimals with many places, NaN, absurd lengths, other people's object ids, and uploads whose JSON
// is nested 5,000 deep or carries \u0000.
import fc from "fast-check";
import type { RawOptionValue } from "#src/core/options.ts";
import type { OptionSpec } from "#src/core/spec.ts";
import { fixtureLogText, fixtureMetaJson } from "#test/grading/fixture.ts";

/** Strings that have broken bots before; each stands alone as a value. */
export const HOSTILE_STRINGS = [
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\udc00\ud800",
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  "<b>bold</b><script>alert(1)</script>",
  "&lt;&amp;",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template placeholder typed as text, on purpose.
  "${process.env.DATABASE_URL}",
  "{{constructor}}",
  "__proto__",
  "**bold** _it_ `code` [link](https://example.com) @everyone",
  "||spoiler|| ~~gone~~ > quote",
  "😀👍🏽‍🔥",
  "\u202eevil\u202c",
  "\u200b",
  " ",
  "\t\n\r",
  "null",
  "undefined",
  "NaN",
  "-NaN",
  "Infinity",
  "-Infinity",
  "-0",
  "1e309",
  "0x1F",
  "1_000",
  "٣",
  "１２",
  "9".repeat(400),
  "a".repeat(5_000),
  "é".repeat(70_000),
];

const HUGE_INTEGERS = [
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  -1,
  0,
  Number.NaN,
  1e21,
];

const MANY_PLACES = ["0.1234567890123456789012345678901234567890", "1e-30", "0.00000000000000000001"];

/** Any UTF-16 code unit, NUL and lone surrogates included. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

/** An upload file as a platform delivers it (its bytes are read only when the handler asks). */
export interface UploadValue {
  name: string;
  bytes: Uint8Array;
  /** How it was made, for a failure's report. */
  note: string;
}

const DEEP = 5_000;
const deepArray = `${"[".repeat(DEEP)}${"]".repeat(DEEP)}`;
const deepObject = `${'{"a":'.repeat(DEEP)}1${"}".repeat(DEEP)}`;
const LAST_TIME = 1759835943573;
const encode = (text: string) => new TextEncoder().encode(text);

/** A recording whose meta.json and input_log.jsonl are each sound or damaged in one way. */
export const recordingArb: fc.Arbitrary<UploadValue[]> = fc
  .record({
    id: fc.integer({ min: 1, max: 1_000_000 }),
    meta: fc.constantFrom("sound", "nul title", "surrogate title", "nul id", "deep", "nul key"),
    log: fc.constantFrom(
      "sound",
      "deep array",
      "deep object",
      "nul event",
      "nul data",
      "surrogate data",
      "nul key",
    ),
  })
  .map(({ id, meta, log }) => {
    const quest = fixtureMetaJson.quest as Record<string, unknown>;
    const metaValue: Record<string, unknown> = { ...fixtureMetaJson, id: `fuzz_${id}` };
    if (meta === "nul title") metaValue.quest = { ...quest, title: `${quest.title}\u0000` };
    if (meta === "surrogate title") metaValue.quest = { ...quest, title: `${quest.title}\ud800` };
    if (meta === "nul id") metaValue.id = `fuzz\u0000${id}`;
    if (meta === "nul key") metaValue["\u0000"] = 1;
    let metaText = JSON.stringify(metaValue);
    if (meta === "deep") metaText = `${metaText.slice(0, -1)},"extra":${deepArray}}`;
    const extraLine: Record<string, string> = {
      "deep array": `{"event":"keydown","data":${deepArray},"time":${LAST_TIME}}`,
      "deep object": `{"event":"keydown","data":${deepObject},"time":${LAST_TIME}}`,
      "nul event": JSON.stringify({ event: "key\u0000down", data: null, time: LAST_TIME }),
      "nul data": JSON.stringify({ event: "keydown", data: { key: "\u0000" }, time: LAST_TIME }),
      "surrogate data": JSON.stringify({ event: "keydown", data: { key: "\udc00" }, time: LAST_TIME }),
      "nul key": JSON.stringify({ event: "keydown", data: { "\u0000": "a" }, time: LAST_TIME }),
    };
    const logText = log === "sound" ? fixtureLogText : `${fixtureLogText.trimEnd()}\n${extraLine[log]}\n`;
    return [
      { name: "meta.json", bytes: encode(metaText), note: `${meta} meta.json` },
      { name: "input_log.jsonl", bytes: encode(logText), note: `${log} input_log.jsonl` },
    ];
  });

/** A value a careful user would type for this option (it may still be refused: wrong owner etc.). */
function plausible(spec: OptionSpec, ids: readonly number[]): fc.Arbitrary<RawOptionValue> {
  switch (spec.type) {
    case "string":
      return spec.choices
        ? fc.constantFrom(...spec.choices.map((c) => c.value))
        : fc.oneof(fc.constantFrom("Shopping cart", "task_2", "a; b; c", "*/5 * * * *"), fc.string());
    case "integer":
      return fc.oneof(
        fc.constantFrom(...ids),
        fc.integer({ min: spec.minValue ?? 0, max: spec.maxValue ?? 1000 }),
      );
    case "decimal":
      return fc.constantFrom(spec.minValue ?? "0", spec.maxValue ?? "1", "0.5", "0.25");
    case "boolean":
      return fc.constantFrom("yes", "no", true, false);
    case "amount":
      return fc.constantFrom("1", "0.2", "12.5", "1,000", "1000000", "0.000001");
    case "token":
      return fc.constantFrom("USDC", "CLONES", "usdc");
    case "user":
      return fc.constantFrom("@alice", "@bob", "@cora", "@mod", "alice");
    case "channel":
      return fc.constantFrom("#general", "<#123>", "general");
    case "attachment":
      return fc.constant("file:missing.zip");
  }
}

/** What a careless or hostile user might type for this option. */
function hostile(spec: OptionSpec): fc.Arbitrary<RawOptionValue> {
  const numeric = fc.oneof(
    fc.constantFrom(...HUGE_INTEGERS),
    fc.constantFrom(...HUGE_INTEGERS.map(String), ...MANY_PLACES, "-5", "1.5", "99999999999999999999999"),
  );
  switch (spec.type) {
    case "integer":
    case "decimal":
    case "amount":
      return fc.oneof(numeric, hostileString);
    default:
      return hostileString;
  }
}

export function optionValueArb(spec: OptionSpec, ids: readonly number[]): fc.Arbitrary<RawOptionValue> {
  return fc.oneof({ weight: 3, arbitrary: plausible(spec, ids) }, { weight: 2, arbitrary: hostile(spec) });
}
