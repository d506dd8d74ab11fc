// One way to reach the database, whichever kind it is: the embedded PGlite (a directory under
// ./data, or memory:// for throwaway runs) or PostgreSQL through @prisma/adapter-pg.
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { PGlite } from "@electric-sql/pglite";
import { type Clock, systemClock } from "#src/core/clock.ts";
import { redactUrl } from "#src/redact.ts";
import { isRetryableConflict } from "./errors.ts";
import { type Prisma, PrismaClient } from "./generated/client.ts";
import { Mutex } from "./mutex.ts";
import { listenPostgres, type NotificationHandlers, type Subscription } from "./notifications.ts";
import {
  noteConnection,
  noteConnectionsOf,
  noteTransactionsOf,
  StartingTransaction,
} from "./transaction-connection.ts";

export type DatabaseKind = "pglite" | "postgres";

/** The Prisma client inside one database transaction. */
export type TxClient = Prisma.TransactionClient;

/** One business action's database transaction. */
export interface Tx {
  readonly db: TxClient;
  /**
   * The bot's time when this transaction began (one clock: rows are stamped with it, never with
   * the database's now()). A retry after a conflict takes the time again.
   */
  readonly now: Date;
  /** Runs after the transaction commits (never if it rolls back): notifications, queues, caches. */
  afterCommit(effect: () => void | Promise<void>): void;
  /**
   * Runs one statement in this transaction, straight on its pg connection when it is known
   * (PostgreSQL; see transaction-connection.ts), else through Prisma ($queryRawUnsafe). For hot
   * statements whose text never changes; parameters are positional ($1...). Cast in SQL what must
   * not depend on the driver's parsing: both paths must read alike.
   */
  statement<Row>(sql: string, params: unknown[]): Promise<Row[]>;
}

/** Plain SQL on the driver itself, outside Prisma: migrations and advisory locks need it. */
export interface RawSession {
  /** Runs a script of one or more statements (simple protocol, no parameters). */
  exec(sql: string): Promise<void>;
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  release(): Promise<void>;
}

export interface Database {
  readonly kind: DatabaseKind;
  /** Where it lives, with any password removed: safe to log. */
  readonly description: string;
  readonly prisma: PrismaClient;
  /**
   * Runs `work` in one READ COMMITTED transaction. Conflicts (serialization failures, deadlocks)
   * roll back and run `work` again, so it must do nothing outside the database before it returns;
   * put such effects in tx.afterCommit.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** The bot's clock, which stamps every transaction (`tx.now`) and every row written outside one. */
  readonly clock: Clock;
  /** Puts the bot's clock in charge (the composition root does, once, before serving anything). */
  useClock(clock: Clock): void;
  /**
   * Runs one statement on the driver itself, outside Prisma and outside any transaction (a single
   * statement is its own transaction): the pg pool, or PGlite in its turn between transactions.
   * For hot paths whose whole work fits in one statement (the ledger's lone transfer); conflicts
   * are retried like transactions. Never from inside `transaction`'s work: it is not part of that
   * transaction (and on PGlite it waits for it to end). Parameters are positional ($1...); results come as the driver
   * gives them (cast to text in SQL what must not depend on the driver's parsing).
   */
  statement<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  rawSession(): Promise<RawSession>;
  /**
   * Hears the NOTIFYs other processes commit on `channel` (PostgreSQL: a connection of its own,
   * reconnected when lost; closed with the database). PGlite is one process: whatever changes was
   * changed here, so it reports listening at once and has nothing else to deliver.
   */
  listen(channel: string, handlers: NotificationHandlers): Subscription;
  /**
   * The connection pool now (PostgreSQL): connections open, idle, and callers waiting for one.
   * PGlite has no pool: its transactions queue behind one another, counted as waiting.
   */
  poolStats(): PoolStats;
  close(): Promise<void>;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface OpenOptions {
  /** postgresql://…, memory://, or a directory for the embedded database (file: prefix allowed). */
  url: string;
  poolSize?: number;
  /** Told of each retried conflict; optional so tests and scripts stay quiet. */
  onRetry?: (attempt: number, error: unknown) => void;
  /** Told when an after-commit effect fails: the transaction stands, the effect is lost. */
  onEffectError?: (error: unknown) => void;
  /** The embedded database's buffer cache in MiB (PGLITE_SHARED_BUFFERS_MB; default 16). */
  pgliteSharedBuffersMB?: number;
  /** An embedded database already started (tests load a migrated template this way). */
  pglite?: PGlite;
  /** The bot's clock (default: the system's); see Database.clock. */
  clock?: Clock;
}

/** The clock a database stamps rows with, replaceable until the bot starts serving. */
class ClockHolder {
  constructor(public clock: Clock) {}
}

const MAX_ATTEMPTS = 8;
const DEFAULT_PGLITE_SHARED_BUFFERS_MB = 16;
// Generous limits: PGlite queues transactions one at a time, and the bench runs long ones. The wait
// for a connection is the queue a burst stands in (200 farmers uploading to one pool at once wait
// behind each other's pool lock, about 75 s for the last one on a loaded two-core machine): a
// member would rather see "thinking…" a little longer than "try again", and Discord and Telegram
// replies stay open for minutes.
const TRANSACTION_OPTIONS = { maxWait: 180_000, timeout: 300_000 } as const;

export function databaseKindOf(url: string): DatabaseKind {
  return /^postgres(ql)?:\/\//i.test(url) ? "postgres" : "pglite";
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  return databaseKindOf(options.url) === "postgres" ? openPostgres(options) : openPGlite(options);
}

/** memory:// (or memory): an embedded database that lives only as long as the process holds it open. */
export function isInMemoryUrl(url: string): boolean {
  return url === "memory://" || url === "memory";
}

async function openPGlite(options: OpenOptions): Promise<Database> {
  const inMemory = isInMemoryUrl(options.url);
  const dir = options.url.replace(/^file:(\/\/)?/, "");
  if (!inMemory && !options.pglite) mkdirSync(dir, { recursive: true });
  // Each kind's driver is loaded only when used: the other's modules stay out of the process.
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("pglite-prisma-adapter"),
  ]);
  // PostgreSQL's default shared_buffers (128 MiB) is resident from the start inside PGlite's
  // WebAssembly memory; a bot's working set fits a far smaller cache (the OS caches the files too).
  const startParams = [
    ...PGlite.defaultStartParams,
    "-c",
    `shared_buffers=${options.pgliteSharedBuffersMB ?? DEFAULT_PGLITE_SHARED_BUFFERS_MB}MB`,
  ];
  const lite = options.pglite ?? new PGlite(inMemory ? undefined : dir, { startParams });
  await lite.waitReady;
  noteTransactionsOf(lite);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
  // PGlite runs one transaction at a time. Queue them here, before Prisma starts its timers.
  const queue = new Mutex();
  const time = new ClockHolder(options.clock ?? systemClock);
  return {
    kind: "pglite",
    description: inMemory ? "embedded PGlite in memory" : `embedded PGlite at ${dir}`,
    prisma,
    get clock() {
      return time.clock;
    },
    useClock: (clock) => {
      time.clock = clock;
    },
    transaction: (work) =>
      withRetries(() => {
        const starting = new StartingTransaction();
        return queue.run(() =>
          noteConnection(starting, () => runTransaction(prisma, time.clock, work, options, starting)),
        );
      }, options),
    statement: <Row>(sql: string, params: unknown[] = []) =>
      withRetries(() => queue.run(async () => (await lite.query<Row>(sql, params)).rows), options),
    poolStats: () => ({ total: 1, idle: queue.waiting === 0 ? 1 : 0, waiting: queue.waiting }),
    listen: (_channel, handlers) => {
      handlers.listening();
      return { close: async () => handlers.lost() };
    },
    async rawSession() {
      return {
        exec: async (sql) => {
          await lite.exec(sql);
        },
        query: async <Row>(sql: string, params: unknown[] = []) => (await lite.query<Row>(sql, params)).rows,
        release: async () => {},
      };
    },
    async close() {
      await prisma.$disconnect();
      await lite.close();
    },
  };
}

async function openPostgres(options: OpenOptions): Promise<Database> {
  const [{ default: pg }, { PrismaPg }] = await Promise.all([import("pg"), import("@prisma/adapter-pg")]);
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  // An idle client's network error must not crash the bot; the pool replaces it.
  pool.on("error", () => {});
  noteConnectionsOf(pool, statementName);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const subscriptions = new Set<Subscription>();
  const time = new ClockHolder(options.clock ?? systemClock);
  return {
    kind: "postgres",
    description: `PostgreSQL at ${redactUrl(options.url)}`,
    prisma,
    get clock() {
      return time.clock;
    },
    useClock: (clock) => {
      time.clock = clock;
    },
    transaction: (work) =>
      withRetries(() => {
        const starting = new StartingTransaction();
        return noteConnection(starting, () => runTransaction(prisma, time.clock, work, options, starting));
      }, options),
    // Named, so each connection parses and plans the statement once (pg prepares it on first use).
    statement: <Row>(sql: string, params: unknown[] = []) =>
      withRetries(
        async () => (await pool.query({ name: statementName(sql), text: sql, values: params })).rows as Row[],
        options,
      ),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    listen: (channel, handlers) => {
      const subscription = listenPostgres(options.url, channel, handlers);
      subscriptions.add(subscription);
      return {
        close: async () => {
          subscriptions.delete(subscription);
          await subscription.close();
        },
      };
    },
    async rawSession() {
      const client = await pool.connect();
      return {
        exec: async (sql) => {
          await client.query(sql);
        },
        query: async <Row>(sql: string, params: unknown[] = []) =>
          (await client.query(sql, params)).rows as Row[],
        release: async () => client.release(),
      };
    },
    async close() {
      await Promise.all([...subscriptions].map((s) => s.close()));
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

const statementNames = new Map<string, string>();

/** A prepared statement's name: a digest of its text, so one name never stands for two texts. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `forgebot_${createHash("sha256").update(sql).digest("hex").slice(0, 32)}`;
    statementNames.set(sql, name);
  }
  return name;
}

async function runTransaction<T>(
  prisma: PrismaClient,
  clock: Clock,
  work: (tx: Tx) => Promise<T>,
  options: OpenOptions,
  starting?: StartingTransaction,
): Promise<T> {
  const effects: Array<() => void | Promise<void>> = [];
  const result = await prisma.$transaction((client) => {
    starting?.started();
    const statement = <Row>(sql: string, params: unknown[]): Promise<Row[]> => {
      const run = starting?.runner();
      return run ? run<Row>(sql, params) : client.$queryRawUnsafe<Row[]>(sql, ...params);
    };
    return work({ db: client, now: clock.now(), afterCommit: (effect) => effects.push(effect), statement });
  }, TRANSACTION_OPTIONS);
  for (const effect of effects) {
    try {
      await effect();
    } catch (error) {
      options.onEffectError?.(error);
    }
  }
  return result;
}

async function withRetries<T>(attempt: () => Promise<T>, options: OpenOptions): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= MAX_ATTEMPTS || !isRetryableConflict(error)) throw error;
      options.onRetry?.(n, error);
      // Jittered backoff so the transactions that collided do not collide again in step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** n));
    }
  }
}
