// Platforms deliver some events twice (a Telegram webhook retried after a slow answer, a gateway
// resume). The event id is the idempotency key all the way down (services run once per key, in the
// database, across replicas); this bounded memory of recent ids only spares this process from
// answering the same event twice.
export class RecentEvents {
  readonly #seen = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** Records `id`; false if it was already recorded (a redelivery). */
  add(id: string): boolean {
    if (this.#seen.has(id)) return false;
    this.#seen.add(id);
    if (this.#seen.size > this.capacity) {
      // Sets iterate in insertion order: the first is the oldest.
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    return true;
  }
}
