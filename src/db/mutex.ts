/** A first-come, first-served async lock. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;

  /** Callers waiting for the lock (not counting the one holding it). */
  get waiting(): number {
    return this.#waiting;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.#tail;
    this.#waiting++;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await previous;
    } finally {
      this.#waiting--;
    }
    try {
      return await work();
    } finally {
      release();
    }
  }
}
