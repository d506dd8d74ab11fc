// The cache's own rules, without a database: what it refuses to serve and to store.
import { describe, expect, it } from "vitest";
import { ActorCache, type CachedActor } from "#src/identity/actor-cache.ts";

const dana: CachedActor = { userId: 1, displayName: "Dana", username: "dana", isModerator: false };

function cache(options: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 0;
  const c = new ActorCache({
    ttlMs: options.ttlMs ?? 1000,
    maxEntries: options.maxEntries ?? 10,
    now: () => now,
  });
  return { c, advance: (ms: number) => (now += ms) };
}

describe("actor cache", () => {
  it("serves and stores nothing until it can hear invalidations", () => {
    const { c } = cache();
    c.store("discord:1", dana, c.generation());
    expect(c.get("discord:1")).toBeUndefined();
    c.hearing();
    c.store("discord:1", dana, c.generation());
    expect(c.get("discord:1")).toEqual(dana);
    c.deaf();
    expect(c.get("discord:1")).toBeUndefined();
    c.hearing();
    expect(c.get("discord:1")).toBeUndefined(); // what it kept before going deaf is gone
  });

  it("refuses what a lookup read before an invalidation (it may be from before the merge)", () => {
    const { c } = cache();
    c.hearing();
    const began = c.generation();
    c.invalidateAll(); // a merge committed while the lookup was in flight
    c.store("discord:1", dana, began);
    expect(c.get("discord:1")).toBeUndefined();
    c.store("discord:1", dana, c.generation());
    expect(c.get("discord:1")).toEqual(dana);
  });

  it("refuses what was read before it started hearing", () => {
    const { c } = cache();
    const began = c.generation();
    c.hearing();
    c.store("discord:1", dana, began);
    expect(c.get("discord:1")).toBeUndefined();
  });

  it("lets entries expire, and drops the oldest when full", () => {
    const { c, advance } = cache({ ttlMs: 1000, maxEntries: 2 });
    c.hearing();
    c.store("a", dana, c.generation());
    advance(500);
    c.store("b", dana, c.generation());
    advance(100);
    c.store("c", dana, c.generation());
    expect([c.get("a"), c.size]).toEqual([undefined, 2]); // the oldest made room
    advance(950);
    expect(c.get("b")).toBeUndefined(); // 1,050 ms old
    expect(c.get("c")).toEqual(dana);
  });

  it("wakes a merge waiting for its own notification, and gives up after the timeout", async () => {
    const { c } = cache();
    expect(await c.untilHeard("merged 1 into 2", 10)).toBe(false); // deaf: nothing to wait for
    c.hearing();
    const heard = c.untilHeard("merged 1 into 2", 5000);
    const other = c.untilHeard("merged 3 into 4", 10);
    c.heard("merged 1 into 2");
    expect(await heard).toBe(true);
    expect(await other).toBe(false);
  });

  it("reads the listener's socket before serving what it remembers", async () => {
    const { c } = cache();
    c.hearing();
    c.store("discord:1", dana, c.generation());
    const served = c.current("discord:1");
    c.heard("merged 1 into 2"); // arrived in the same turn as the command
    expect(await served).toBeUndefined();
  });
});
