// Ledger.transferSet: many transfers from one account described by a query, applied set-based with
// the guarantees of execute: entries with running balances, idempotent keys whose replays match
// what execute would have written (same fingerprint), refusals that change nothing.
import { beforeAll, expect, it } from "vitest";
import type { Database } from "#src/db/database.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { Ledger } from "#src/ledger/ledger.ts";
import { TokenRegistry } from "#src/ledger/tokens.ts";
import { describeEachDatabase } from "#test/helpers/db.ts";

const TOKEN = "CLONES";
const SOURCE = `SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::numeric[], $5::text[], $6::jsonb[])
  AS v(ord, key, credit_account_id, amount, memo, meta)`;

/** The set's source: one row per transfer, in order. */
function rows(list: Array<{ key: string; credit: number; atoms: bigint; memo?: string }>) {
  return {
    sql: SOURCE,
    params: [
      list.map((_, i) => i + 1),
      list.map((r) => r.key),
      list.map((r) => r.credit),
      list.map((r) => r.atoms.toString()),
      list.map((r) => r.memo ?? null),
      list.map((r) => JSON.stringify({ key: r.key })),
    ],
  };
}

describeEachDatabase("ledger transfer sets", (getDb) => {
  let db: Database;
  let ledger: Ledger;
  let payer: number;
  let alice: number;
  let bob: number;
  const balance = async (id: number) => (await ledger.balance(db.prisma, id)).balanceAtoms;

  beforeAll(async () => {
    db = getDb();
    const tokens = await db.transaction((tx) => TokenRegistry.load(tx));
    ledger = new Ledger(tokens);
    [payer = 0, alice = 0, bob = 0] = await db.transaction((tx) =>
      ledger.accountIds(tx, [
        accounts.system("payer", TOKEN),
        accounts.user(1, TOKEN),
        accounts.user(2, TOKEN),
      ]),
    );
    await db.transaction((tx) =>
      ledger.transfer(tx, {
        key: "fund",
        debit: accounts.world(TOKEN),
        credit: payer!,
        token: TOKEN,
        amountAtoms: 1000n,
        code: "test.fund",
      }),
    );
  });

  const pay = (list: Parameters<typeof rows>[0]) =>
    db.transaction((tx) =>
      ledger.transferSet(tx, { debit: payer, token: TOKEN, code: "test.set", source: rows(list) }),
    );

  it("writes each transfer with two entries and running balances, the debit first", async () => {
    const result = await pay([
      { key: "set:a1", credit: alice, atoms: 100n, memo: "first" },
      { key: "set:b1", credit: bob, atoms: 50n },
      { key: "set:a2", credit: alice, atoms: 25n },
    ]);
    expect(result.replayed).toBe(0);
    expect(result.written.map((t) => [t.key, t.creditAccountId, t.amountAtoms, t.memo])).toEqual([
      ["set:a1", alice, 100n, "first"],
      ["set:b1", bob, 50n, null],
      ["set:a2", alice, 25n, null],
    ]);
    expect([await balance(payer), await balance(alice), await balance(bob)]).toEqual([825n, 125n, 50n]);
    const entries = await db.prisma.entry.findMany({
      where: { transferId: { in: result.written.map((t) => t.id) } },
      orderBy: { id: "asc" },
    });
    expect(entries.map((e) => [e.accountId, e.delta.toFixed(0), e.balanceAfter.toFixed(0)])).toEqual([
      [payer, "-100", "900"],
      [alice, "100", "100"],
      [payer, "-50", "850"],
      [bob, "50", "50"],
      [payer, "-25", "825"],
      [alice, "25", "125"],
    ]);
    expect((await auditLedger(db)).problems).toEqual([]);
  });

  it("replays a key used for the same transfer, by a set or by execute, and moves nothing", async () => {
    const again = await pay([
      { key: "set:a1", credit: alice, atoms: 100n, memo: "another memo" },
      { key: "set:b1", credit: bob, atoms: 50n },
    ]);
    expect(again).toEqual({ written: [], replayed: 2 });
    const single = await db.transaction((tx) =>
      ledger.transfer(tx, {
        key: "set:b1",
        debit: payer,
        credit: bob,
        token: TOKEN,
        amountAtoms: 50n,
        code: "test.set",
      }),
    );
    expect(single.replayed).toBe(true);
    // A batch of new and replayed keys writes only the new ones.
    const mixed = await pay([
      { key: "set:a1", credit: alice, atoms: 100n },
      { key: "set:b2", credit: bob, atoms: 5n },
    ]);
    expect(mixed.replayed).toBe(1);
    expect(mixed.written.map((t) => t.key)).toEqual(["set:b2"]);
    expect([await balance(payer), await balance(alice), await balance(bob)]).toEqual([820n, 125n, 55n]);
  });

  it("refuses a key used for another transfer, an overdraft and a bad row, changing nothing", async () => {
    const before = [await balance(payer), await db.prisma.transfer.count()];
    await expect(
      pay([
        { key: "set:new", credit: bob, atoms: 1n },
        { key: "set:a1", credit: alice, atoms: 101n },
      ]),
    ).rejects.toMatchObject({ code: "idempotency_conflict" });
    await expect(pay([{ key: "set:big", credit: bob, atoms: 821n }])).rejects.toMatchObject({
      code: "insufficient_funds",
    });
    await expect(pay([{ key: "set:zero", credit: bob, atoms: 0n }])).rejects.toMatchObject({
      code: "invalid_amount",
    });
    await expect(pay([{ key: "set:self", credit: payer, atoms: 1n }])).rejects.toMatchObject({
      code: "invalid_transfer",
    });
    await expect(
      pay([
        { key: "set:twice", credit: bob, atoms: 1n },
        { key: "set:twice", credit: alice, atoms: 1n },
      ]),
    ).rejects.toMatchObject({ code: "duplicate_key" });
    expect([await balance(payer), await db.prisma.transfer.count()]).toEqual(before);
    expect((await auditLedger(db)).problems).toEqual([]);
  });

  it("writes nothing for an empty set", async () => {
    expect(await pay([])).toEqual({ written: [], replayed: 0 });
  });
});
