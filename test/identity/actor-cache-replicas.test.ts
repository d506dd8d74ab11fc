// The remembered actors stay right across replicas: two bots on one PostgreSQL database, each with
// its own cache. A /link merged on one is seen by the other at once: the merge's NOTIFY is sent
// in its transaction, and /link answers only once its own replica has heard it. A replica whose listener is lost serves
// nothing from its cache until it listens again. On PGlite (one process) the merge empties the
// cache at commit, so the very next command sees it.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type App, createApp } from "#src/app.ts";
import { loadConfig } from "#src/config.ts";
import { ManualClock } from "#src/core/clock.ts";
import type { PlatformUser } from "#src/core/context.ts";
import { type Database, openDatabase } from "#src/db/database.ts";
import { silentLogger } from "#src/log.ts";
import { createTestDatabase, postgresAvailable, type TestDatabase } from "#test/helpers/db.ts";

const onDiscord: PlatformUser = {
  platform: "discord",
  id: "81234567890123456",
  username: "dana",
  displayName: "Dana",
};
const onTelegram: PlatformUser = {
  platform: "telegram",
  id: "5551234",
  username: "dana_tg",
  displayName: "Dana T",
};
// Dana's Discord account is a moderator; her Telegram account gains the powers once linked.
const config = () =>
  loadConfig({ LOG_LEVEL: "silent", RATE_LIMIT_POINTS: "0", MODERATORS: "discord:81234567890123456" });

let n = 0;
const run = (app: App, user: PlatformUser, path: string[], options: Record<string, string> = {}) =>
  app.dispatcher.dispatch({ platform: user.platform, eventId: `ev${++n}`, user, path, options });

/** Who the replica takes this account for, and whether it may moderate. */
async function whoOn(app: App, user: PlatformUser) {
  const actor = await app.services.identity.actorOf(user);
  return { userId: actor.userId, isModerator: actor.isModerator };
}

async function link(app: App, shownTo = onDiscord, enteredBy = onTelegram) {
  const shown = await run(app, shownTo, ["link"]);
  const code = (shown.reply.data as { code: string }).code;
  const entered = await run(app, enteredBy, ["link"], { code });
  expect(entered.ok).toBe(true);
}

(postgresAvailable() ? describe : describe.skip)("actor cache across two replicas [postgres]", () => {
  let test: TestDatabase;
  let secondDb: Database;
  let a: App;
  let b: App;

  beforeAll(async () => {
    test = await createTestDatabase("postgres");
    secondDb = await openDatabase({ url: test.url, poolSize: 5 });
    const clock = new ManualClock("2026-02-01T00:00:00Z");
    a = await createApp(config(), test.db, silentLogger, clock);
    b = await createApp(config(), secondDb, silentLogger, clock);
  });
  afterAll(async () => {
    await secondDb?.close();
    await test?.drop();
  });

  it("a /link on one replica is seen by the other at once, moderator powers included", async () => {
    // Replica B remembers Dana's two accounts as two members, only one a moderator.
    const discordUser = await whoOn(b, onDiscord);
    const telegramUser = await whoOn(b, onTelegram);
    expect(discordUser.isModerator).toBe(true);
    expect(telegramUser).toMatchObject({ isModerator: false });
    expect(telegramUser.userId).not.toBe(discordUser.userId);
    // (B remembers nothing until its LISTEN holds.)
    await vi.waitFor(async () => {
      await whoOn(b, onTelegram);
      expect(b.services.identity.rememberedActors).toBeGreaterThan(0);
    });

    // /link answers once replica A has heard its own NOTIFY, which the same commit signalled to B.
    await link(a);
    expect(await whoOn(b, onTelegram)).toEqual({ userId: discordUser.userId, isModerator: true });
    // And it stays right: the merged-away member is never served again.
    expect(await whoOn(b, onTelegram)).toEqual({ userId: discordUser.userId, isModerator: true });
  });

  it("every one of ten links in a row is seen by the other replica at once", async () => {
    for (let i = 0; i < 10; i++) {
      const shownTo: PlatformUser = {
        platform: "discord",
        id: `77${i}`,
        username: `d${i}`,
        displayName: `D${i}`,
      };
      const enteredBy: PlatformUser = {
        platform: "telegram",
        id: `88${i}`,
        username: `t${i}`,
        displayName: `T${i}`,
      };
      const kept = await whoOn(b, shownTo);
      expect((await whoOn(b, enteredBy)).userId).not.toBe(kept.userId);
      expect(b.services.identity.rememberedActors).toBeGreaterThan(0);
      await link(a, shownTo, enteredBy);
      expect((await whoOn(b, enteredBy)).userId).toBe(kept.userId);
    }
  });

  it("serves nothing remembered while its listener is lost, and remembers again once it listens", async () => {
    const someone: PlatformUser = { platform: "discord", id: "4242", username: "sam", displayName: "Sam" };
    await whoOn(b, someone);
    expect(b.services.identity.rememberedActors).toBeGreaterThan(0);
    // Cut every LISTEN connection to this database (B's and A's): both caches must go deaf.
    await test.db.statement(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
    );
    await vi.waitFor(() => expect(b.services.identity.rememberedActors).toBe(0), {
      timeout: 2000,
      interval: 5,
    });
    await whoOn(b, someone);
    // Reconnected after a second: it remembers again.
    await vi.waitFor(
      async () => {
        await whoOn(b, someone);
        expect(b.services.identity.rememberedActors).toBeGreaterThan(0);
      },
      { timeout: 5000, interval: 50 },
    );
  });
});

describe("actor cache in one process [pglite]", () => {
  let test: TestDatabase;
  let app: App;

  beforeAll(async () => {
    test = await createTestDatabase("pglite");
    app = await createApp(config(), test.db, silentLogger, new ManualClock("2026-02-01T00:00:00Z"));
  });
  afterAll(async () => {
    await test?.drop();
  });

  it("a /link is seen by the very next command, moderator powers included", async () => {
    const discordUser = await whoOn(app, onDiscord);
    expect(await whoOn(app, onTelegram)).toMatchObject({ isModerator: false });
    await link(app);
    expect(await whoOn(app, onTelegram)).toEqual({ userId: discordUser.userId, isModerator: true });
  });

  it("a moderator added at run time has the powers at once", async () => {
    const someone: PlatformUser = { platform: "console", id: "kim", username: "kim", displayName: "kim" };
    expect((await whoOn(app, someone)).isModerator).toBe(false);
    app.services.identity.addModerator("console", "kim");
    expect((await whoOn(app, someone)).isModerator).toBe(true);
  });
});
