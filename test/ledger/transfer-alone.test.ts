// Ledger.transferAlone: a transfer that is its own transaction, one statement on the driver. The
// same guarantees as a transfer inside a business transaction: no overdraft under concurrency, one
// movement per key, refusals that change nothing, entries that audit.
import { beforeAll, expect, it } from "vitest";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { Ledger } from "#src/ledger/ledger.ts";
import { TokenRegistry } from "#src/ledger/tokens.ts";
import { describeEachDatabase } from "#test/helpers/db.ts";

describeEachDatabase(
  "a transfer alone on the driver",
  (getDb) => {
    let ledger: Ledger;
    beforeAll(async () => {
      ledger = new Ledger(await getDb().transaction((tx) => TokenRegistry.load(tx)));
    });

    it("32 clients each moving 10 out of 100: exactly 10 succeed, the rest are refused", async () => {
      const db = getDb();
      const source = accounts.user(1, "USDC");
      const first = await ledger.transferAlone(db, {
        key: "seed",
        debit: accounts.world("USDC"),
        credit: source,
        token: "USDC",
        amountAtoms: 100n,
        code: "test.seed",
      });
      expect(first.replayed).toBe(false);
      // Every account is known by now: the moves below each take the one-statement path.
      for (let i = 0; i < 32; i++)
        await db.transaction((tx) => ledger.accountId(tx, accounts.user(100 + i, "USDC")));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 32 }, (_, i) =>
          ledger.transferAlone(db, {
            key: `move-${i}`,
            debit: source,
            credit: accounts.user(100 + i, "USDC"),
            token: "USDC",
            amountAtoms: 10n,
            code: "test.move",
          }),
        ),
      );
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(10);
      const refused = outcomes.filter((o) => o.status === "rejected");
      expect(refused).toHaveLength(22);
      for (const r of refused)
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "insufficient_funds" });
      expect(await ledger.balance(db.prisma, source)).toEqual({
        balanceAtoms: 0n,
        pendingAtoms: 0n,
        availableAtoms: 0n,
      });
      // A refusal wrote nothing: no transfer row for any refused key.
      expect(await db.prisma.transfer.count({ where: { code: "test.move" } })).toBe(10);
      const report = await auditLedger(db);
      expect(report.problems).toEqual([]);
      expect(report.tokens.find((t) => t.token === "USDC")!.sumAtoms).toBe(0n);
    });

    it("16 concurrent deliveries of one request move money once; another request on the key is refused", async () => {
      const db = getDb();
      const request = {
        key: "same-event",
        debit: accounts.world("USDC"),
        credit: accounts.user(7, "USDC"),
        token: "USDC",
        amountAtoms: 5n,
        code: "test.once",
      };
      await ledger.transferAlone(db, { ...request, key: "learn-ids" });
      const results = await Promise.all(Array.from({ length: 16 }, () => ledger.transferAlone(db, request)));
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      expect((await ledger.balance(db.prisma, accounts.user(7, "USDC"))).balanceAtoms).toBe(10n);
      await expect(ledger.transferAlone(db, { ...request, amountAtoms: 6n })).rejects.toMatchObject({
        code: "idempotency_conflict",
      });
      expect((await ledger.balance(db.prisma, accounts.user(7, "USDC"))).balanceAtoms).toBe(10n);
      expect((await auditLedger(db)).problems).toEqual([]);
    });

    it("refuses a move between accounts of another token and changes nothing", async () => {
      const db = getDb();
      const sol = accounts.user(8, "SOL");
      await ledger.transferAlone(db, {
        key: "sol-seed",
        debit: accounts.world("SOL"),
        credit: sol,
        token: "SOL",
        amountAtoms: 50n,
        code: "test.seed",
      });
      const solId = await db.transaction((tx) => ledger.accountId(tx, sol));
      const usdcId = await db.transaction((tx) => ledger.accountId(tx, accounts.user(9, "USDC")));
      await expect(
        ledger.transferAlone(db, {
          key: "mixed",
          debit: solId,
          credit: usdcId,
          token: "SOL",
          amountAtoms: 5n,
          code: "test.mixed",
        }),
      ).rejects.toMatchObject({ code: "invalid_transfer" });
      expect(await db.prisma.transfer.count({ where: { key: "mixed" } })).toBe(0);
      expect((await ledger.balance(db.prisma, sol)).balanceAtoms).toBe(50n);
    });
  },
  { poolSize: 40 },
);
