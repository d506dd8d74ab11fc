import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decimalString,
  formatAmount,
  MAX_AMOUNT_ATOMS,
  parseAmount,
  parsePositiveAmount,
} from "#src/ledger/amount.ts";

const USDC = { symbol: "USDC", decimals: 6 };
const ETH = { symbol: "ETH", decimals: 18 };
const NONE = { symbol: "PTS", decimals: 0 };

describe("parseAmount", () => {
  it.each([
    ["12", 12_000_000n],
    ["12.5", 12_500_000n],
    ["0.2", 200_000n],
    [".5", 500_000n],
    ["5.", 5_000_000n],
    ["1,000", 1_000_000_000n],
    ["1,000.5", 1_000_500_000n],
    ["1,234,567.000001", 1_234_567_000_001n],
    ["1e3", 1_000_000_000n],
    ["2.5e-3", 2_500n],
    ["1E-6", 1n],
    ["0", 0n],
    ["  7  ", 7_000_000n],
    ["+3", 3_000_000n],
    ["000012", 12_000_000n],
  ])("reads %s as %s atoms of USDC", (text, atoms) => {
    expect(parseAmount(text, USDC)).toBe(atoms);
  });

  it.each([
    ["", /empty/],
    ["-5", /positive/],
    ["NaN", /not a number/],
    ["Infinity", /not a number/],
    ["1,00", /groups of three/],
    ["1,0000", /groups of three/],
    ["0.1234567", /6 decimal places; "0.1234567" has 7/],
    ["1e-7", /6 decimal places/],
    ["1e999", /too large/],
    ["1e-999", /smaller than one unit/],
    ["12 USDC", /not an amount/],
    ["1_000", /not an amount/],
    ["0x10", /not an amount/],
    [".", /not an amount/],
    ["1.2.3", /not an amount/],
  ])("refuses %j with a message that says why", (text, message) => {
    expect(() => parseAmount(text, USDC)).toThrow(message);
    try {
      parseAmount(text, USDC);
    } catch (error) {
      expect((error as { code: string }).code).toBe("invalid_amount");
    }
  });

  it("refuses zero where money must move", () => {
    expect(() => parsePositiveAmount("0.000", USDC)).toThrow(/more than zero/);
  });

  it("handles 18-decimal amounts beyond 2^63 atoms exactly", () => {
    const atoms = parseAmount("123456789.123456789123456789", ETH);
    expect(atoms).toBe(123_456_789_123_456_789_123_456_789n);
    expect(atoms > 2n ** 63n).toBe(true);
    expect(decimalString(atoms, ETH)).toBe("123456789.123456789123456789");
  });

  it("refuses anything above the ceiling and accepts the ceiling itself", () => {
    expect(parseAmount(decimalString(MAX_AMOUNT_ATOMS, USDC), USDC)).toBe(MAX_AMOUNT_ATOMS);
    expect(() => parseAmount(decimalString(MAX_AMOUNT_ATOMS + 1n, USDC), USDC)).toThrow(/too large/);
  });

  it("refuses fractions of a token without decimals", () => {
    expect(() => parseAmount("1.5", NONE)).toThrow(/0 decimal places/);
    expect(parseAmount("1.0", NONE)).toBe(1n);
  });
});

describe("formatAmount", () => {
  it("groups thousands and trims trailing zeros", () => {
    expect(formatAmount(1_000_500_000n, USDC)).toBe("1,000.5");
    expect(formatAmount(162_000n, USDC)).toBe("0.162");
    expect(formatAmount(20_000_000_000n, USDC)).toBe("20,000");
    expect(formatAmount(-1_500_000n, USDC)).toBe("-1.5");
    expect(formatAmount(0n, USDC)).toBe("0");
    expect(decimalString(1_000_500_000n, USDC)).toBe("1000.5");
  });

  it("round-trips every amount through text, grouped or not", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_AMOUNT_ATOMS }),
        fc.constantFrom(USDC, ETH, NONE),
        (atoms, token) => {
          expect(parseAmount(formatAmount(atoms, token), token)).toBe(atoms);
          expect(parseAmount(decimalString(atoms, token), token)).toBe(atoms);
        },
      ),
    );
  });
});
