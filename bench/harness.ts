// The benchmark harness: each bench/*.bench.ts exports a suite; `npm run bench` runs them all (or
// `-- --only name`), prints one table and writes bench/results.json. Speed is compared with a
// ceiling measured in the same run on the same machine (the machines are noisy: ratios travel,
// absolute numbers do not).
import { PGlite } from "@electric-sql/pglite";
import { type Database, type DatabaseKind, openDatabase } from "#src/db/database.ts";
import { migrate } from "#src/db/migrate.ts";
import { createPostgresDatabase, isPostgresReachable } from "#test/helpers/databases.ts";
import type { BenchGoal } from "./goals.ts";

export type { BenchGoal } from "./goals.ts";

export interface BenchRow {
  suite: string;
  case: string;
  database?: DatabaseKind;
  /** The measured figure, e.g. transfers per second. */
  value: number;
  unit: string;
  /** The same machine's ceiling for this case, in the same unit, measured in the same run. */
  ceiling?: number;
  /** value / ceiling. */
  ratio?: number;
  /** Peak resident memory during the case, in MiB, where it matters. */
  peakRssMiB?: number;
  /** What the figure must be (issue 16's table); the table shows it and whether it is met. */
  goal?: BenchGoal;
  notes?: string;
}

export interface BenchContext {
  postgres: boolean;
  /** Fewer iterations: a smoke run (`npm run bench -- --quick`). */
  quick: boolean;
  /** Skip the embedded database's cases (`npm run bench -- --db postgres`): PGlite runs are long. */
  pglite: boolean;
  /** A fresh, migrated database of `kind`; drop it when done. */
  database(
    kind: DatabaseKind,
    poolSize?: number,
  ): Promise<{ db: Database; url: string; drop(): Promise<void> }>;
  log(message: string): void;
}

export interface BenchSuite {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

export const defineSuite = (suite: BenchSuite): BenchSuite => suite;

/** Runs a suite's cases on PGlite, then on PostgreSQL when it is reachable. */
export async function onEachDatabase(
  ctx: BenchContext,
  bench: (kind: DatabaseKind, ctx: BenchContext) => Promise<BenchRow[]>,
): Promise<BenchRow[]> {
  const rows = ctx.pglite ? await bench("pglite", ctx) : [];
  if (ctx.postgres) rows.push(...(await bench("postgres", ctx)));
  return rows;
}

export async function benchContext(
  quick: boolean,
  only: { pglite: boolean; postgres: boolean } = { pglite: true, postgres: true },
): Promise<BenchContext> {
  const postgres = only.postgres && (await isPostgresReachable());
  return {
    postgres,
    pglite: only.pglite,
    quick,
    log: (message) => process.stderr.write(`  ${message}\n`),
    async database(kind, poolSize = 20) {
      if (kind === "pglite") {
        const lite = new PGlite();
        const db = await openDatabase({ url: "memory://", pglite: lite });
        await migrate(db);
        return { db, url: "memory://", drop: () => db.close() };
      }
      const created = await createPostgresDatabase();
      const db = await openDatabase({ url: created.url, poolSize });
      await migrate(db);
      return {
        db,
        url: created.url,
        async drop() {
          await db.close();
          await created.drop();
        },
      };
    },
  };
}

/** Runs `work` for `count` iterations (after `warmup`), returns operations per second. */
export async function opsPerSecond(
  count: number,
  work: (i: number) => Promise<void>,
  warmup = 0,
): Promise<number> {
  for (let i = 0; i < warmup; i++) await work(-1 - i);
  const start = performance.now();
  for (let i = 0; i < count; i++) await work(i);
  return count / ((performance.now() - start) / 1000);
}

/** Runs `clients` loops at once, each doing `perClient` iterations; returns total operations per second. */
export async function concurrentOpsPerSecond(
  clients: number,
  perClient: number,
  work: (client: number, i: number) => Promise<void>,
): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; i < perClient; i++) await work(client, i);
    }),
  );
  return (clients * perClient) / ((performance.now() - start) / 1000);
}

/** Samples resident memory every 20 ms while `work` runs; returns its result and the peak in MiB. */
export async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakRssMiB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakRssMiB: peak / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Measures several cases in turns (a slice of each, round after round) and returns each one's
 * operations per second: on a shared, noisy machine a case measured alone can land in a quiet or
 * a busy minute, and its ratio to a ceiling measured a minute later means little. In turns, the
 * noise falls on every case alike.
 */
export async function interleavedOpsPerSecond(
  rounds: number,
  cases: Record<string, { ops: number; run: () => Promise<void> }>,
): Promise<Record<string, number>> {
  const elapsed: Record<string, number> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, c] of Object.entries(cases)) {
      const start = performance.now();
      await c.run();
      elapsed[name] = (elapsed[name] ?? 0) + (performance.now() - start);
    }
  }
  return Object.fromEntries(
    Object.entries(cases).map(([name, c]) => [name, (c.ops * rounds) / (elapsed[name]! / 1000)]),
  );
}
