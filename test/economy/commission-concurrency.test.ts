// Real concurrency on PostgreSQL: an ambassador's stake leaves (an unstake with no cooldown, or the
// release job at the end of one) while rewards of the members they referred settle in parallel.
// Every commission must be paid at the tier the stake supported when its settlement serialized
// against the stake change, and no settlement may pay twice, even when replayed concurrently.
//
// How "when" is known: a settlement holds its ambassadors' stake rows FOR SHARE from reading the
// tier to commit, and a stake change holds them FOR UPDATE, so the two are serialized; both
// allocate their transfer ids while holding the lock, so transfer id order is that serial order.
// The stake counted before commission X is then the sum of the ambassador's stake and cooldown
// entries whose transfer id is below X's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "#src/core/context.ts";
import { COMMISSION_CODES } from "#src/economy/ambassadors/commissions.ts";
import { cooldownAccount, stakeAccount } from "#src/economy/ambassadors/stake-accounts.ts";
import { tierFor } from "#src/economy/ambassadors/tiers.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
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
  stake,
  stakeToTier,
  uniqueKey,
} from "./ambassador-harness.ts";

const SETTLEMENTS = 24;
const BID = 200_000n; // $0.20 at quality 100: gross 200000, fee 20000

async function checkTiersAgainstStakeTimeline(services: Services, ambassador: Actor) {
  const { db, ledger, staking } = services;
  const stakeIds = [
    await ledger.findAccountId(db.prisma, stakeAccount(ambassador.userId)),
    await ledger.findAccountId(db.prisma, cooldownAccount(ambassador.userId)),
  ].filter((id): id is number => id !== undefined);
  const stakeEntries = await db.prisma.entry.findMany({
    where: { accountId: { in: stakeIds } },
    select: { transferId: true, delta: true },
  });
  const commissions = await db.prisma.transfer.findMany({
    where: {
      code: { in: Object.values(COMMISSION_CODES) },
      creditAccount: { ownerId: String(ambassador.userId) },
    },
    select: { id: true, amount: true, meta: true },
    orderBy: { id: "asc" },
  });
  const tiersPaid = new Set<number>();
  for (const c of commissions) {
    const counted = stakeEntries
      .filter((e) => e.transferId < c.id)
      .reduce((sum, e) => sum + BigInt(e.delta.toFixed()), 0n);
    const supported = tierFor(counted, staking.supplyAtoms);
    const paidTier = (c.meta as { tier: number }).tier;
    expect(paidTier, `commission ${c.id} at a stake of ${counted}`).toBe(supported);
    expect(BigInt(c.amount.toFixed())).toBe((BID * BigInt(supported)) / 100n);
    tiersPaid.add(paidTier);
  }
  return { commissions: commissions.length, tiersPaid };
}

async function setUp(services: Services, label: string, tier: number) {
  const ambassador = await member(services, `${label}_amb`);
  await stakeToTier(services, ambassador, tier);
  const creator = await member(services, `${label}_creator`);
  const poolId = await fundPool(services, creator, "USDC", BID * BigInt(SETTLEMENTS));
  const reservations: Reservation[] = [];
  for (let i = 0; i < SETTLEMENTS; i++) {
    const farmer = await member(services, `${label}_farmer${i}`);
    await refer(services, farmer, ambassador);
    reservations.push(
      await reserveSubmission(services, {
        poolId,
        creator,
        farmer,
        token: "USDC",
        bidAtoms: BID,
        quality: 100,
      }),
    );
  }
  return { ambassador, reservations };
}

(postgresAvailable() ? describe : describe.skip)("commissions while the stake leaves [postgres]", () => {
  let test: TestApp;
  let services: Services;
  beforeAll(async () => {
    test = await createTestApp("postgres", { env: { UNSTAKE_COOLDOWN_DAYS: "0" }, poolSize: 30 });
    services = test.app.services;
  });
  afterAll(async () => {
    await test?.close();
  });

  it("unstaking during settlements: each commission at the tier in force, each settlement paid once", async () => {
    const { ambassador, reservations } = await setUp(services, "race", 5);
    const oneTier = services.staking.thresholdOf(1);
    const settle = (r: Reservation) => settleSubmission(services, r);
    const unstake = () =>
      services.staking.remove({
        actor: ambassador,
        key: uniqueKey("unstake"),
        amountAtoms: oneTier,
        now: test.clock.now(),
      });
    // Every settlement twice (a redelivered event), interleaved with three unstakes of one tier each.
    const work: Array<Promise<unknown>> = [];
    for (const [i, r] of reservations.entries()) {
      work.push(settle(r), settle(r));
      if (i % 8 === 3) work.push(unstake());
    }
    const outcomes = await Promise.allSettled(work);
    expect(
      outcomes.filter((o) => o.status === "rejected").map((o) => String((o as PromiseRejectedResult).reason)),
    ).toEqual([]);

    const { commissions, tiersPaid } = await checkTiersAgainstStakeTimeline(services, ambassador);
    expect(commissions).toBe(SETTLEMENTS); // once each, despite the replays
    expect((await services.staking.amountsOf(services.db.prisma, ambassador.userId)).tier).toBe(2);
    expect([...tiersPaid].every((t) => t >= 2 && t <= 5)).toBe(true);
    expect((await auditLedger(services.db)).problems).toEqual([]);
  });

  it("a settlement holding the tier makes a concurrent unstake wait, and pays the old rate", async () => {
    const { ambassador, reservations } = await setUp(services, "held", 3);
    let unstakeDone = false;
    let unstake: Promise<unknown> | undefined;
    const settled = await settleSubmission(services, reservations[0]!, async () => {
      // The tier is read and locked; now the ambassador unstakes everything, from another connection.
      unstake = services.staking
        .remove({
          actor: ambassador,
          key: uniqueKey("unstake-all"),
          amountAtoms: services.staking.thresholdOf(3),
          now: test.clock.now(),
        })
        .then(() => {
          unstakeDone = true;
        });
      // Wait until PostgreSQL shows it blocked on a lock (this settlement's FOR SHARE).
      for (let seen = 0, polls = 0; seen === 0; polls++) {
        if (polls > 5000) throw new Error("the unstake never waited for the settlement's lock");
        const [row] = await services.db.prisma.$queryRaw<Array<{ n: number }>>`
          SELECT COUNT(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`;
        seen = row!.n;
      }
      expect(unstakeDone).toBe(false); // it waits for this settlement to commit
    });
    await unstake;
    expect(settled.commissions).toEqual([
      { userId: ambassador.userId, role: "farmer_ambassador", tier: 3, amountAtoms: 6_000n },
    ]);
    const after = await settleSubmission(services, reservations[1]!);
    expect(after.commissions).toEqual([]); // tier 0 now
    await checkTiersAgainstStakeTimeline(services, ambassador);
  });
});

(postgresAvailable() ? describe : describe.skip)("commissions while the release job runs [postgres]", () => {
  let test: TestApp;
  let services: Services;
  beforeAll(async () => {
    test = await createTestApp("postgres", { poolSize: 30 });
    services = test.app.services;
  });
  afterAll(async () => {
    await test?.close();
  });

  it("cooling stake pays its tier until released; releases run once under concurrent job runs", async () => {
    const { ambassador, reservations } = await setUp(services, "cool", 4);
    const past = new Date(test.clock.now().getTime() - 8 * 86_400_000); // unstaked 8 days ago: due now
    for (let i = 0; i < 2; i++)
      await services.staking.remove({
        actor: ambassador,
        key: uniqueKey("unstake"),
        amountAtoms: services.staking.thresholdOf(1),
        now: past,
      });
    expect((await services.staking.amountsOf(services.db.prisma, ambassador.userId)).tier).toBe(4);
    const work: Array<Promise<unknown>> = reservations.map((r) => settleSubmission(services, r));
    work.splice(6, 0, services.staking.releaseDue(test.clock.now()));
    work.splice(14, 0, services.staking.releaseDue(test.clock.now()));
    const outcomes = await Promise.allSettled(work);
    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
    const releases = outcomes
      .map((o) => (o as PromiseFulfilledResult<unknown>).value)
      .filter((v): v is { released: number } => typeof v === "object" && v !== null && "released" in v);
    expect(releases.reduce((s, r) => s + r.released, 0)).toBe(2);
    expect((await services.staking.amountsOf(services.db.prisma, ambassador.userId)).tier).toBe(2);
    const { commissions } = await checkTiersAgainstStakeTimeline(services, ambassador);
    expect(commissions).toBe(SETTLEMENTS);
    expect((await auditLedger(services.db)).problems).toEqual([]);
  });

  it("an unstake cancelled while the release job runs is either released or cancelled, never both", async () => {
    for (let round = 0; round < 5; round++) {
      const holder = await member(services, `cancel_race${round}`);
      await stake(services, holder, 10_000n);
      const past = new Date(test.clock.now().getTime() - 8 * 86_400_000); // due now
      for (let i = 0; i < 4; i++)
        await services.staking.remove({
          actor: holder,
          key: uniqueKey("unstake"),
          amountAtoms: 1_000n,
          now: past,
        });
      const [cancel, ...releases] = await Promise.allSettled([
        services.staking.cancel({ actor: holder, key: uniqueKey("cancel"), now: test.clock.now() }),
        services.staking.releaseDue(test.clock.now()),
        services.staking.releaseDue(test.clock.now()),
      ]);
      const cancelled = cancel.status === "fulfilled" ? cancel.value.cancelled.length : 0;
      if (cancel.status === "rejected") expect(cancel.reason).toMatchObject({ code: "nothing_cooling" });
      const released = releases.reduce(
        (sum, r) => sum + (r.status === "fulfilled" ? r.value.released : Number.NaN),
        0,
      );
      const rows = await services.db.prisma.unstake.findMany({ where: { userId: holder.userId } });
      expect(rows.filter((r) => r.releasedAt && r.cancelledAt)).toEqual([]);
      expect(rows.filter((r) => !r.releasedAt && !r.cancelledAt)).toEqual([]);
      expect(cancelled + released).toBe(4);
      const amounts = await services.staking.amountsOf(services.db.prisma, holder.userId);
      const main = await services.ledger.balance(services.db.prisma, accounts.user(holder.userId, "CLONES"));
      expect({ staked: amounts.stakedAtoms, cooling: amounts.coolingAtoms, main: main.balanceAtoms }).toEqual(
        {
          staked: 6_000n + 1_000n * BigInt(cancelled),
          cooling: 0n,
          main: 1_000n * BigInt(released),
        },
      );
    }
    expect((await auditLedger(services.db)).problems).toEqual([]);
  });
});
