// The reply markup: what commands write (**bold**, `code`, literal() for what members typed) parses
// into the runs every platform renders, and a member's text always comes back as written.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { literal, markupToPlain, parseMarkupLine } from "#src/core/markup.ts";
import { userText } from "#test/helpers/user-text.ts";

describe("the reply markup", () => {
  it("parses bold, code and bold code into runs", () => {
    expect(parseMarkupLine("#1 **Carts `v2`** — `task_1` done")).toEqual([
      { text: "#1 ", bold: false, code: false },
      { text: "Carts ", bold: true, code: false },
      { text: "v2", bold: true, code: true },
      { text: " — ", bold: false, code: false },
      { text: "task_1", bold: false, code: true },
      { text: " done", bold: false, code: false },
    ]);
  });

  it("keeps a marker without a partner, and a backslash before anything else, as text", () => {
    expect(markupToPlain("2 ** 3 and a ` alone")).toBe("2 ** 3 and a ` alone");
    expect(markupToPlain("C:\\new\\dir")).toBe("C:\\new\\dir");
  });

  it("shows a member's text as written, wherever it sits", () => {
    fc.assert(
      fc.property(userText(), userText(), (name, code) => {
        expect(parseMarkupLine(literal(name))).toEqual([{ text: name, bold: false, code: false }]);
        expect(parseMarkupLine(`#1 **${literal(name)}** — \`${literal(code)}\``)).toEqual([
          { text: "#1 ", bold: false, code: false },
          { text: name, bold: true, code: false },
          { text: " — ", bold: false, code: false },
          { text: code, bold: false, code: true },
        ]);
      }),
      { numRuns: 300 },
    );
  });
});
