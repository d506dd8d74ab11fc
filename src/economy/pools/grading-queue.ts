// Grading runs off the command path: /submit commits the reservation and enqueues the submission
// here (after commit); a few workers grade and settle in the background. A submission left queued
// by a restart is picked up by the pending-grades job. `idle()` lets tests and benchmarks wait.
export class GradingQueue {
  readonly #waiting: number[] = [];
  readonly #queued = new Set<number>();
  #running = 0;
  #idle: Array<() => void> = [];

  constructor(
    private readonly work: (submissionId: number) => Promise<void>,
    private readonly concurrency: number,
    private readonly onError: (submissionId: number, error: unknown) => void,
  ) {}

  enqueue(submissionId: number): void {
    if (this.#queued.has(submissionId)) return;
    this.#queued.add(submissionId);
    this.#waiting.push(submissionId);
    this.#pump();
  }

  get size(): number {
    return this.#queued.size;
  }

  /** Resolves once nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.#queued.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#running < this.concurrency && this.#waiting.length > 0) {
      const id = this.#waiting.shift()!;
      this.#running++;
      this.work(id)
        .catch((error) => this.onError(id, error))
        .finally(() => {
          this.#running--;
          this.#queued.delete(id);
          if (this.#queued.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
          else this.#pump();
        });
    }
  }
}
