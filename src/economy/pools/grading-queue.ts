// Grading runs off the command path: /submit commits the reservation and enqueues the submission
// here (after commit); a few workers grade and settle in the background. A submission left queued
// by a restart is picked up by the pending-grades job. `idle()` lets tests and benchmarks wait.
/** Told when one submission's grading ends: how long it took and whether it threw. */
export type GradingListener = (event: { submissionId: number; seconds: number; failed: boolean }) => void;

export class GradingQueue {
  readonly #waiting: number[] = [];
  readonly #listeners: GradingListener[] = [];
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

  /** Submissions being graded now (the rest of `size` waits for a worker). */
  get running(): number {
    return this.#running;
  }

  onGraded(listener: GradingListener): void {
    this.#listeners.push(listener);
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
      const started = performance.now();
      let failed = false;
      this.work(id)
        .catch((error) => {
          failed = true;
          this.onError(id, error);
        })
        .finally(() => {
          const seconds = (performance.now() - started) / 1000;
          for (const listener of this.#listeners) listener({ submissionId: id, seconds, failed });
          this.#running--;
          this.#queued.delete(id);
          if (this.#queued.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
          else this.#pump();
        });
    }
  }
}
