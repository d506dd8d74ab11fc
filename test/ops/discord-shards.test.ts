// Discord's gateway split into shards across processes: the settings are checked together, and a
// process given some shard ids connects those shards, and only those, out of the total count.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "#src/config.ts";
import { silentLogger } from "#src/log.ts";
import { type RunningFrontEnds, startFrontEnds } from "#src/platforms/front-ends.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { BOT_TOKEN, type FakeDiscord, startFakeDiscord } from "#test/helpers/fake-discord.ts";

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig({ DATABASE_URL: "memory://", ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe("gateway shard settings", () => {
  it("reads ids and ranges, in order and once each", () => {
    const config = loadConfig({
      DATABASE_URL: "memory://",
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_SHARD_COUNT: "8",
      DISCORD_SHARD_IDS: "6, 0-2,1",
    });
    expect(config.DISCORD_SHARD_IDS).toEqual([0, 1, 2, 6]);
    expect(config.DISCORD_SHARD_COUNT).toBe(8);
  });

  it("refuses ids without the count, ids past it, junk, and shards in HTTP mode, saying what to do", () => {
    expect(problemsOf({ DISCORD_TOKEN: BOT_TOKEN, DISCORD_SHARD_IDS: "0" })).toEqual([
      "DISCORD_SHARD_COUNT: DISCORD_SHARD_IDS needs the total count of shards across processes",
    ]);
    expect(
      problemsOf({ DISCORD_TOKEN: BOT_TOKEN, DISCORD_SHARD_IDS: "2-4", DISCORD_SHARD_COUNT: "4" }),
    ).toEqual(['DISCORD_SHARD_IDS: shard ids run from 0 to DISCORD_SHARD_COUNT - 1 (3) (got "2-4")']);
    expect(
      problemsOf({ DISCORD_TOKEN: BOT_TOKEN, DISCORD_SHARD_IDS: "one", DISCORD_SHARD_COUNT: "4" }),
    ).toEqual(['DISCORD_SHARD_IDS: expected shard ids such as 0,1 or 4-7 (got "one")']);
    expect(
      problemsOf({ DISCORD_PUBLIC_KEY: "a".repeat(64), DISCORD_SHARD_IDS: "0", DISCORD_SHARD_COUNT: "2" }),
    ).toEqual([
      'DISCORD_SHARD_IDS: sharding is for the gateway; the HTTP endpoint has no shards (unset it, or DISCORD_MODE=gateway) (got "0")',
    ]);
  });
});

describe("a gateway process running some of the shards", () => {
  let discord: FakeDiscord;
  let test: TestApp;
  let running: RunningFrontEnds | undefined;

  beforeAll(async () => {
    discord = await startFakeDiscord();
    test = await createTestApp("pglite", {
      env: {
        DISCORD_TOKEN: BOT_TOKEN,
        DISCORD_API_BASE: discord.apiBase,
        DISCORD_SHARD_COUNT: "4",
        DISCORD_SHARD_IDS: "1,3",
        METRICS_TOKEN: "scrape-token-for-the-tests-0123",
        HTTP_HOST: "127.0.0.1",
        HTTP_PORT: "0",
      },
    });
    running = await startFrontEnds(test.app, silentLogger);
  });
  afterAll(async () => {
    await running?.stop();
    await discord?.close();
    await test?.close();
  });

  it("identifies shards 1 and 3 of 4, and is ready once they are connected", async () => {
    expect(running!.names).toEqual(["discord (gateway)"]);
    expect(discord.identifies.map((d) => d.shard).sort()).toEqual([
      [1, 4],
      [3, 4],
    ]);
    const ready = await fetch(`http://127.0.0.1:${running!.httpPort}/readyz`);
    expect(await ready.json()).toEqual({
      ready: true,
      checks: { database: "ok", migrations: "ok", discord: "ok" },
    });
  });
});
