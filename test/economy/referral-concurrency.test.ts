// Attribution under concurrent claims (PostgreSQL), and what /link does to referrals and unstakes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "#src/core/context.ts";
import { isUserError } from "#src/core/errors.ts";
import type { Services } from "#src/services.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { postgresAvailable } from "#test/helpers/db.ts";
import { grant, member, stakeToTier, uniqueKey } from "./ambassador-harness.ts";

/** "ok", or the code of the refusal. */
async function claimWith(services: Services, who: Actor, code: string): Promise<string> {
  try {
    await services.referrals.use({ actor: who, key: uniqueKey("use"), code, now: services.clock.now() });
    return "ok";
  } catch (error) {
    if (!isUserError(error)) throw error;
    return error.code;
  }
}

(postgresAvailable() ? describe : describe.skip)("concurrent referral claims [postgres]", () => {
  let test: TestApp;
  let services: Services;
  beforeAll(async () => {
    test = await createTestApp("postgres", { env: { REFERRAL_DAILY_CAP: "3" }, poolSize: 20 });
    services = test.app.services;
  });
  afterAll(async () => {
    await test?.close();
  });

  const claim = (who: Actor, code: string) => claimWith(services, who, code);

  it("twelve members claiming one code at once: exactly the daily cap of three get it", async () => {
    const amb = await member(services, "cap_amb");
    const code = await services.referrals.codeOf(amb.userId);
    const people = await Promise.all(
      Array.from({ length: 12 }, (_, i) => member(services, `cap_member${i}`)),
    );
    const outcomes = await Promise.all(people.map((p) => claim(p, code)));
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(3);
    expect(outcomes.filter((o) => o === "referral_cap")).toHaveLength(9);
    expect(await services.db.prisma.referral.count({ where: { referrerUserId: amb.userId } })).toBe(3);
  });

  it("two members claiming each other's code at once: one referral, the other refused as a cycle", async () => {
    for (let round = 0; round < 5; round++) {
      const a = await member(services, `pair_a${round}`);
      const b = await member(services, `pair_b${round}`);
      const [codeA, codeB] = [
        await services.referrals.codeOf(a.userId),
        await services.referrals.codeOf(b.userId),
      ];
      const outcomes = await Promise.all([claim(a, codeB), claim(b, codeA)]);
      expect(outcomes.sort()).toEqual(["ok", "referral_cycle"]);
    }
  });

  it("one member claiming two codes at once keeps exactly one referrer", async () => {
    const [x, y] = [await member(services, "two_x"), await member(services, "two_y")];
    const m = await member(services, "two_member");
    const outcomes = await Promise.all([
      claim(m, await services.referrals.codeOf(x.userId)),
      claim(m, await services.referrals.codeOf(y.userId)),
    ]);
    expect(outcomes.sort()).toEqual(["already_referred", "ok"]);
  });
});

(postgresAvailable() ? describe : describe.skip)(
  "a referral claimed during one's first funding [postgres]",
  () => {
    let test: TestApp;
    let services: Services;
    beforeAll(async () => {
      // forge: a creator's ambassador earns its rate of every deposit, so who came first shows in money.
      test = await createTestApp("postgres", { env: { FEE_POLICY: "forge" }, poolSize: 20 });
      services = test.app.services;
    });
    afterAll(async () => {
      await test?.close();
    });

    it("is decided as if one came first: referred and paid on that deposit, or refused as too late", {
      timeout: 120_000,
    }, async () => {
      const amb = await member(services, "race_amb");
      await stakeToTier(services, amb, 3);
      const code = await services.referrals.codeOf(amb.userId);
      const outcomes: string[] = [];
      for (let round = 0; round < 12; round++) {
        const creator = await member(services, `race_creator${round}`);
        await grant(services, creator.userId, "USDC", 2_000_000_000n);
        await grant(services, creator.userId, "SOL", 10_000_000_000n);
        const factory = await services.factories.create({
          actor: creator,
          key: uniqueKey("factory"),
          name: `Race ${round}`,
          token: "USDC",
          bidAtoms: 1_000_000n,
          tasks: [{ title: "Checkout", app: "Shop", objectives: ["Open the shop"] }],
        });
        const fund = services.factories.fund({
          actor: creator,
          key: uniqueKey("fund"),
          factoryId: factory.id,
          amountAtoms: 1_000_000_000n,
        });
        const [claimed] = await Promise.all([claimWith(services, creator, code), fund]);
        outcomes.push(claimed);
        const referred =
          (await services.referrals.referrerOf(services.db.prisma, creator.userId)) !== undefined;
        const commissions = await services.db.prisma.transfer.count({
          where: { code: { startsWith: "commission." }, meta: { path: ["factoryId"], equals: factory.id } },
        });
        // Referred before the deposit: its commission was paid. Otherwise the claim came too late.
        expect({ round, claimed, referred, commissions }).toEqual(
          referred
            ? { round, claimed: "ok", referred, commissions: 1 }
            : { round, claimed: "referral_too_late", referred, commissions: 0 },
        );
      }
      expect(outcomes.length).toBe(12);
    });
  },
);

describe("/link merges referrals and stakes [pglite]", () => {
  let test: TestApp;
  let services: Services;
  beforeAll(async () => {
    test = await createTestApp("pglite");
    services = test.app.services;
  });
  afterAll(async () => {
    await test?.close();
  });

  it("the merged account's referrer, referrals, stake and cooling unstakes follow it", async () => {
    const amb = await member(services, "m_amb");
    const stay = await member(services, "m_stay"); // the account that remains (shown the code)
    const ref = await services.identity.ensureUser({
      platform: "telegram",
      id: "777",
      displayName: "m_leave",
    });
    const leave: Actor = { ...stay, userId: ref.userId, displayName: "m_leave", platform: "telegram" };
    const referred = await member(services, "m_referred");
    const now = test.clock.now();
    await services.referrals.use({
      actor: leave,
      key: uniqueKey("use"),
      code: await services.referrals.codeOf(amb.userId),
      now,
    });
    await services.referrals.use({
      actor: referred,
      key: uniqueKey("use"),
      code: await services.referrals.codeOf(leave.userId),
      now,
    });
    await stakeToTier(services, leave, 2);
    await services.staking.remove({
      actor: leave,
      key: uniqueKey("unstake"),
      amountAtoms: services.staking.thresholdOf(1),
      now,
    });
    await services.db.transaction(async (tx) => {
      const { code } = await services.identity.createLinkCode(tx, stay.userId, "console", now);
      await services.identity.redeemLinkCode(tx, leave.userId, code, now);
    });
    expect((await services.referrals.referrerOf(services.db.prisma, stay.userId))?.referrerUserId).toBe(
      amb.userId,
    );
    expect((await services.referrals.referrerOf(services.db.prisma, referred.userId))?.referrerUserId).toBe(
      stay.userId,
    );
    const status = await services.staking.status(services.db.prisma, stay.userId);
    expect(status).toMatchObject({ tier: 2, coolingAtoms: services.staking.thresholdOf(1) });
    expect(status.cooling).toHaveLength(1);
    // The merged account's old code now refers to the account that remains.
    const newcomer = await member(services, "m_new");
    const result = await services.referrals.use({
      actor: newcomer,
      key: uniqueKey("use"),
      code: await services.referrals.codeOf(leave.userId),
      now,
    });
    expect(result.referrerUserId).toBe(stay.userId);
  });
});
