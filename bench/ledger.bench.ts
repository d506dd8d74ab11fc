// Ledger transfers per second, single client and 16 concurrent clients, on PGlite and PostgreSQL,
// beside the ceiling of the same machine in the same run: a bare SQL loop that updates one balance
// row per transaction through the same driver and transaction machinery.
import type { Database, DatabaseKind } from "#src/db/database.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { Ledger } from "#src/ledger/ledger.ts";
import { TokenRegistry } from "#src/ledger/tokens.ts";
import {
  type BenchRow,
  concurrentOpsPerSecond,
  defineSuite,
  onEachDatabase,
  opsPerSecond,
} from "./harness.ts";

const CLIENTS = 16;

async function fundedPairs(db: Database, ledger: Ledger, pairs: number): Promise<void> {
  await db.transaction((tx) =>
    ledger.execute(
      tx,
      Array.from({ length: pairs * 2 }, (_, i) => ({
        kind: "transfer" as const,
        key: `bench-seed-${i}`,
        debit: accounts.world("USDC"),
        credit: accounts.user(i, "USDC"),
        token: "USDC",
        amountAtoms: 10n ** 15n,
        code: "bench.seed",
      })),
    ),
  );
}

async function benchKind(
  kind: DatabaseKind,
  ctx: Parameters<Parameters<typeof defineSuite>[0]["run"]>[0],
): Promise<BenchRow[]> {
  const { db, drop } = await ctx.database(kind, CLIENTS + 4);
  try {
    const ledger = new Ledger(await db.transaction((tx) => TokenRegistry.load(tx)));
    await fundedPairs(db, ledger, CLIENTS);
    const single = ctx.quick ? 200 : kind === "pglite" ? 2000 : 3000;
    const perClient = ctx.quick ? 20 : kind === "pglite" ? 100 : 250;
    let key = 0;
    const move = (client: number) =>
      db
        .transaction((tx) =>
          ledger.transfer(tx, {
            key: `bench-${++key}`,
            debit: accounts.user(client * 2, "USDC"),
            credit: accounts.user(client * 2 + 1, "USDC"),
            token: "USDC",
            amountAtoms: 1n,
            code: "bench.move",
          }),
        )
        .then(() => undefined);
    const rowId = (await db.prisma.account.findFirstOrThrow({ where: { ownerType: "user", ownerId: "0" } }))
      .id;
    // Ceiling 1: the same transaction machinery (Prisma's interactive transaction) with one UPDATE.
    const bare = (client: number) =>
      db
        .transaction(
          (tx) => tx.db.$executeRaw`UPDATE accounts SET balance = balance + 1 WHERE id = ${rowId + client}`,
        )
        .then(() => undefined);
    // Ceiling 2: the driver itself (pg or PGlite), BEGIN / UPDATE / COMMIT, no Prisma at all.
    const sessions = await Promise.all(
      Array.from({ length: kind === "pglite" ? 1 : CLIENTS }, () => db.rawSession()),
    );
    const driver = async (client: number) => {
      const session = sessions[client % sessions.length]!;
      await session.query("BEGIN");
      await session.query("UPDATE accounts SET balance = balance + 1 WHERE id = $1", [rowId + client]);
      await session.query("COMMIT");
    };

    ctx.log(`${kind}: single client`);
    const driverSingle = await opsPerSecond(single, () => driver(0), 50);
    const ceilingSingle = await opsPerSecond(single, () => bare(0), 50);
    const ledgerSingle = await opsPerSecond(single, () => move(0), 50);
    ctx.log(`${kind}: ${CLIENTS} clients`);
    // PGlite has one connection: its "concurrent" driver ceiling is the single-client one.
    const driverConcurrent =
      kind === "pglite"
        ? driverSingle
        : await concurrentOpsPerSecond(CLIENTS, perClient * 2, (c) => driver(c));
    const ceilingConcurrent = await concurrentOpsPerSecond(CLIENTS, perClient, (c) => bare(c));
    const ledgerConcurrent = await concurrentOpsPerSecond(CLIENTS, perClient, (c) => move(c));
    for (const session of sessions) await session.release();
    const row = (
      clients: string,
      value: number,
      driverCeiling: number,
      prismaCeiling: number,
    ): BenchRow[] => [
      {
        suite: "ledger",
        case: `transfers/s, ${clients} vs driver`,
        database: kind,
        value,
        unit: "transfers/s",
        ceiling: driverCeiling,
        ratio: value / driverCeiling,
        notes: "ceiling: BEGIN/1-row UPDATE/COMMIT on the driver",
      },
      {
        suite: "ledger",
        case: `transfers/s, ${clients} vs Prisma tx`,
        database: kind,
        value,
        unit: "transfers/s",
        ceiling: prismaCeiling,
        ratio: value / prismaCeiling,
        notes: "ceiling: 1-row UPDATE in a Prisma interactive transaction",
      },
    ];
    return [
      ...row("1 client", ledgerSingle, driverSingle, ceilingSingle),
      ...row(`${CLIENTS} clients`, ledgerConcurrent, driverConcurrent, ceilingConcurrent),
    ];
  } finally {
    await drop();
  }
}

export default defineSuite({
  name: "ledger",
  description: "ledger transfers per second against a bare-SQL ceiling",
  run: (ctx) => onEachDatabase(ctx, benchKind),
});
