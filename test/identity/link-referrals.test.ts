// /link never leaves a referral pointing to itself or in a cycle (docs/economy.md section 6): when the
// two accounts sit in each other's referral chain, the joined member's own referral is dropped;
// otherwise it keeps the remaining account's referrer, else the merged-away one's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "#src/core/context.ts";
import type { Services } from "#src/services.ts";
import { member, uniqueKey } from "#test/economy/ambassador-harness.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";

describe("/link and the referral chain [pglite]", () => {
  let test: TestApp;
  let services: Services;
  beforeAll(async () => {
    test = await createTestApp("pglite");
    services = test.app.services;
  });
  afterAll(async () => {
    await test?.close();
  });

  const now = new Date("2026-01-01T00:00:00Z");
  /** A member on Telegram: the other half of a console member's pair of accounts. */
  const onTelegram = async (name: string): Promise<Actor> => {
    const ref = await services.identity.ensureUser({ platform: "telegram", id: name, displayName: name });
    return { ...ref, isModerator: false, platform: "telegram", platformUserId: name };
  };
  const refers = async (referrer: Actor, referred: Actor) =>
    services.referrals.use({
      actor: referred,
      key: uniqueKey("use"),
      code: await services.referrals.codeOf(referrer.userId),
      now,
    });
  /** `entering` types the code `shown` was given: `entering` is merged into `shown`. */
  const link = (shown: Actor, entering: Actor) =>
    services.db.transaction(async (tx) => {
      const { code } = await services.identity.createLinkCode(tx, shown.userId, shown.platform, now);
      await services.identity.redeemLinkCode(tx, entering.userId, code, now);
    });
  const referrerOf = async (who: Actor) =>
    (await services.referrals.referrerOf(services.db.prisma, who.userId))?.referrerUserId;
  /** The referral graph walked up from every member: a cycle never ends, so it is caught. */
  const cycles = async () => {
    const rows = await services.db.prisma.referral.findMany();
    const up = new Map(rows.map((r) => [r.referredUserId, r.referrerUserId]));
    return rows.filter((r) => {
      const seen = new Set<number>();
      for (let at: number | undefined = r.referredUserId; at !== undefined; at = up.get(at)) {
        if (seen.has(at)) return true;
        seen.add(at);
      }
      return false;
    });
  };

  it("A referred B, and B joins A: the self-referral disappears", async () => {
    const a = await member(services, "self_a");
    const b = await onTelegram("self_b");
    await refers(a, b);
    await link(a, b);
    expect(await referrerOf(a)).toBeUndefined();
    expect(await services.db.prisma.referral.count({ where: { referrerUserId: a.userId } })).toBe(0);
  });

  it("A referred B who referred C, and C joins A: A takes no referrer, B stays A's", async () => {
    const a = await member(services, "chain_a");
    const b = await member(services, "chain_b");
    const c = await onTelegram("chain_c");
    await refers(a, b);
    await refers(b, c);
    await link(a, c);
    expect(await cycles()).toEqual([]);
    expect(await referrerOf(a)).toBeUndefined();
    expect(await referrerOf(b)).toBe(a.userId);
  });

  it("the same pair the other way round: A joins C, and C refers B", async () => {
    const a = await onTelegram("rev_a");
    const b = await member(services, "rev_b");
    const c = await member(services, "rev_c");
    await refers(a, b);
    await refers(b, c);
    await link(c, a);
    expect(await cycles()).toEqual([]);
    expect(await referrerOf(c)).toBeUndefined();
    expect(await referrerOf(b)).toBe(c.userId);
  });

  it("no cycle at stake: the remaining account's referrer wins over the merged-away one's", async () => {
    const x = await member(services, "keep_x");
    const y = await member(services, "keep_y");
    const stay = await member(services, "keep_stay");
    const leave = await onTelegram("keep_leave");
    await refers(x, stay);
    await refers(y, leave);
    await link(stay, leave);
    expect(await referrerOf(stay)).toBe(x.userId);
    expect(await services.db.prisma.referral.count({ where: { referrerUserId: y.userId } })).toBe(0);
    expect(await cycles()).toEqual([]);
  });
});
