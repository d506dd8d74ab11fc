// The arena's settings: defaults, and every bad value refused at start-up with what to write.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "#src/config.ts";

describe("arena settings", () => {
  it("default to CLONES, no emission, gamma 0, alpha 1, eps 1, r 0.8, rank mode", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      ARENA_TOKEN: "CLONES",
      ARENA_EMISSION: "0",
      ARENA_GAMMA: "0",
      ARENA_ALPHA: "1",
      ARENA_EPSILON: "1",
      ARENA_RANK_RATIO: "0.8",
      ARENA_SCORE_MODE: "rank",
    });
  });

  it.each([
    ["ARENA_GAMMA", "0.6", "from 0 to 0.5"],
    ["ARENA_ALPHA", "0", "above 0 to 4"],
    ["ARENA_EPSILON", "-1", "expected a decimal number"],
    ["ARENA_RANK_RATIO", "1e-3", "expected a decimal number"],
    ["ARENA_EMISSION", "lots", "expected a decimal number"],
    ["ARENA_SCORE_MODE", "median", "ARENA_SCORE_MODE"],
    ["ARENA_TOKEN", "clones!", "token symbol"],
  ])("refuses %s=%s", (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
