// Ten /leaderboard in a second from one member: the first three draw, the rest are told when to try
// again, and nothing is drawn for them. Counts live in the database, so two replicas share them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "#src/config.ts";
import { SECOND } from "#src/core/clock.ts";
import type { Invocation } from "#src/core/dispatch.ts";
import { CommandRateLimits } from "#src/core/rate-limits.ts";
import { silentLogger } from "#src/log.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { postgresAvailable } from "#test/helpers/db.ts";

const member: { id: string; displayName: string } = { id: "80351110224678912", displayName: "Bob" };
let event = 0;
const run = (path: string[], user = member, platform: Invocation["platform"] = "discord"): Invocation => ({
  platform,
  eventId: `e${++event}`,
  user: { ...user, platform },
  path,
  options: {},
});

for (const kind of ["pglite", "postgres"] as const) {
  (kind === "postgres" && !postgresAvailable() ? describe.skip : describe)(`rate limits [${kind}]`, () => {
    let test: TestApp;

    beforeAll(async () => {
      test = await createTestApp(kind, {
        env: {
          RATE_LIMIT_POINTS: "5",
          RATE_LIMIT_WINDOW_SECONDS: "10",
          RATE_LIMIT_COMMANDS: "leaderboard=3/10",
          CARD_IMAGES: "false",
        },
      });
    });
    afterAll(() => test.close());

    it("lets three of ten /leaderboard through and tells the rest when to try again", async () => {
      const { dispatcher } = test.app;
      const results = await Promise.all(
        Array.from({ length: 10 }, () => dispatcher.dispatch(run(["leaderboard", "farmers"]))),
      );
      const codes = results.map((r) => r.code);
      expect(codes.filter((c) => c === "ok")).toHaveLength(3);
      expect(codes.filter((c) => c === "rate_limited")).toHaveLength(7);
      const refused = results.find((r) => r.code === "rate_limited")!;
      expect(refused.reply.text).toBe(
        "Slow down a little: /leaderboard runs at most 3 times in 10 s for each member. Try again in 10 s.",
      );
      expect(refused.reply.data).toEqual({ error: { retryAfterSeconds: 10 } });

      // Another member, and another command, have counts of their own.
      const carol = { ...member, id: "1", displayName: "Carol" };
      expect((await dispatcher.dispatch(run(["leaderboard", "farmers"], carol))).code).toBe("ok");
      expect((await dispatcher.dispatch(run(["balance"]))).code).toBe("ok");

      test.clock.advance(4 * SECOND);
      const later = await dispatcher.dispatch(run(["leaderboard", "farmers"]));
      expect(later.reply.text).toMatch(/Try again in 6 s\.$/);
      test.clock.advance(6 * SECOND);
      expect((await dispatcher.dispatch(run(["leaderboard", "farmers"]))).code).toBe("ok");
    });

    it("shares the counts between replicas through the database", async () => {
      const config = loadConfig({ RATE_LIMIT_POINTS: "4", RATE_LIMIT_WINDOW_SECONDS: "60" });
      const replicas = [1, 2].map(() => new CommandRateLimits(test.app.db, config, silentLogger));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => replicas[i % 2]!.check(77, ["history"])),
      );
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(4);
      const row = await test.app.db.prisma.rateLimit.findUnique({ where: { key: "history:77" } });
      expect(row?.points).toBe(8);
      expect(row?.expires.toISOString()).toBe(
        new Date(test.clock.now().getTime() + 60 * SECOND).toISOString(),
      );
    });

    it("leaves the console alone, and is off at 0", async () => {
      const { dispatcher } = test.app;
      const operator = { id: "op", displayName: "op" };
      const onConsole = await Promise.all(
        Array.from({ length: 6 }, () =>
          dispatcher.dispatch(run(["leaderboard", "farmers"], operator, "console")),
        ),
      );
      expect(onConsole.every((r) => r.code === "ok")).toBe(true);
      const off = new CommandRateLimits(
        test.app.db,
        loadConfig({ RATE_LIMIT_POINTS: "0", RATE_LIMIT_COMMANDS: "" }),
        silentLogger,
      );
      for (let i = 0; i < 20; i++) await off.check(78, ["balance"]);
      expect(await test.app.db.prisma.rateLimit.count({ where: { key: { endsWith: ":78" } } })).toBe(0);
    });
  });
}

describe("RATE_LIMIT_COMMANDS", () => {
  it("reads command=runs/seconds items and refuses anything else with the setting's name", () => {
    expect(
      loadConfig({ RATE_LIMIT_COMMANDS: "leaderboard=3/10, arena task list=2/5" }).RATE_LIMIT_COMMANDS,
    ).toEqual({
      leaderboard: { points: 3, seconds: 10 },
      "arena task list": { points: 2, seconds: 5 },
    });
    expect(() => loadConfig({ RATE_LIMIT_COMMANDS: "leaderboard=3" })).toThrow(
      /RATE_LIMIT_COMMANDS: expected command=runs\/seconds items/,
    );
    expect(() => loadConfig({ RATE_LIMIT_COMMANDS: "leaderboard=3/0" })).toThrow(/RATE_LIMIT_COMMANDS/);
  });
});
