// Admission control for commands: at most `limit` run at once, the rest wait in a cheap FIFO.
// Without it, a burst of commands all start together and their database work interleaves on one
// event loop; on PGlite (one connection, its queries run synchronously in WebAssembly and hand over
// to the next by promise) a long backlog drains in a single macrotask, so a deferral timer due in
// the meantime fires hundreds of milliseconds late. With a bounded number in flight each turn of
// the loop stays short, and a slot freed is handed to the next command on a later turn
// (setImmediate), so timers and incoming requests run in between.

/**
 * Commands in flight by default, by database: PGlite has one connection and runs each statement
 * synchronously on this thread, handing over to the next by promise, so every command in flight
 * lengthens the turn a deferral timer waits behind (measured: 2 keeps it short and loses no
 * throughput, as the statements run one at a time anyway); PostgreSQL's pool runs statements in
 * parallel, off this thread, and 8 keeps a few round trips overlapping. Raise it for a database far
 * away (more time waiting, less computing, per command).
 */
export const DEFAULT_COMMANDS_IN_FLIGHT = { pglite: 2, postgres: 8 } as const;

export class Admission {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  /** `limit` commands at once; 0 (or Infinity): no limit. */
  constructor(private readonly limit: number) {}

  /** Commands waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Whether a command run now would have to wait for a slot. */
  get full(): boolean {
    return this.limit > 0 && this.#running >= this.limit;
  }

  /** Runs `work` when a slot is free; resolves or rejects as it does. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.limit > 0 && this.#running >= this.limit)
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else if (this.limit > 0) {
      this.#running++;
      // Even with a slot free the work starts on a later turn: on PGlite a command's whole work can
      // run in one go, so started at once it would hold up the other requests read in the same
      // turn; started later, each of those is admitted (or deferred, the slots taken) first.
      await new Promise<void>((resolve) => setImmediate(resolve));
    } else this.#running++;
    try {
      return await work();
    } finally {
      this.#release();
    }
  }

  #release(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next command (the count stays), on a later turn of the loop.
    if (next) setImmediate(next);
    else this.#running--;
  }
}
