// The pool arithmetic on its own: the worked tables of docs/economy.md sections 2 and 3 to the atom, and
// the cumulative fee rule as a property (fees charged over many rewards equal the fee on their sum).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cumulativeFee,
  fundingBreakdown,
  type PoolTerms,
  percentOf,
  splitReward,
} from "#src/economy/pools/pool-math.ts";

const USDC = 1_000_000n;
const SOL = 1_000_000_000n;
const forge = (setupToken: string, setupAtoms: bigint): PoolTerms => ({
  policy: "forge",
  depositFeePercent: "20",
  setupFeeAtoms: setupAtoms,
  setupFeeToken: setupToken,
  rewardFeePercent: "10",
});
const clones: PoolTerms = { ...forge("USDC", 250n * USDC), policy: "clones" };

describe("funding (section 2)", () => {
  it("forge web2: 250 USDC setup fee from the deposit, 20% fee, 15,750 USDC = 78,750 demonstrations", () => {
    const b = fundingBreakdown(forge("USDC", 250n * USDC), "USDC", 20_000n * USDC, true);
    expect(b).toEqual({
      depositAtoms: 20_000n * USDC,
      platformFeeAtoms: 4_000n * USDC,
      setupFeeFromDepositAtoms: 250n * USDC,
      poolAtoms: 15_750n * USDC,
    });
    expect(b.poolAtoms / 200_000n).toBe(78_750n);
  });
  it("forge web3: 1 SOL separately, 16,000 USDC = 80,000 demonstrations", () => {
    const b = fundingBreakdown(forge("SOL", SOL), "USDC", 20_000n * USDC, true);
    expect(b.setupFeeSeparate).toEqual({ token: "SOL", atoms: SOL });
    expect([b.platformFeeAtoms, b.setupFeeFromDepositAtoms, b.poolAtoms]).toEqual([
      4_000n * USDC,
      0n,
      16_000n * USDC,
    ]);
    expect(b.poolAtoms / 200_000n).toBe(80_000n);
  });
  it("clones: 100% in, 100,000 demonstrations; a forge top-up pays 20% again but no setup fee", () => {
    expect(fundingBreakdown(clones, "USDC", 20_000n * USDC, true).poolAtoms / 200_000n).toBe(100_000n);
    const topUp = fundingBreakdown(forge("USDC", 250n * USDC), "USDC", 1_000n * USDC, false);
    expect([topUp.platformFeeAtoms, topUp.setupFeeFromDepositAtoms, topUp.poolAtoms]).toEqual([
      200n * USDC,
      0n,
      800n * USDC,
    ]);
  });
});

describe("payouts (section 3)", () => {
  const pay = (policy: "clones" | "forge", score: number) =>
    splitReward({
      policy,
      bidAtoms: 200_000n,
      score,
      threshold: 50,
      alreadyPaidAtoms: 0n,
      rewardFeePercent: "10",
      tally: { grossAtoms: 0n, feeAtoms: 0n },
    });
  it.each([
    ["clones", 90, 180_000n, 18_000n, 162_000n, 20_000n],
    ["clones", 50, 100_000n, 10_000n, 90_000n, 100_000n],
    ["clones", 49, 0n, 0n, 0n, 200_000n],
    ["forge", 85, 170_000n, 0n, 170_000n, 30_000n],
    ["forge", 40, 0n, 0n, 0n, 200_000n],
  ] as const)("%s, bid 0.20, quality %i", (policy, score, gross, fee, farmer, refund) => {
    const r = pay(policy, score);
    expect([r.paidGrossAtoms, r.feeAtoms, r.farmerAtoms, r.refundAtoms]).toEqual([
      gross,
      fee,
      farmer,
      refund,
    ]);
  });

  it("an override pays only the positive difference over what the same recording was paid", () => {
    const base = {
      policy: "forge" as const,
      bidAtoms: 200_000n,
      threshold: 50,
      rewardFeePercent: "10",
      tally: { grossAtoms: 0n, feeAtoms: 0n },
    };
    expect(splitReward({ ...base, score: 90, alreadyPaidAtoms: 170_000n }).paidGrossAtoms).toBe(10_000n);
    const lower = splitReward({ ...base, score: 60, alreadyPaidAtoms: 170_000n });
    expect([lower.paidGrossAtoms, lower.refundAtoms]).toEqual([0n, 200_000n]);
  });

  it("fees over many rewards always equal the fee on their sum (cumulative rounding)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { minLength: 1, maxLength: 40 }),
        (grosses) => {
          let tally = { grossAtoms: 0n, feeAtoms: 0n };
          let charged = 0n;
          for (const gross of grosses) {
            const fee = cumulativeFee(tally, gross, "10");
            expect(fee.feeAtoms).toBeGreaterThanOrEqual(0n);
            expect(fee.feeAtoms).toBeLessThanOrEqual(gross);
            charged += fee.feeAtoms;
            tally = { grossAtoms: fee.grossAtoms, feeAtoms: fee.totalFeeAtoms };
          }
          const sum = grosses.reduce((a, b) => a + b, 0n);
          expect(charged).toBe(percentOf(sum, "10"));
        },
      ),
    );
  });
});
