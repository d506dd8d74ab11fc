import { beforeAll, expect, it } from "vitest";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { Ledger } from "#src/ledger/ledger.ts";
import { TokenRegistry } from "#src/ledger/tokens.ts";
import { describeEachDatabase } from "#test/helpers/db.ts";

describeEachDatabase("ledger transfers", (getDb) => {
  let ledger: Ledger;
  beforeAll(async () => {
    const tokens = await getDb().transaction((tx) => TokenRegistry.load(tx.db));
    ledger = new Ledger(tokens);
  });

  it("moves money, replays by key, and refuses overdrafts", async () => {
    const db = getDb();
    const credit = await db.transaction((tx) =>
      ledger.transfer(tx, {
        key: "t1",
        debit: accounts.world("USDC"),
        credit: accounts.user(1, "USDC"),
        token: "USDC",
        amountAtoms: 100n,
        code: "admin.credit",
      }),
    );
    expect(credit.replayed).toBe(false);
    const again = await db.transaction((tx) =>
      ledger.transfer(tx, {
        key: "t1",
        debit: accounts.world("USDC"),
        credit: accounts.user(1, "USDC"),
        token: "USDC",
        amountAtoms: 100n,
        code: "admin.credit",
      }),
    );
    expect(again).toMatchObject({ id: credit.id, replayed: true });
    await expect(
      db.transaction((tx) =>
        ledger.transfer(tx, {
          key: "t1",
          debit: accounts.world("USDC"),
          credit: accounts.user(1, "USDC"),
          token: "USDC",
          amountAtoms: 99n,
          code: "admin.credit",
        }),
      ),
    ).rejects.toMatchObject({ code: "idempotency_conflict" });
    await expect(
      db.transaction((tx) =>
        ledger.transfer(tx, {
          key: "t2",
          debit: accounts.user(1, "USDC"),
          credit: accounts.user(2, "USDC"),
          token: "USDC",
          amountAtoms: 101n,
          code: "user.send",
        }),
      ),
    ).rejects.toMatchObject({ code: "insufficient_funds" });
    const balance = await ledger.balance(db.prisma, accounts.user(1, "USDC"));
    expect(balance.balanceAtoms).toBe(100n);
    expect((await auditLedger(db)).problems).toEqual([]);
  });

  it("reserves, posts in part and refuses a second resolution", async () => {
    const db = getDb();
    const pool = accounts.pool(7, "USDC");
    await db.transaction((tx) =>
      ledger.transfer(tx, {
        key: "fund",
        debit: accounts.world("USDC"),
        credit: pool,
        token: "USDC",
        amountAtoms: 1000n,
        code: "pool.fund",
      }),
    );
    const reservation = await db.transaction((tx) =>
      ledger.reserve(tx, {
        key: "r1",
        debit: pool,
        credit: accounts.escrow("USDC"),
        token: "USDC",
        amountAtoms: 200n,
        code: "submission.reserve",
      }),
    );
    expect(await ledger.balance(db.prisma, pool)).toEqual({
      balanceAtoms: 1000n,
      pendingAtoms: 200n,
      availableAtoms: 800n,
    });
    const posted = await db.transaction((tx) =>
      ledger.post(tx, { key: "p1", pendingId: reservation.id, amountAtoms: 180n }),
    );
    expect(posted.amountAtoms).toBe(180n);
    expect(await ledger.balance(db.prisma, pool)).toEqual({
      balanceAtoms: 820n,
      pendingAtoms: 0n,
      availableAtoms: 820n,
    });
    await expect(
      db.transaction((tx) => ledger.void(tx, { key: "v1", pendingId: reservation.id })),
    ).rejects.toMatchObject({
      code: "pending_resolved",
    });
    const report = await auditLedger(db);
    expect(report.problems).toEqual([]);
    expect(report.tokens.find((t) => t.token === "USDC")?.sumAtoms).toBe(0n);
  });
});
