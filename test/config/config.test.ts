import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "#src/config.ts";

describe("configuration", () => {
  it("has working defaults", () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe("./data/forgebot");
    expect(config.MODERATORS).toEqual([]);
  });

  it("reads moderators and extra tokens", () => {
    const config = loadConfig({
      MODERATORS: "discord:81234, telegram:5551 ,console:alice",
      EXTRA_TOKENS: "FORGE:9:So1ana,PTS:0",
    });
    expect(config.MODERATORS).toEqual([
      { platform: "discord", id: "81234" },
      { platform: "telegram", id: "5551" },
      { platform: "console", id: "alice" },
    ]);
    expect(config.EXTRA_TOKENS).toEqual([
      { symbol: "FORGE", decimals: 9, mint: "So1ana" },
      { symbol: "PTS", decimals: 0 },
    ]);
  });

  it.each([
    [
      { DATABASE_URL: "mysql://root@localhost/x" },
      /DATABASE_URL: expected postgresql:\/\/.*memory:\/\/.*directory.*\(got "mysql:\/\/root@localhost\/x"\)/,
    ],
    [{ DATABASE_POOL_SIZE: "lots" }, /DATABASE_POOL_SIZE/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL/],
    [{ MODERATORS: "slack:123" }, /MODERATORS: expected platform:id pairs.*"slack:123" is not one/],
    [{ EXTRA_TOKENS: "doge:99" }, /EXTRA_TOKENS: expected SYMBOL:decimals/],
    [{ DEMO_MAX_BYTES: String(600 * 1024 * 1024) }, /DEMO_MAX_BYTES/],
  ])("stops on %j with a message naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("never echoes a password or a secret", () => {
    try {
      loadConfig({ DATABASE_URL: "mysql://user:hunter2@db/x" });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain("hunter2");
      expect((error as Error).message).toContain("user:***@");
    }
  });
});
