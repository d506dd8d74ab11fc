// Real concurrency on PostgreSQL: an ambassador unstakes while the rewards of a member they referred
// settle in a steady stream. Each settlement holds the ambassador's stake locked for reading (the
// tier decides the commission) until it commits, and the unstake needs it for writing. The unstake
// must get its turn after the settlements already holding it, not wait for the whole stream to
// dry up: it used to wait 29 s, since row locks FOR SHARE let each new reader in ahead of a writer
// that is waiting.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "#src/services.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { postgresAvailable } from "#test/helpers/db.ts";
import {
  fundPool,
  member,
  type Reservation,
  refer,
  reserveSubmission,
  settleSubmission,
  stakeToTier,
  uniqueKey,
} from "./ambassador-harness.ts";

const SETTLEMENTS = 80;
const IN_FLIGHT = 10;
const BID = 200_000n;

(postgresAvailable() ? describe : describe.skip)(
  "an unstake during a stream of settlements [postgres]",
  () => {
    let test: TestApp;
    let services: Services;
    beforeAll(async () => {
      test = await createTestApp("postgres", { env: { UNSTAKE_COOLDOWN_DAYS: "0" }, poolSize: 30 });
      services = test.app.services;
    });
    afterAll(async () => {
      await test?.close();
    });

    it("finishes while the stream is still going, and the tiers paid stay consistent", async () => {
      const ambassador = await member(services, "amb");
      await stakeToTier(services, ambassador, 3);
      const creator = await member(services, "creator");
      const farmer = await member(services, "farmer");
      await refer(services, farmer, ambassador);
      const poolId = await fundPool(services, creator, "USDC", BID * BigInt(SETTLEMENTS));
      const waiting: Reservation[] = [];
      for (let i = 0; i < SETTLEMENTS; i++)
        waiting.push(
          await reserveSubmission(services, {
            poolId,
            creator,
            farmer,
            token: "USDC",
            bidAtoms: BID,
            quality: 100,
          }),
        );

      // IN_FLIGHT workers settle one reservation after another until none is left.
      let settled = 0;
      let unstakeStart: () => void = () => {};
      const started = new Promise<void>((resolve) => {
        unstakeStart = resolve;
      });
      const tiers: number[] = [];
      const worker = async () => {
        for (let r = waiting.shift(); r; r = waiting.shift()) {
          const outcome = await settleSubmission(services, r);
          tiers.push(outcome.commissions[0]?.tier ?? 0);
          if (++settled === IN_FLIGHT) unstakeStart();
        }
      };
      const stream = Promise.all(Array.from({ length: IN_FLIGHT }, worker));

      await started;
      let settledWhenUnstaked = -1;
      const unstake = services.staking
        .remove({
          actor: ambassador,
          key: uniqueKey("unstake"),
          amountAtoms: services.staking.thresholdOf(3),
          now: new Date(),
        })
        .then((change) => {
          settledWhenUnstaked = settled;
          return change;
        });
      const [change] = await Promise.all([unstake, stream]);

      expect(change.after.tier).toBe(0);
      // It waited at most for the settlements that held the stake when it asked (and a few that
      // were between reading and committing), not for the rest of the stream.
      expect(settledWhenUnstaked).toBeGreaterThanOrEqual(IN_FLIGHT);
      expect(settledWhenUnstaked).toBeLessThan(SETTLEMENTS - IN_FLIGHT);
      // Those that read the tier before the unstake paid tier 3, those after it nothing.
      expect(tiers).toHaveLength(SETTLEMENTS);
      expect(new Set(tiers)).toEqual(new Set([3, 0]));
      expect(tiers.filter((t) => t === 3).length).toBeLessThanOrEqual(settledWhenUnstaked);
    }, 240_000);
  },
);
