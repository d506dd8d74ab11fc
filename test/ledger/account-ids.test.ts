// Ledger.accountIds: many accounts resolved in one statement, the same ids accountId gives, the
// missing ones opened, duplicates and the cache handled.
import { beforeAll, expect, it } from "vitest";
import { accounts } from "#src/ledger/accounts.ts";
import { Ledger } from "#src/ledger/ledger.ts";
import { TokenRegistry } from "#src/ledger/tokens.ts";
import { describeEachDatabase } from "#test/helpers/db.ts";

describeEachDatabase(
  "ledger account ids in bulk",
  (getDb) => {
    let ledger: Ledger;
    beforeAll(async () => {
      const tokens = await getDb().transaction((tx) => TokenRegistry.load(tx));
      ledger = new Ledger(tokens);
    });

    it("opens the missing accounts and agrees with accountId", async () => {
      const db = getDb();
      const existing = await db.transaction((tx) => ledger.accountId(tx, accounts.user(1, "CLONES")));
      const keys = [
        accounts.user(1, "CLONES"),
        accounts.user(2, "CLONES"),
        accounts.emission("CLONES"),
        accounts.user(2, "CLONES"),
      ];
      const ids = await db.transaction((tx) => ledger.accountIds(tx, keys));
      expect(ids[0]).toBe(existing);
      expect(ids[1]).toBe(ids[3]);
      expect(new Set(ids).size).toBe(3);
      const emission = await db.prisma.account.findUniqueOrThrow({ where: { id: ids[2]! } });
      expect(emission.allowNegative).toBe(true);
      // A second call (now from the cache) and a fresh ledger (from the database) give the same ids.
      expect(await db.transaction((tx) => ledger.accountIds(tx, keys))).toEqual(ids);
      const fresh = new Ledger(ledger.tokens);
      expect(await db.transaction((tx) => fresh.accountIds(tx, keys))).toEqual(ids);
      expect(await db.transaction((tx) => fresh.accountId(tx, accounts.user(2, "CLONES")))).toBe(ids[1]);
    });

    it("refuses an unknown token and opens nothing", async () => {
      const db = getDb();
      const before = await db.prisma.account.count();
      await expect(db.transaction((tx) => ledger.accountIds(tx, [accounts.user(9, "NOPE")]))).rejects.toThrow(
        /no token/,
      );
      expect(await db.prisma.account.count()).toBe(before);
    });
  },
  { kinds: ["pglite"] },
);
