// How many SQL statements a read command costs, counted at the drivers (PGlite's query, pg's
// Client.query): who is asking, moderator or not, is one statement for a known member, and none
// while the member is remembered. /balance itself is one more.
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { describeConsole } from "#test/helpers/console.ts";

const seen: string[] = [];
let restore: Array<() => void> = [];

function recordCalls<T extends object>(target: T, method: keyof T & string): void {
  const original = target[method] as unknown as (...args: unknown[]) => unknown;
  (target as Record<string, unknown>)[method] = function (this: unknown, ...args: unknown[]) {
    const sql = args[0];
    seen.push(typeof sql === "string" ? sql : String((sql as { text?: string }).text));
    return original.apply(this, args);
  };
  restore.push(() => {
    (target as Record<string, unknown>)[method] = original;
  });
}

describeConsole(
  "statements per read command",
  (get) => {
    beforeEach(() => {
      recordCalls(PGlite.prototype, "query");
      recordCalls(pg.Client.prototype, "query");
    });
    afterEach(() => {
      for (const undo of restore) undo();
      restore = [];
    });

    // The app's background work (queues, the scheduler) may query at the same moment: only the
    // statements about members and balances are counted.
    const balanceStatements = async (who: string) => {
      seen.length = 0;
      expect((await get().one(`@${who} /balance`)).ok).toBe(true);
      return seen.filter((sql) => /platform_accounts|users|FROM accounts/.test(sql));
    };

    it("costs the balance query alone once the member is remembered, moderator or not", async () => {
      for (const who of ["alice", "mod"]) {
        // First contact creates the member; on PostgreSQL nothing is remembered before LISTEN holds.
        await vi.waitFor(async () => {
          await balanceStatements(who);
          expect(get().app.services.identity.rememberedActors).toBeGreaterThan(0);
        });
        const warm = await balanceStatements(who);
        expect(warm).toHaveLength(1);
        expect(warm[0]).toMatch(/FROM accounts/);
      }
    });

    it("costs one statement for who is asking when nothing is remembered", async () => {
      for (const who of ["alice", "mod"]) {
        get().app.services.identity.forgetActors();
        const cold = await balanceStatements(who);
        expect(cold).toHaveLength(2);
        expect(cold[0]).toMatch(/FROM platform_accounts pa JOIN users/);
      }
    });
  },
  { moderators: ["mod"] },
);
