// Fee conservation as a property, on a real database: for random bids, qualities, ambassador tiers
// and referral graphs, every settled reward splits exactly — farmer + commissions + protocol =
// gross, each commission at most its rate and the sum at most the fee — measured from ledger
// balances, and the audit stays clean.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "#src/core/context.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import type { Services } from "#src/services.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { fundPool, member, refer, stakeToTier, submitAndSettle } from "./ambassador-harness.ts";

describe("fee conservation with ambassadors [pglite]", () => {
  let test: TestApp;
  let services: Services;
  /** One ambassador per tier 0..5. */
  const ambassadors: Actor[] = [];

  beforeAll(async () => {
    test = await createTestApp("pglite");
    services = test.app.services;
    for (let tier = 0; tier <= 5; tier++) {
      const a = await member(services, `amb_tier${tier}`);
      await stakeToTier(services, a, tier);
      ambassadors.push(a);
    }
  });
  afterAll(async () => {
    await test?.close();
  });

  const balanceOf = async (key: ReturnType<typeof accounts.user>) =>
    (await services.ledger.balance(services.db.prisma, key)).balanceAtoms;

  it("farmer + commissions + protocol = gross; no commission above its rate or the fee", async () => {
    let run = 0;
    // Who referred the farmer and the creator: nobody, an ambassador of some tier, or (for the
    // farmer) the creator themself, who may in turn be referred.
    const referrer = fc.oneof(
      fc.constant<"none">("none"),
      fc.integer({ min: 0, max: 5 }),
      fc.constant<"creator">("creator"),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.integer({ min: 0, max: 100 }),
        referrer,
        fc.oneof(fc.constant<"none">("none"), fc.integer({ min: 0, max: 5 })),
        fc.constantFrom("USDC", "ETH"),
        async (bidAtoms, quality, farmerReferrer, creatorReferrer, token) => {
          run++;
          const creator = await member(services, `p_creator${run}`);
          const farmer = await member(services, `p_farmer${run}`);
          if (typeof creatorReferrer === "number")
            await refer(services, creator, ambassadors[creatorReferrer]!);
          const farmerAmbassador =
            farmerReferrer === "none"
              ? undefined
              : farmerReferrer === "creator"
                ? creator
                : ambassadors[farmerReferrer]!;
          if (farmerAmbassador) await refer(services, farmer, farmerAmbassador);
          const poolId = await fundPool(services, creator, token, bidAtoms);
          const watched = [
            accounts.user(farmer.userId, token),
            ...ambassadors.map((a) => accounts.user(a.userId, token)),
            accounts.user(creator.userId, token),
            accounts.fees(token),
          ];
          const before = await Promise.all(watched.map(balanceOf));
          const settled = await submitAndSettle(services, {
            poolId,
            creator,
            farmer,
            token,
            bidAtoms,
            quality,
          });
          const after = await Promise.all(watched.map(balanceOf));
          const delta = after.map((b, i) => b - before[i]!);
          const farmerGot = delta[0]!;
          const rest = delta.slice(1);
          const feesGot = rest.at(-1)!;
          const commissionsGot = rest.slice(0, -1).reduce((s, d) => s + d, 0n);

          const gross = quality >= 50 ? (bidAtoms * BigInt(quality)) / 100n : 0n;
          expect(settled.grossAtoms).toBe(gross);
          expect(farmerGot + commissionsGot + feesGot).toBe(gross);
          const shared = settled.commissions.reduce((s, c) => s + c.amountAtoms, 0n);
          expect(commissionsGot).toBe(shared);
          expect(shared).toBeLessThanOrEqual(settled.feeAtoms);
          expect(feesGot).toBe(settled.feeAtoms - shared);
          expect(farmerGot).toBe(gross - settled.feeAtoms);
          for (const c of settled.commissions) {
            expect(c.amountAtoms).toBeGreaterThan(0n);
            expect(c.amountAtoms).toBeLessThanOrEqual(settled.feeAtoms);
            expect(c.amountAtoms).toBeLessThanOrEqual((gross * BigInt(c.tier)) / 100n);
          }
          // Rates of 5% + 5% never exceed a 10% fee by more than rounding: uncapped unless it rounds.
          const expectedFarmerAmbassadorTier =
            farmerReferrer === "none"
              ? 0
              : farmerReferrer === "creator"
                ? (await services.staking.amountsOf(services.db.prisma, creator.userId)).tier
                : farmerReferrer;
          const farmerCommission = settled.commissions.find((c) => c.role === "farmer_ambassador");
          expect(farmerCommission?.amountAtoms ?? 0n).toBe(
            [(gross * BigInt(expectedFarmerAmbassadorTier)) / 100n, settled.feeAtoms].reduce((a, b) =>
              a < b ? a : b,
            ),
          );
        },
      ),
      { numRuns: 40 },
    );
    const report = await auditLedger(services.db);
    expect(report.problems).toEqual([]);
    // Forty settlements with commissions: about 10 s alone, several times that on a loaded machine.
  }, 240_000);
});
