import { describe, expect, it } from "vitest";
import { parseCommandLine } from "#src/core/command-line.ts";

describe("the typed command syntax", () => {
  it("reads a user, a command path and options, with quotes", () => {
    expect(
      parseCommandLine(
        '@alice /admin credit user:@bob amount:"1,000.5" token:USDC reason:"a \\"big\\" grant"',
      ),
    ).toEqual({
      user: "alice",
      path: ["admin", "credit"],
      options: { user: "@bob", amount: "1,000.5", token: "USDC", reason: 'a "big" grant' },
    });
  });

  it("ignores blank lines and comments, keeps # inside values", () => {
    expect(parseCommandLine("   ")).toBeUndefined();
    expect(parseCommandLine("# just a comment")).toBeUndefined();
    expect(parseCommandLine("/balance # mine")).toEqual({ path: ["balance"], options: {} });
    expect(parseCommandLine('/x note:pay#1 other:"# kept"')).toEqual({
      path: ["x"],
      options: { note: "pay#1", other: "# kept" },
    });
  });

  it("keeps colons in values and strips a bot's name", () => {
    expect(parseCommandLine("/fund@ForgeBot url:https://a.b/c?d=1", "forgebot")).toEqual({
      path: ["fund"],
      options: { url: "https://a.b/c?d=1" },
    });
    expect(() => parseCommandLine("/fund@OtherBot", "forgebot")).toThrow(/another bot/);
  });

  it.each([
    ['/x reason:"unclosed', /quote is not closed/],
    ["balance", /start with a slash/],
    ["@alice", /no command/],
    ["/x a:1 a:2", /given twice/],
    ["/x a:1 stray", /not an option/],
  ])("refuses %j", (line, message) => {
    expect(() => parseCommandLine(line)).toThrow(message);
  });
});
