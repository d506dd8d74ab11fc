// Real concurrency on PostgreSQL: parallel transactions on separate connections.
import { beforeAll, expect, it } from "vitest";
import { createApp } from "#src/app.ts";
import { loadConfig } from "#src/config.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { Ledger } from "#src/ledger/ledger.ts";
import { TokenRegistry } from "#src/ledger/tokens.ts";
import { silentLogger } from "#src/log.ts";
import { describeEachDatabase } from "#test/helpers/db.ts";

describeEachDatabase(
  "ledger under concurrency",
  (getDb) => {
    let ledger: Ledger;
    beforeAll(async () => {
      ledger = new Ledger(await getDb().transaction((tx) => TokenRegistry.load(tx)));
    });

    it("32 clients each moving 10 out of 100: exactly 10 succeed, the rest are refused", async () => {
      const db = getDb();
      const source = accounts.user(1, "USDC");
      await db.transaction((tx) =>
        ledger.transfer(tx, {
          key: "seed",
          debit: accounts.world("USDC"),
          credit: source,
          token: "USDC",
          amountAtoms: 100n,
          code: "test.seed",
        }),
      );
      const outcomes = await Promise.allSettled(
        Array.from({ length: 32 }, (_, i) =>
          db.transaction((tx) =>
            ledger.transfer(tx, {
              key: `move-${i}`,
              debit: source,
              credit: accounts.user(100 + i, "USDC"),
              token: "USDC",
              amountAtoms: 10n,
              code: "test.move",
            }),
          ),
        ),
      );
      const succeeded = outcomes.filter((o) => o.status === "fulfilled");
      const refused = outcomes.filter((o) => o.status === "rejected");
      expect(succeeded).toHaveLength(10);
      expect(refused).toHaveLength(22);
      for (const r of refused)
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "insufficient_funds" });
      expect(await ledger.balance(db.prisma, source)).toEqual({
        balanceAtoms: 0n,
        pendingAtoms: 0n,
        availableAtoms: 0n,
      });
      const report = await auditLedger(db);
      expect(report.problems).toEqual([]);
      expect(report.tokens.find((t) => t.token === "USDC")!.sumAtoms).toBe(0n);
    });

    it("16 concurrent deliveries of one request move money once", async () => {
      const db = getDb();
      const results = await Promise.all(
        Array.from({ length: 16 }, () =>
          db.transaction((tx) =>
            ledger.transfer(tx, {
              key: "same-event",
              debit: accounts.world("USDC"),
              credit: accounts.user(7, "USDC"),
              token: "USDC",
              amountAtoms: 5n,
              code: "test.once",
            }),
          ),
        ),
      );
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      expect((await ledger.balance(db.prisma, accounts.user(7, "USDC"))).balanceAtoms).toBe(5n);
    });

    it("transfers crossing the same accounts in opposite directions do not deadlock", async () => {
      const db = getDb();
      const a = accounts.user(501, "USDC");
      const b = accounts.user(502, "USDC");
      for (const [key, who] of [
        ["fund-a", a],
        ["fund-b", b],
      ] as const) {
        await db.transaction((tx) =>
          ledger.transfer(tx, {
            key,
            debit: accounts.world("USDC"),
            credit: who,
            token: "USDC",
            amountAtoms: 1000n,
            code: "test.seed",
          }),
        );
      }
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          db.transaction((tx) =>
            ledger.execute(tx, [
              {
                kind: "transfer",
                key: `x-${i}-1`,
                debit: i % 2 ? a : b,
                credit: i % 2 ? b : a,
                token: "USDC",
                amountAtoms: 3n,
                code: "test.swap",
              },
              {
                kind: "transfer",
                key: `x-${i}-2`,
                debit: i % 2 ? b : a,
                credit: i % 2 ? a : b,
                token: "USDC",
                amountAtoms: 1n,
                code: "test.swap",
              },
            ]),
          ),
        ),
      );
      const total =
        (await ledger.balance(db.prisma, a)).balanceAtoms + (await ledger.balance(db.prisma, b)).balanceAtoms;
      expect(total).toBe(2000n);
      expect((await auditLedger(db)).problems).toEqual([]);
    });

    it("32 moderators' debits through the command pipeline at once: 10 succeed, nothing overdraws", async () => {
      const db = getDb();
      const app = await createApp(
        loadConfig({ LOG_LEVEL: "silent", MODERATORS: "console:mod" }),
        db,
        silentLogger,
      );
      const mod = { platform: "console" as const, id: "mod", username: "mod", displayName: "mod" };
      const member = { platform: "console" as const, id: "carol", username: "carol", displayName: "carol" };
      await app.dispatcher.dispatch({
        platform: "console",
        eventId: "hello",
        user: member,
        path: ["balance"],
        options: {},
      });
      const credit = await app.dispatcher.dispatch({
        platform: "console",
        eventId: "credit",
        user: mod,
        path: ["admin", "credit"],
        options: { user: "@carol", amount: "100", token: "SOL", reason: "seed" },
      });
      expect(credit.code).toBe("ok");
      const results = await Promise.all(
        Array.from({ length: 32 }, (_, i) =>
          app.dispatcher.dispatch({
            platform: "console",
            eventId: `debit-${i}`,
            user: mod,
            path: ["admin", "debit"],
            options: { user: "@carol", amount: "10", token: "SOL", reason: `payout ${i}` },
          }),
        ),
      );
      expect(results.filter((r) => r.code === "ok")).toHaveLength(10);
      expect(results.filter((r) => r.code === "insufficient_funds")).toHaveLength(22);
      expect(results.find((r) => r.code === "insufficient_funds")!.reply.text).toMatch(
        /Insufficient funds: 0 SOL available, 10 SOL needed/,
      );
      expect((await auditLedger(db)).problems).toEqual([]);
    });
  },
  { poolSize: 40 },
);
