// The shared option parser refuses, for every command at once, text the database cannot keep (NUL,
// lone surrogates), absurd lengths, and integers outside the 32-bit columns they land in, each with
// a stable code and a message that says what to write instead. The registry refuses integer options
// declared past 32 bits when the bot starts.
import { describe, expect, it } from "vitest";
import { UserError } from "#src/core/errors.ts";
import { type OptionResolvers, parseOptions, type RawOptionValue } from "#src/core/options.ts";
import { CommandRegistry } from "#src/core/registry.ts";
import { cleanText, textProblem } from "#src/core/safe-text.ts";
import { commandBuilders, type Options } from "#src/core/spec.ts";

/** Resolvers that must not be reached: every refusal here happens before any lookup. */
const unreachable = new Proxy({} as OptionResolvers, {
  get(_target, name) {
    throw new Error(`the parser looked up ${String(name)} for a value it should have refused`);
  },
});

async function refusal(spec: Options, raw: Record<string, RawOptionValue>): Promise<UserError> {
  const error = await parseOptions(spec, raw, unreachable).then(
    () => new Error("accepted"),
    (e: unknown) => e,
  );
  if (!(error instanceof UserError)) throw error;
  return error;
}

const ALL_TYPES: Options = {
  text: { type: "string", description: "Free text", maxLength: 100 },
  choice: { type: "string", description: "A choice", choices: [{ name: "a", value: "a" }] },
  count: { type: "integer", description: "A count" },
  ratio: { type: "decimal", description: "A ratio" },
  flag: { type: "boolean", description: "A flag" },
  amount: { type: "amount", description: "Money" },
  token: { type: "token", description: "A token" },
  member: { type: "user", description: "A member" },
  place: { type: "channel", description: "A channel" },
  file: { type: "attachment", description: "A file", maxBytes: 10 },
};

describe("text no service should see", () => {
  for (const name of Object.keys(ALL_TYPES)) {
    it(`refuses NUL and lone surrogates in ${name} (${ALL_TYPES[name]!.type}) before any lookup`, async () => {
      for (const [value, problem] of [
        ["a\u0000b", "nul"],
        ["\ud800", "lone_surrogate"],
        ["x\udc00", "lone_surrogate"],
      ] as const) {
        const error = await refusal(ALL_TYPES, { [name]: value });
        expect([error.code, error.details]).toEqual(["invalid_text", { option: name, problem }]);
        expect(error.message).toMatch(
          problem === "nul" ? /^\w+: .*NUL character.*remove it/ : /^\w+: .*broken character.*type/,
        );
      }
    });
  }

  it("checks the names a platform gives inside a member, a channel or a file", async () => {
    const member = await refusal(ALL_TYPES, { member: { kind: "user", username: "bad\u0000name" } });
    const place = await refusal(ALL_TYPES, { place: { kind: "channel", id: "1", name: "\udfff" } });
    const file = await refusal(ALL_TYPES, {
      file: { kind: "attachment", name: "a\u0000.zip", sizeBytes: 1, read: async () => new Uint8Array(1) },
    });
    expect([member.code, place.code, file.code]).toEqual(["invalid_text", "invalid_text", "invalid_text"]);
  });

  it("keeps whole emoji and other scripts", async () => {
    const args = await parseOptions(ALL_TYPES, { text: "Grüße 😀👍🏽 日本", choice: "a" }, unreachable);
    expect(args).toEqual({ text: "Grüße 😀👍🏽 日本", choice: "a" });
    expect(textProblem("😀")).toBeUndefined();
    expect(textProblem("😀".slice(0, 1))).toBe("lone_surrogate");
  });

  it("refuses absurd lengths: free text past its limit (4000 without one), typed values past 200", async () => {
    const free = await refusal(
      { note: { type: "string", description: "A note" } },
      { note: "é".repeat(70_000) },
    );
    expect([free.code, free.message]).toEqual([
      "invalid_option",
      "note: write at most 4000 characters (this is 70000).",
    ]);
    for (const name of ["choice", "count", "ratio", "amount", "token", "member", "place"]) {
      const long = await refusal(ALL_TYPES, { [name]: "9".repeat(201) });
      expect([long.code, long.message], name).toEqual([
        "invalid_option",
        `${name}: write at most 200 characters (this is 201).`,
      ]);
    }
  });
});

describe("integers fit their 32-bit columns", () => {
  const id = { factory: { type: "integer", description: "A factory", minValue: 1 } } as const;

  it("refuses 2,147,483,648 and beyond, and below -2,147,483,648, saying the limit", async () => {
    for (const value of ["2147483648", "9007199254740993", "99999999999999999999", 2 ** 31, 2 ** 53]) {
      const error = await refusal(id, { factory: value });
      expect([error.code, error.message]).toEqual([
        "invalid_option",
        "factory: the largest allowed is 2147483647.",
      ]);
    }
    const low = await refusal({ n: { type: "integer", description: "Any" } }, { n: "-2147483649" });
    expect(low.message).toBe("n: the smallest allowed is -2147483648.");
    expect(await parseOptions(id, { factory: "2147483647" }, unreachable)).toEqual({ factory: 2147483647 });
  });

  it("refuses NaN, decimals and exponents as whole numbers", async () => {
    for (const value of ["NaN", Number.NaN, "1.5", "1e3", 1e21, "0x10"]) {
      expect((await refusal(id, { factory: value })).code).toBe("invalid_option");
    }
  });

  it("refuses at start-up an integer option declared past 32 bits", () => {
    const { command } = commandBuilders();
    const wide = command({
      name: "wide",
      description: "Too wide",
      options: { n: { type: "integer", description: "N", maxValue: 2 ** 40 } },
      handler: () => ({ text: "" }),
    });
    expect(() => new CommandRegistry([wide])).toThrow(/reaches past 32 bits/);
  });
});

describe("names the platforms give", () => {
  it("are cleaned, not refused: NUL dropped, a lone surrogate shown as �", () => {
    expect(cleanText("Al\u0000ice\ud800 😀")).toBe("Alice\ufffd 😀");
  });
});
