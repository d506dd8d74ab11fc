import { readFileSync } from "node:fs";
import { loadImage } from "@napi-rs/canvas";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEADERBOARD_CARD } from "#src/leaderboards/cards/leaderboard-card.ts";
import { POOL_CARD } from "#src/leaderboards/cards/pool-card.ts";
import { PROFILE_CARD } from "#src/leaderboards/cards/profile-card.ts";
import { type ConsoleHarness, startConsole } from "#test/helpers/console.ts";
import { LedgerSeed } from "./seed.ts";

const USDC = 1_000_000n;

async function seedMembers(c: ConsoleHarness): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (const name of ["alice", "bob", "mod"]) {
    await c.one(`@${name} /balance`);
    const user = await c.app.services.identity.findByUsername(c.app.db.prisma, "console", name);
    ids[name] = user!.userId;
  }
  const seed = new LedgerSeed(c.app.db, c.app.services.ledger);
  const now = c.clock.now().toISOString();
  await seed.pay(ids.alice!, "payout.farmer", 300n * USDC, now, { meta: { factoryId: 7, submissionId: 1 } });
  await seed.pay(ids.bob!, "payout.farmer", 100n * USDC, now, { meta: { factoryId: 7, submissionId: 2 } });
  await seed.fund(7, 1000n * USDC, now);
  return ids;
}

describe("leaderboard, profile and pool commands on the console", () => {
  let c: ConsoleHarness;
  beforeAll(async () => {
    c = await startConsole("pglite", { moderators: ["mod"] });
    c.clock.set("2026-11-25T12:00:00Z");
    await seedMembers(c);
  });
  afterAll(() => c?.close());

  it("shows a board as text with its card written to a file", async () => {
    const record = await c.one("@bob /leaderboard farmers period:all token:USDC");
    expect(record.code).toBe("ok");
    expect(record.text).toContain("#1 alice — 300 USDC");
    expect(record.text).toContain("#2 bob — 100 USDC (1 payout) ← you");
    expect(record.image).toBeDefined();
    const image = await loadImage(readFileSync(record.image!));
    // Two rows (bob's among them): a card as tall as its rows, not the ten-row 720 px.
    expect([image.width, image.height]).toEqual([LEADERBOARD_CARD.width, 254]);
  });

  it("refuses a metric of another board with the ones it has", async () => {
    const record = await c.one("@bob /leaderboard farmers metric:funds");
    expect(record.code).toBe("invalid_option");
    expect(record.text).toMatch(/earnings/);
    // The board and metric of /admin leaderboard post are separate options: the service checks the pair.
    const post = await c.one("@mod /admin leaderboard post board:farmers metric:funds channel:#general");
    expect(post.code).toBe("invalid_metric");
    expect(post.text).toMatch(/earnings or quality/);
  });

  it("shows a profile card and a pool card, with text progress bars", async () => {
    const profile = await c.one("@alice /profile");
    expect(profile.code).toBe("ok");
    expect(profile.text).toContain("Earnings: 300 USDC");
    expect(profile.text).toContain("#1 of 2 farmers this month");
    expect((await loadImage(readFileSync(profile.image!))).width).toBe(PROFILE_CARD.width);

    const pool = await c.one("@alice /poolcard factory:7 token:USDC");
    expect(pool.code).toBe("ok");
    // 1000 funded and still in the pool; the payouts here came from outside it.
    expect(pool.text).toContain("Funds left ▓▓▓▓▓▓▓░░░ 71%");
    expect(pool.text).toContain("Paid to farmers: 400 USDC");
    expect((await loadImage(readFileSync(pool.image!))).height).toBe(POOL_CARD.height);

    const unknown = await c.one("@alice /poolcard factory:99 token:USDC");
    expect(unknown.code).toBe("unknown_pool");
  });

  it("draws a real factory's pool card: its name, funds and bid history from the pools feature", async () => {
    const setup = await c.run(`
      @cora /balance
      @mod /admin credit user:@cora amount:1000 token:USDC reason:grant
      @cora /factory create name:"Shop carts 🛒 for the very long name test of the card" token:USDC bid:0.2 task:"Cart" app:"Shop" objectives:"Open; Test" ref:t1
    `);
    expect(setup.map((r) => r.code)).toEqual(["ok", "ok", "ok"]);
    const factoryId = (setup[2]!.data as { factory: { id: number } }).factory.id;
    const fund = await c.run(`
      @cora /pool fund factory:${factoryId} amount:500
      @cora /confirm
      @cora /bid set factory:${factoryId} bid:0.5
    `);
    expect(fund.map((r) => r.code)).toEqual(["confirmation_required", "ok", "ok"]);

    const card = await c.one(`@alice /poolcard factory:${factoryId} token:USDC`);
    expect(card.code).toBe("ok");
    expect(card.text).toContain("Funds left ▓▓▓▓▓▓▓▓▓▓ 100%");
    expect(card.text).toContain("Latest bid: 0.5 USDC (2 in the history)");
    expect(card.data).toMatchObject({ bids: [{ price: "0.2" }, { price: "0.5" }] });

    const funds = await c.one("@alice /leaderboard factories metric:funds period:all");
    expect(funds.text).toContain("Shop carts 🛒 for the very long name test of the card");
  });

  it("ranks ambassadors by active referrals and shows a member's staking tier with its progress bar", async () => {
    const link = await c.one("@amb /referral link");
    const code = (link.data as { code: string }).code;
    const setup = await c.run(`
      @newbie /referral use code:${code}
      @mod /admin credit user:@newbie amount:100 token:USDC reason:grant
      @newbie /factory create name:"Newbie's" token:USDC bid:0.1 task:"T" app:"A" objectives:"O" ref:t1
    `);
    expect(setup.map((r) => r.code)).toEqual(["ok", "ok", "ok"]);
    const factoryId = (setup[2]!.data as { factory: { id: number } }).factory.id;
    const steps = await c.run(`
      @newbie /pool fund factory:${factoryId} amount:50
      @newbie /confirm
      @mod /admin credit user:@amb amount:1500000 token:CLONES reason:grant
      @amb /stake add amount:1500000
    `);
    expect(steps.map((r) => r.code)).toEqual(["confirmation_required", "ok", "ok", "ok"]);
    const board = await c.one("@amb /leaderboard ambassadors metric:referrals period:all");
    expect(board.code).toBe("ok");
    expect(board.text).toContain("#1 amb — 1 active ← you");
    const profile = await c.one("@amb /profile");
    // Tier 1 needs 0.1% of the supply (1,000,000 CLONES), tier 2 twice that: half-way there.
    expect(profile.text).toContain("Tier 1 → 2 ▓▓▓▓▓░░░░░ 50%");
    expect(profile.data).toMatchObject({ tier: 1 });
    // /stake status measures the same progress (one function, tierProgress): half-way, not 75%.
    const status = await c.one("@amb /stake status");
    expect(status.text).toContain(
      "Next: tier 2 at 2,000,000 CLONES (0.2% of the 1,000,000,000 CLONES supply left after burns): ▓▓▓▓▓░░░░░ 50%, 500,000 CLONES to go",
    );
  });

  it("lets moderators post now, and no one else", async () => {
    // Only channel posts count here (members were told of their credits earlier).
    const posts = () => c.notices.filter((n) => n.to.startsWith("in "));
    const refused = await c.one("@bob /admin leaderboard post board:farmers channel:#general");
    expect(refused.ok).toBe(false);
    expect(posts()).toHaveLength(0);
    const posted = await c.one("@mod /admin leaderboard post board:farmers channel:#general period:all");
    expect(posted.code).toBe("ok");
    expect(posts()).toHaveLength(1);
    expect(posts()[0]!.to).toBe("in #general");
    expect(posts()[0]!.text).toContain("#1 alice — 300 USDC");

    // A redelivered event (the same key) does not post again.
    const { leaderboards, notifier } = c.app.services;
    const mod = await c.app.services.identity.findByUsername(c.app.db.prisma, "console", "mod");
    const request = {
      actor: {
        userId: mod!.userId,
        displayName: "mod",
        isModerator: true,
        platform: "console" as const,
        platformUserId: "mod",
      },
      key: "redelivered-event",
      now: c.clock.now(),
      channel: { platform: "console", id: "#general" },
      board: "farmers" as const,
      period: "all" as const,
    };
    expect((await leaderboards.schedules.postNow(request, notifier, false)).replayed).toBe(false);
    expect((await leaderboards.schedules.postNow(request, notifier, false)).replayed).toBe(true);
    expect(posts()).toHaveLength(2);
  });

  it("schedules, lists and unschedules, refusing a bad cron with what to write", async () => {
    const bad = await c.one(
      '@mod /admin leaderboard schedule board:farmers channel:#general cron:"0 25 * * *"',
    );
    expect(bad.code).toBe("invalid_cron");
    expect(bad.text).toMatch(/hour field "25"/);
    const tooOften = await c.one(
      '@mod /admin leaderboard schedule board:farmers channel:#general cron:"* * * * *"',
    );
    expect(tooOften.code).toBe("invalid_cron");
    const notMod = await c.one(
      '@bob /admin leaderboard schedule board:farmers channel:#general cron:"0 9 * * 1"',
    );
    expect(notMod.ok).toBe(false);

    const made = await c.one(
      '@mod /admin leaderboard schedule board:arena metric:validators channel:#general cron:"0 9 * * 1"',
    );
    expect(made.code).toBe("ok");
    const data = made.data as { id: number; nextPostAt: string; metric: string };
    expect(data.metric).toBe("validators");
    expect(data.nextPostAt).toBe("2026-11-30T09:00:00.000Z");
    expect((await c.one("@mod /admin leaderboard schedules")).text).toContain(
      `#${data.id}: arena by validators`,
    );
    expect((await c.one(`@mod /admin leaderboard unschedule id:${data.id}`)).code).toBe("ok");
    expect((await c.one(`@mod /admin leaderboard unschedule id:${data.id}`)).code).toBe("unknown_schedule");
    expect((await c.one("@mod /admin leaderboard schedules")).text).toMatch(/None/);
  });
});

describe("with images off", () => {
  let c: ConsoleHarness;
  beforeAll(async () => {
    c = await startConsole("pglite", { env: { CARD_IMAGES: "false" } });
    await seedMembers(c);
  });
  afterAll(() => c?.close());

  it("answers with the same text and no picture", async () => {
    const record = await c.one("@bob /leaderboard farmers period:all");
    expect(record.code).toBe("ok");
    expect(record.text).toContain("#1 alice — 300 USDC");
    expect(record.image).toBeUndefined();
    expect((await c.one("@bob /profile")).image).toBeUndefined();
  });
});
