// Who is behind a platform account, remembered between commands so a read command does not look its
// member up again each time. What is remembered (the user, their name, whether a linked account is a
// configured moderator) changes only when /link merges two users: platform accounts move to
// another user only there, a new account starts a new user, display names are never rewritten,
// and the moderator list is this process's own configuration. So the cache is emptied on every
// merge, on every replica (see ActorCacheInvalidation), and it is used only while it can hear them.
//
// A lookup that began before an invalidation must not store what it read (it may be from before
// the merge): every invalidation starts a new generation, and store() refuses an older one.
import type { Database, Tx } from "#src/db/database.ts";
import type { Subscription } from "#src/db/notifications.ts";

export interface CachedActor {
  userId: number;
  displayName: string;
  /** The account's @username as last stored (a new one is written, then remembered). */
  username: string | null;
  /** Whether any platform account of the user is a configured moderator. */
  isModerator: boolean;
}

export interface ActorCacheOptions {
  /** How long an entry may serve (a safety net: invalidation is what keeps entries right). */
  ttlMs: number;
  /** Entries kept at most; the oldest goes first. */
  maxEntries: number;
  /** Monotonic milliseconds (performance.now): for expiry only, never stored. */
  now?: () => number;
}

export class ActorCache {
  readonly #entries = new Map<string, { actor: CachedActor; expiresAt: number }>();
  #generation = 0;
  /** Whether invalidations reach this process now; nothing is served or stored while they do not. */
  #hearing = false;
  readonly #now: () => number;

  constructor(private readonly options: ActorCacheOptions) {
    this.#now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): CachedActor | undefined {
    if (!this.#hearing) return undefined;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.actor;
  }

  /** The generation to hand to store() for a lookup starting now. */
  generation(): number {
    return this.#generation;
  }

  /** Remembers what a lookup read, unless anything was invalidated since it began. */
  store(key: string, actor: CachedActor, readInGeneration: number): void {
    if (!this.#hearing || readInGeneration !== this.#generation) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { actor, expiresAt: this.#now() + this.options.ttlMs });
  }

  invalidateAll(): void {
    this.#generation++;
    this.#entries.clear();
  }

  /** Invalidations reach us again: what was kept may have missed some, so it goes. */
  hearing(): void {
    this.invalidateAll();
    this.#hearing = true;
  }

  /** Invalidations may be missed from now on: serve nothing until hearing() again. */
  deaf(): void {
    this.#hearing = false;
    this.invalidateAll();
  }
}

/** The channel merges are announced on, to every replica's cache. */
export const IDENTITY_CHANNEL = "forgebot_identity";

/**
 * Empties every replica's cache when `tx` commits: NOTIFY inside the transaction (PostgreSQL
 * delivers it at commit, never for a rollback), and this process's own cache at once after commit.
 */
export async function invalidateOnCommit(
  tx: Tx,
  cache: ActorCache | undefined,
  reason: string,
): Promise<void> {
  await tx.db.$executeRaw`SELECT pg_notify(${IDENTITY_CHANNEL}, ${reason})`;
  if (cache) tx.afterCommit(() => cache.invalidateAll());
}

/** Keeps `cache` in step with the merges committed by every process on `db`. */
export function listenForInvalidations(db: Database, cache: ActorCache): Subscription {
  return db.listen(IDENTITY_CHANNEL, {
    message: () => cache.invalidateAll(),
    listening: () => cache.hearing(),
    lost: () => cache.deaf(),
  });
}
