// The connection under a Prisma interactive transaction, so a hot statement (the ledger's lone
// transfer) can run on it, inside that very transaction, straight on the driver. Through Prisma,
// every raw query is compiled again by its WebAssembly query compiler: in a profile of 16 clients
// each doing a transfer in a business transaction on PostgreSQL, Prisma's runtime took 36% of the
// process's samples, 22% in that compile alone, for a statement whose text never changes.
//
// How the connection is found. On PostgreSQL, @prisma/adapter-pg starts a transaction by taking a
// connection from the pool we gave it (`pool.connect()`) and sending BEGIN on it; it gives the
// connection back on COMMIT or ROLLBACK. On PGlite, pglite-prisma-adapter runs the transaction in
// `pglite.transaction(callback)` and queries through the callback's handle. The pool (or PGlite)
// notes what it hands out while a transaction of ours is starting, in that transaction's own async
// context (AsyncLocalStorage), so concurrent transactions cannot see each other's. If it noted
// anything but exactly one connection, or the connection has been given back, the statement goes
// through Prisma as before: never on a connection that might belong to someone else.
import { AsyncLocalStorage } from "node:async_hooks";
import type { PGlite, Transaction as PGliteTransaction } from "@electric-sql/pglite";
import type pg from "pg";

/** Runs one statement with positional parameters on a noted connection. */
type Runner = <Row>(sql: string, params: unknown[]) => Promise<Row[]>;

/** A connection as noted: how to run on it, and whether it is still this transaction's. */
interface Noted {
  run: Runner;
  held(): boolean;
}

/** What one transaction noted while it was starting. */
export class StartingTransaction {
  readonly #noted: Noted[] = [];
  #noting = true;

  /** A pg connection, run as named prepared statements (`name` gives each text its name). */
  notePg(connection: pg.PoolClient, name: (sql: string) => string): void {
    let open = true;
    // The transaction ends with a COMMIT or ROLLBACK that Prisma sends on this connection (on a
    // timeout too, while the work may still be running), and the adapter gives the connection back
    // once it is done. A statement queued after that COMMIT or ROLLBACK would run on its own,
    // outside any transaction, and stay: so the moment either is queued, the connection stops
    // being ours (pg runs a connection's queries in the order they were queued).
    const query = connection.query;
    connection.query = function (this: pg.PoolClient, ...args: unknown[]) {
      if (endsTransaction(args[0])) open = false;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof connection.query;
    // pg-pool gives each checkout its own `release`; wrapping it tells us when the adapter hands
    // the connection back, after which it is not ours. The wrapper on `query` goes with it.
    const release = connection.release.bind(connection);
    connection.release = (error?: Error | boolean) => {
      open = false;
      delete (connection as { query?: unknown }).query;
      return release(error);
    };
    this.#noted.push({
      run: async <Row>(sql: string, params: unknown[]) =>
        (
          await (query as (config: pg.QueryConfig) => Promise<pg.QueryResult>).call(connection, {
            name: name(sql),
            text: sql,
            values: params,
          })
        ).rows as Row[],
      held: () => open,
    });
  }

  /** PGlite's handle on its one transaction, valid until that transaction closes. */
  notePGlite(transaction: PGliteTransaction): void {
    let open = true;
    // PGlite marks the handle closed only once its ROLLBACK has run: a statement sent meanwhile
    // would run after it, outside the transaction. The adapter rolls back through this handle.
    const rollback = transaction.rollback.bind(transaction);
    transaction.rollback = () => {
      open = false;
      return rollback();
    };
    this.#noted.push({
      run: async <Row>(sql: string, params: unknown[]) => (await transaction.query<Row>(sql, params)).rows,
      held: () => open && !transaction.closed,
    });
  }

  get noting(): boolean {
    return this.#noting;
  }

  /** The transaction's work has begun: nothing connected from now on is its connection. */
  started(): void {
    this.#noting = false;
  }

  /** Runs on the transaction's own connection if it is known for sure and still held. */
  runner(): Runner | undefined {
    const [only] = this.#noted;
    if (this.#noting || this.#noted.length !== 1 || !only?.held()) return undefined;
    return only.run;
  }
}

/** Whether a query (as pg's Client.query takes it) ends the transaction: COMMIT or ROLLBACK. */
function endsTransaction(config: unknown): boolean {
  const text = typeof config === "string" ? config : (config as { text?: unknown } | undefined)?.text;
  return typeof text === "string" && /^\s*(COMMIT|ROLLBACK|END|ABORT)\b/i.test(text);
}

const startingTransactions = new AsyncLocalStorage<StartingTransaction>();

/** Runs `begin` (which starts one Prisma transaction) so that `transaction` notes its connection. */
export function noteConnection<T>(transaction: StartingTransaction, begin: () => Promise<T>): Promise<T> {
  return startingTransactions.run(transaction, begin);
}

/** Makes `pool` note, for a transaction that is starting, the connection it hands out. */
export function noteConnectionsOf(pool: pg.Pool, name: (sql: string) => string): void {
  const connect = pool.connect.bind(pool) as (callback?: unknown) => Promise<pg.PoolClient> | undefined;
  // pg-pool's own pool.query calls connect with a callback: those are never a transaction's.
  pool.connect = ((callback?: unknown) => {
    const transaction = startingTransactions.getStore();
    if (callback !== undefined || !transaction?.noting) return connect(callback);
    return connect()!.then((connection) => {
      transaction.notePg(connection, name);
      return connection;
    });
  }) as typeof pool.connect;
}

const noted = new WeakSet<PGlite>();

/** Makes `lite` note, for a transaction that is starting, the handle of its transaction. */
export function noteTransactionsOf(lite: PGlite): void {
  // An instance can be opened more than once (OpenOptions.pglite): wrap it once, or it would note
  // every transaction twice (and so never be used).
  if (noted.has(lite)) return;
  noted.add(lite);
  const transaction = lite.transaction.bind(lite);
  lite.transaction = <T>(callback: (tx: PGliteTransaction) => Promise<T>) => {
    const starting = startingTransactions.getStore();
    if (!starting?.noting) return transaction(callback);
    return transaction((tx) => {
      starting.notePGlite(tx);
      return callback(tx);
    });
  };
}
