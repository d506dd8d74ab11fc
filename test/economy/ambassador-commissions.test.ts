// The ambassadors' commission policy at settlement, on a real database and ledger: the four worked examples of
// docs/economy.md section 6 to the atom, a quality below 100, tier 0, the forge policy, and the cap.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMISSION_CODES } from "#src/economy/ambassadors/commissions.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import type { Services } from "#src/services.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { postgresAvailable } from "#test/helpers/db.ts";
import { fundPool, member, refer, stakeToTier, submitAndSettle } from "./ambassador-harness.ts";

const USDC = 10n ** 6n;
const BID = (20n * USDC) / 100n; // $0.20

for (const kind of ["pglite", "postgres"] as const) {
  (kind === "postgres" && !postgresAvailable() ? describe.skip : describe)(
    `commissions at settlement [${kind}]`,
    () => {
      let test: TestApp;
      let services: Services;
      beforeAll(async () => {
        test = await createTestApp(kind);
        services = test.app.services;
      });
      afterAll(async () => {
        await test?.close();
      });

      let n = 0;
      /** A fresh creator and farmer (and ambassadors at the given tiers, undefined: not referred). */
      async function cast(farmerTier?: number, creatorTier?: number) {
        n++;
        const creator = await member(services, `creator${n}`);
        const farmer = await member(services, `farmer${n}`);
        const farmerAmbassador = farmerTier === undefined ? undefined : await member(services, `fa${n}`);
        const creatorAmbassador = creatorTier === undefined ? undefined : await member(services, `ca${n}`);
        if (farmerAmbassador) {
          await stakeToTier(services, farmerAmbassador, farmerTier!);
          await refer(services, farmer, farmerAmbassador);
        }
        if (creatorAmbassador) {
          await stakeToTier(services, creatorAmbassador, creatorTier!);
          await refer(services, creator, creatorAmbassador);
        }
        const poolId = await fundPool(services, creator, "USDC", 1000n * USDC);
        return { creator, farmer, farmerAmbassador, creatorAmbassador, poolId };
      }

      const usdc = async (userId: number) =>
        (await services.ledger.balance(services.db.prisma, accounts.user(userId, "USDC"))).balanceAtoms;

      it.each([
        // scenario, farmer's ambassador tier, creator's ambassador tier, farmer, fa, ca, protocol (atoms of USDC)
        ["no referrals", undefined, undefined, 180_000n, 0n, 0n, 20_000n],
        ["farmer referred, tier 3", 3, undefined, 180_000n, 6_000n, 0n, 14_000n],
        ["creator referred, tier 5", undefined, 5, 180_000n, 0n, 10_000n, 10_000n],
        ["both referred, tier 5 + tier 5", 5, 5, 180_000n, 10_000n, 10_000n, 0n],
      ] as const)(
        "section 6: %s",
        async (_name, farmerTier, creatorTier, farmerGets, faGets, caGets, protocol) => {
          const c = await cast(farmerTier, creatorTier);
          const feesBefore = (await services.ledger.balance(services.db.prisma, accounts.fees("USDC")))
            .balanceAtoms;
          const settled = await submitAndSettle(services, {
            ...c,
            token: "USDC",
            bidAtoms: BID,
            quality: 100,
          });
          expect(settled.grossAtoms).toBe(200_000n);
          expect(settled.feeAtoms).toBe(20_000n);
          expect(await usdc(c.farmer.userId)).toBe(farmerGets);
          if (c.farmerAmbassador) expect(await usdc(c.farmerAmbassador.userId)).toBe(faGets);
          if (c.creatorAmbassador) expect(await usdc(c.creatorAmbassador.userId)).toBe(caGets);
          const feesAfter = (await services.ledger.balance(services.db.prisma, accounts.fees("USDC")))
            .balanceAtoms;
          expect(feesAfter - feesBefore).toBe(protocol);
          expect(settled.protocolAtoms).toBe(protocol);
          expect(settled.commissions.map((x) => x.tier)).toEqual(
            [farmerTier, creatorTier].filter((t): t is 3 | 5 => t !== undefined),
          );
        },
      );

      it("quality 87 with tiers 4 and 2: every amount rounded down, the remainder to the protocol", async () => {
        const c = await cast(4, 2);
        const bid = 333_333n; // 0.333333 USDC: nothing divides evenly
        const settled = await submitAndSettle(services, { ...c, token: "USDC", bidAtoms: bid, quality: 87 });
        // gross = floor(333333 x 87 / 100) = 289999; refund 43334; fee = floor(289999 / 10) = 28999
        expect(settled).toMatchObject({
          grossAtoms: 289_999n,
          refundAtoms: 43_334n,
          feeAtoms: 28_999n,
          farmerAtoms: 261_000n,
        });
        // farmer's ambassador 4% of gross = floor(11599.96) = 11599; creator's 2% = floor(5799.98) = 5799
        expect(settled.commissions).toEqual([
          { userId: c.farmerAmbassador!.userId, role: "farmer_ambassador", tier: 4, amountAtoms: 11_599n },
          { userId: c.creatorAmbassador!.userId, role: "creator_ambassador", tier: 2, amountAtoms: 5_799n },
        ]);
        expect(settled.protocolAtoms).toBe(28_999n - 11_599n - 5_799n);
        expect(await usdc(c.farmer.userId)).toBe(261_000n);
        expect(
          (await services.ledger.balance(services.db.prisma, accounts.pool(c.poolId, "USDC"))).balanceAtoms,
        ).toBe(1000n * USDC - 289_999n);
      });

      it("a quality below the threshold pays no one, and the bid returns to the pool", async () => {
        const c = await cast(5, 5);
        const settled = await submitAndSettle(services, { ...c, token: "USDC", bidAtoms: BID, quality: 49 });
        expect(settled).toMatchObject({ grossAtoms: 0n, feeAtoms: 0n, commissions: [], refundAtoms: BID });
        expect(await usdc(c.farmerAmbassador!.userId)).toBe(0n);
      });

      it("tier 0 earns nothing, yet the referral stays recorded", async () => {
        const c = await cast(0, 0);
        const settled = await submitAndSettle(services, { ...c, token: "USDC", bidAtoms: BID, quality: 100 });
        expect(settled.commissions).toEqual([]);
        expect(settled.protocolAtoms).toBe(20_000n);
        const referral = await services.referrals.referrerOf(services.db.prisma, c.farmer.userId);
        expect(referral?.referrerUserId).toBe(c.farmerAmbassador!.userId);
      });

      it("forge policy: a farmer's ambassador earns nothing on a reward (no fee to share)", async () => {
        const c = await cast(5, 5);
        const settled = await submitAndSettle(services, {
          ...c,
          token: "USDC",
          bidAtoms: BID,
          quality: 85,
          policy: "forge",
        });
        expect(settled).toMatchObject({
          grossAtoms: 170_000n,
          feeAtoms: 0n,
          farmerAtoms: 170_000n,
          commissions: [],
        });
      });

      it("forge policy: the creator's ambassador earns its rate of the deposit, out of the deposit fee", async () => {
        const c = await cast(undefined, 3);
        const commissions = await services.db.transaction((tx) =>
          services.commissions.onDeposit(tx, {
            token: "USDC",
            creatorUserId: c.creator.userId,
            depositAtoms: 20_000n * USDC,
            feeAtoms: 4_000n * USDC,
          }),
        );
        expect(commissions).toEqual([
          {
            userId: c.creatorAmbassador!.userId,
            role: "creator_ambassador",
            tier: 3,
            amountAtoms: 600n * USDC,
          },
        ]);
        const none = await services.db.transaction((tx) =>
          services.commissions.onDeposit(tx, {
            token: "USDC",
            creatorUserId: c.farmer.userId,
            depositAtoms: 20_000n * USDC,
            feeAtoms: 4_000n * USDC,
          }),
        );
        expect(none).toEqual([]);
      });

      it("never above the fee: tiny rewards whose fee rounds below the rates are capped, farmer's ambassador first", async () => {
        const c = await cast(5, 5);
        // gross 19 atoms: fee floor(1.9) = 1; 5% of 19 rounds to 0 for both
        const tiny = await submitAndSettle(services, { ...c, token: "USDC", bidAtoms: 19n, quality: 100 });
        expect(tiny).toMatchObject({ feeAtoms: 1n, commissions: [], protocolAtoms: 1n });
        // A fee smaller than the rates would give: onReward caps the sum at the fee.
        const capped = await services.db.transaction((tx) =>
          services.commissions.onReward(tx, {
            token: "USDC",
            policy: "clones",
            farmerUserId: c.farmer.userId,
            creatorUserId: c.creator.userId,
            grossAtoms: 1000n,
            feeAtoms: 70n,
          }),
        );
        expect(capped.map((x) => [x.role, x.amountAtoms])).toEqual([
          ["farmer_ambassador", 50n],
          ["creator_ambassador", 20n],
        ]);
      });

      it("commission lines carry their codes, and the audit is clean", async () => {
        const rows = await services.db.prisma.transfer.count({
          where: { code: { in: Object.values(COMMISSION_CODES) } },
        });
        expect(rows).toBeGreaterThan(0);
        const report = await auditLedger(services.db);
        expect(report.problems).toEqual([]);
      });
    },
  );
}
