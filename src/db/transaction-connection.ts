// The pg connection under a Prisma interactive transaction, so a hot statement (the ledger's lone
// transfer) can run on it, inside that very transaction, straight on the driver. Through Prisma,
// every raw query is compiled again by its WebAssembly query compiler: in a profile of 16 clients
// each doing a transfer in a business transaction, Prisma's runtime took 36% of the process's
// samples, 22% in that compile alone, for a statement whose text never changes.
//
// How the connection is found: @prisma/adapter-pg starts a transaction by taking a connection from
// the pool we gave it (`pool.connect()`) and sending BEGIN on it; it gives the connection back on
// COMMIT or ROLLBACK. The pool notes the connection it hands out while a transaction of ours is
// starting, in that transaction's own async context (AsyncLocalStorage), so concurrent
// transactions cannot see each other's. If it noted anything but exactly one connection, or the
// connection has gone back to the pool, the statement goes through Prisma as before: never on a
// connection that might belong to someone else.
import { AsyncLocalStorage } from "node:async_hooks";
import type pg from "pg";

/** What one transaction noted while it was starting. */
export class StartingTransaction {
  readonly #connections: pg.PoolClient[] = [];
  #noting = true;
  #released = false;

  note(connection: pg.PoolClient): void {
    this.#connections.push(connection);
    // pg-pool gives each checkout its own `release`; wrapping it tells us when the adapter hands
    // the connection back (commit, rollback, Prisma's timeout), after which it is not ours.
    const release = connection.release.bind(connection);
    connection.release = (error?: Error | boolean) => {
      this.#released = true;
      return release(error);
    };
  }

  get noting(): boolean {
    return this.#noting;
  }

  /** The transaction's work has begun: nothing connected from now on is its connection. */
  started(): void {
    this.#noting = false;
  }

  /** The transaction's own connection, if it is known for sure and still held. */
  connection(): pg.PoolClient | undefined {
    if (this.#noting || this.#released || this.#connections.length !== 1) return undefined;
    return this.#connections[0];
  }
}

const starting = new AsyncLocalStorage<StartingTransaction>();

/** Runs `begin` (which starts one Prisma transaction) so that `transaction` notes its connection. */
export function noteConnection<T>(transaction: StartingTransaction, begin: () => Promise<T>): Promise<T> {
  return starting.run(transaction, begin);
}

/** Makes `pool` note, for a transaction that is starting, the connection it hands out. */
export function noteConnectionsOf(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as (callback?: unknown) => Promise<pg.PoolClient> | undefined;
  // pg-pool's own pool.query calls connect with a callback: those are never a transaction's.
  pool.connect = ((callback?: unknown) => {
    const transaction = starting.getStore();
    if (callback !== undefined || !transaction?.noting) return connect(callback);
    return connect()!.then((connection) => {
      transaction.note(connection);
      return connection;
    });
  }) as typeof pool.connect;
}
