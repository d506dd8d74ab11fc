import { beforeAll, expect, it } from "vitest";
import { HOUR, ManualClock } from "#src/core/clock.ts";
import { UserError } from "#src/core/errors.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { Ledger } from "#src/ledger/ledger.ts";
import { TokenRegistry } from "#src/ledger/tokens.ts";
import { describeEachDatabase } from "#test/helpers/db.ts";

describeEachDatabase("ledger transfers", (getDb) => {
  let ledger: Ledger;
  beforeAll(async () => {
    const tokens = await getDb().transaction((tx) => TokenRegistry.load(tx));
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

  it("decides expiry by the bot's clock, not the machine's", async () => {
    const db = getDb();
    const clock = new ManualClock("2030-01-01T00:00:00Z"); // years ahead of the machine's time
    const timed = new Ledger(ledger.tokens, clock);
    const pool = accounts.pool(8, "USDC");
    await db.transaction((tx) =>
      timed.transfer(tx, {
        key: "clock:fund",
        debit: accounts.world("USDC"),
        credit: pool,
        token: "USDC",
        amountAtoms: 500n,
        code: "pool.fund",
      }),
    );
    // A deadline in the machine's future but the bot's past cannot even be set.
    await expect(
      db.transaction((tx) =>
        timed.reserve(tx, {
          key: "clock:r0",
          debit: pool,
          credit: accounts.escrow("USDC"),
          token: "USDC",
          amountAtoms: 100n,
          code: "submission.reserve",
          expiresAt: new Date("2029-12-31T00:00:00Z"),
        }),
      ),
    ).rejects.toBeInstanceOf(UserError);
    const reservation = await db.transaction((tx) =>
      timed.reserve(tx, {
        key: "clock:r1",
        debit: pool,
        credit: accounts.escrow("USDC"),
        token: "USDC",
        amountAtoms: 100n,
        code: "submission.reserve",
        expiresAt: new Date("2030-01-01T01:00:00Z"),
      }),
    );
    clock.advance(2 * HOUR); // past the deadline on the bot's clock only
    await expect(
      db.transaction((tx) => timed.post(tx, { key: "clock:p1", pendingId: reservation.id })),
    ).rejects.toMatchObject({ message: expect.stringContaining("expired") });
    expect(await timed.balance(db.prisma, pool)).toEqual({
      balanceAtoms: 500n,
      pendingAtoms: 100n,
      availableAtoms: 400n,
    });
    await db.transaction((tx) => timed.void(tx, { key: "clock:v1", pendingId: reservation.id }));
    expect((await timed.balance(db.prisma, pool)).availableAtoms).toBe(500n);
    expect((await auditLedger(db)).problems).toEqual([]);
  });
});
