// How replies read to a member: counts with their noun, the grader's reasons as one sentence, the
// ceiling of an amount in words a person can read.
import { describe, expect, it } from "vitest";
import { countOf, formatCount } from "#src/core/counts.ts";
import { whyText } from "#src/economy/pools/submission-wording.ts";
import { MAX_AMOUNT_ATOMS, parseAmount } from "#src/ledger/amount.ts";

describe("wording", () => {
  it("counts with grouped thousands and a singular or plural noun, never (s)", () => {
    expect(countOf(0n, "demonstration")).toBe("0 demonstrations");
    expect(countOf(1, "demonstration")).toBe("1 demonstration");
    expect(countOf(12345n, "demonstration")).toBe("12,345 demonstrations");
    expect(countOf(2, "batch", "batches")).toBe("2 batches");
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatCount(999)).toBe("999");
  });

  it("joins the grader's reasons into one sentence without .; or ..", () => {
    expect(whyText(["Goal reached.", "Too many clicks;", " slow  "])).toBe(
      "Goal reached; Too many clicks; slow.",
    );
    expect(whyText(["Done..."])).toBe("Done.");
    expect(whyText([" ", "."])).toBe("");
    expect(whyText(["a", "b", "c", "d", "e"])).toBe("a; b; c; d.");
  });

  it("names the largest amount as a power of ten, not a 43-digit number", () => {
    const usdc = { symbol: "USDC", decimals: 6 };
    for (const text of ["1e999", (MAX_AMOUNT_ATOMS + 1n).toString()]) {
      let message = "";
      try {
        parseAmount(text, usdc);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/too large: amounts stop at 1e42 USDC\.$/);
      expect(message.replace(text, "")).not.toMatch(/\d{10}/);
    }
    expect(parseAmount("1e42", usdc)).toBe(MAX_AMOUNT_ATOMS);
  });
});
