// The curve's rules of docs/economy.md section 10.3 as properties over random trade sequences: the
// product never falls, C never below C0, no round trip profits, tokens and CLONES are conserved to
// the atom, and sells beyond what the curve sold are refused. Plus the worked example of 10.5.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CurveParams,
  type CurveState,
  curveReserve,
  launchCurve,
  maxBuy,
  quoteBuy,
  quoteSell,
} from "#src/dataset-tokens/curve.ts";

const CLONES = 10n ** 9n;
const TOKEN = 10n ** 6n;
const S = 1_000_000_000n * TOKEN;
const launch = (thresholdBps = 100n, initialClones = 30_000n * CLONES) =>
  launchCurve({ supplyAtoms: S, thresholdBps, initialClones, feeBps: 25n });

describe("the curve's worked example (10.5)", () => {
  it("reproduces every figure to the atom", () => {
    const { params, state } = launch();
    expect(params.allocationAtoms).toBe(10_000_000n * TOKEN);
    expect(params.initialRealTokens).toBe(990_000_000n * TOKEN);
    expect(state.tokens).toBe(1_237_500_000n * TOKEN);
    const b1 = quoteBuy(params, state, 1_000n * CLONES);
    if (!b1.ok) throw new Error("refused");
    expect(b1.feeAtoms).toBe(2_500_000_000n);
    expect(b1.intoCurveAtoms).toBe(997_500_000_000n);
    expect(b1.tokensOut).toBe(39_822_767_965_158n);
    expect(b1.after.clones).toBe(30_997_500_000_000n);
    expect(b1.after.tokens).toBe(1_197_677_232_034_842n);
    const b2 = quoteBuy(params, b1.after, 2_500n * CLONES);
    if (!b2.ok) throw new Error("refused");
    expect(b2.feeAtoms).toBe(6_250_000_000n);
    expect(b2.tokensOut).toBe(89_178_743_623_689n);
    expect(b2.after.clones).toBe(33_491_250_000_000n);
    expect(b2.after.tokens).toBe(1_108_498_488_411_153n);
    const s1 = quoteSell(params, b2.after, b1.tokensOut);
    if (!s1.ok) throw new Error("refused");
    expect(s1.feeAtoms).toBe(2_903_617_499n);
    expect(s1.outOfCurveAtoms).toBe(1_161_446_999_441n);
    expect(s1.proceedsAtoms).toBe(1_158_543_381_942n);
    expect(s1.after.clones).toBe(32_329_803_000_559n);
    expect(s1.after.tokens).toBe(1_148_321_256_376_311n);
    expect(b1.feeAtoms + b2.feeAtoms + s1.feeAtoms).toBe(11_653_617_499n);
    expect(curveReserve(params, s1.after)).toBe(2_329_803_000_559n);
    expect(s1.after.realTokens).toBe(900_821_256_376_311n);
    expect(s1.after.tokens - s1.after.realTokens).toBe(247_500_000n * TOKEN);
  });

  it("a sold-out curve has raised about 4 x C0 and refuses further buys", () => {
    const { params, state } = launch();
    const most = maxBuy(params, state);
    const all = quoteBuy(params, state, most);
    if (!all.ok) throw new Error("refused");
    expect(quoteBuy(params, state, most + 1n).ok).toBe(false);
    const rest = all.after;
    // Whatever is left over is too little to buy one more atom.
    if (rest.realTokens === 0n) expect(quoteBuy(params, rest, 1n).ok).toBe(false);
    const raised = curveReserve(params, rest);
    expect(raised).toBeLessThanOrEqual(4n * params.initialClones);
    expect(raised).toBeGreaterThan(4n * params.initialClones - 10n ** 12n);
  });
});

type Trade =
  | { side: "buy"; trader: number; pay: bigint }
  | { side: "sell"; trader: number; share: number }
  | { side: "burn"; trader: number };

const trade = fc.oneof(
  fc.record({
    side: fc.constant<"buy">("buy"),
    trader: fc.integer({ min: 0, max: 3 }),
    pay: fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.bigInt({ min: 1n, max: 200_000n * CLONES })),
  }),
  fc.record({
    side: fc.constant<"sell">("sell"),
    trader: fc.integer({ min: 0, max: 3 }),
    share: fc.double({ min: 0, max: 1.2, noNaN: true }),
  }),
  fc.record({ side: fc.constant<"burn">("burn"), trader: fc.integer({ min: 0, max: 3 }) }),
) as fc.Arbitrary<Trade>;

/** Runs `trades`, checking every invariant after each step. */
function simulate(params: CurveParams, start: CurveState, trades: Trade[]) {
  let state = start;
  const tokensOf = [0n, 0n, 0n, 0n];
  const paid = [0n, 0n, 0n, 0n];
  const received = [0n, 0n, 0n, 0n];
  let fees = 0n;
  let burned = 0n;
  for (const t of trades) {
    const before = state;
    if (t.side === "burn") {
      // A burn of the threshold (10.4) leaves the curve alone; only the holder's tokens move.
      if (tokensOf[t.trader]! < params.allocationAtoms) continue;
      tokensOf[t.trader]! -= params.allocationAtoms;
      burned += params.allocationAtoms;
    } else if (t.side === "buy") {
      const q = quoteBuy(params, state, t.pay);
      if (!q.ok) {
        expect(q.tokensOut === 0n || q.tokensOut > state.realTokens || state.realTokens === 0n).toBe(true);
        continue;
      }
      expect(q.feeAtoms + q.intoCurveAtoms).toBe(t.pay);
      state = q.after;
      tokensOf[t.trader]! += q.tokensOut;
      paid[t.trader]! += t.pay;
      fees += q.feeAtoms;
    } else {
      const held = tokensOf[t.trader]!;
      const amount = BigInt(Math.floor(Number(held) * t.share));
      const q = quoteSell(params, state, amount);
      const sold = params.initialRealTokens - state.realTokens;
      if (amount > sold) {
        expect(q.ok).toBe(false);
        if (!q.ok) expect(q.reason).toBe("exceeds_sold");
        continue;
      }
      if (!q.ok || amount > held) continue;
      expect(q.proceedsAtoms + q.feeAtoms).toBe(q.outOfCurveAtoms);
      state = q.after;
      tokensOf[t.trader]! -= amount;
      received[t.trader]! += q.proceedsAtoms;
      fees += q.feeAtoms;
    }
    // C x T never decreases; C never below C0.
    expect(state.clones * state.tokens).toBeGreaterThanOrEqual(before.clones * before.tokens);
    expect(state.clones).toBeGreaterThanOrEqual(params.initialClones);
    // T - R is fixed at launch.
    expect(state.tokens - state.realTokens).toBe(start.tokens - start.realTokens);
    // Tokens: holders + the curve's real tokens + burned (+ the allocation, a holder) = supply.
    const holders = tokensOf.reduce((a, b) => a + b, 0n) + params.allocationAtoms;
    expect(holders + state.realTokens + burned).toBe(params.supplyAtoms);
    // CLONES: what traders paid in = fees + the curve's reserve + what they took out.
    const paidIn = paid.reduce((a, b) => a + b, 0n);
    const takenOut = received.reduce((a, b) => a + b, 0n);
    expect(paidIn).toBe(fees + curveReserve(params, state) + takenOut);
  }
  return { state, tokensOf };
}

describe("curve properties (10.3)", () => {
  it("conserves tokens and CLONES, never lowers C x T, never lets C fall below C0", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 10n, max: 1_000n }),
        fc.bigInt({ min: 1n * CLONES, max: 1_000_000n * CLONES }),
        fc.array(trade, { maxLength: 40 }),
        (t, c0, trades) => {
          const { params, state } = launch(t, c0);
          simulate(params, state, trades);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("buying then selling everything bought never returns more than was paid", () => {
    fc.assert(
      fc.property(
        fc.array(trade, { maxLength: 20 }),
        fc.bigInt({ min: 1n, max: 300_000n * CLONES }),
        (history, pay) => {
          const { params, state: start } = launch();
          const { state } = simulate(params, start, history);
          const buy = quoteBuy(params, state, pay);
          if (!buy.ok) return;
          const sell = quoteSell(params, buy.after, buy.tokensOut);
          if (!sell.ok) return;
          expect(sell.proceedsAtoms).toBeLessThanOrEqual(pay);
          expect(sell.after.clones).toBeGreaterThanOrEqual(state.clones);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses sells beyond what the curve sold, saying how much it buys back", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 50_000n * CLONES }),
        fc.bigInt({ min: 1n, max: 10n ** 14n }),
        (pay, extra) => {
          const { params, state: start } = launch();
          const buy = quoteBuy(params, start, pay);
          const state = buy.ok ? buy.after : start;
          const sold = params.initialRealTokens - state.realTokens;
          const q = quoteSell(params, state, sold + extra);
          expect(q.ok).toBe(false);
          if (!q.ok) {
            expect(q.reason).toBe("exceeds_sold");
            expect(q.buyBackLimit).toBe(sold);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("maxBuy is the largest payment that still buys", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 119_000n * CLONES }), (pay) => {
        const { params, state: start } = launch();
        const buy = quoteBuy(params, start, pay);
        const state = buy.ok ? buy.after : start;
        const most = maxBuy(params, state);
        const atMost = quoteBuy(params, state, most);
        expect(atMost.ok || (!atMost.ok && atMost.reason === "too_small")).toBe(true);
        const above = quoteBuy(params, state, most + 1n);
        expect(above.ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
