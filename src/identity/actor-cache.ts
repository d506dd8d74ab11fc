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
  /** Merges announced by this process, waiting to hear their own NOTIFY (see untilHeard). */
  readonly #echoes = new Map<string, Set<() => void>>();

  constructor(private readonly options: ActorCacheOptions) {
    this.#now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * What is remembered for `key`, once every notification that has reached this process has been
   * handled: the wait lets the event loop read the listener's socket first (a command and a
   * merge's NOTIFY may arrive in the same turn), so only one still on the wire can be missed.
   */
  async current(key: string): Promise<CachedActor | undefined> {
    if (!this.get(key)) return undefined;
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.get(key);
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

  /** A notification arrived: forget everything, and wake whoever waits for this one. */
  heard(payload: string): void {
    this.invalidateAll();
    const waiting = this.#echoes.get(payload);
    this.#echoes.delete(payload);
    for (const wake of waiting ?? []) wake();
  }

  /**
   * Resolves when this process hears `payload` (true) or after `timeoutMs` (false). Every replica's
   * listener is signalled by the same commit, so hearing our own is a sign the others have it too.
   * Call it before the NOTIFY can arrive, i.e. before the commit.
   */
  untilHeard(payload: string, timeoutMs: number): Promise<boolean> {
    if (!this.#hearing) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiting = this.#echoes.get(payload) ?? new Set<() => void>();
      this.#echoes.set(payload, waiting);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        waiting.delete(wake);
        if (waiting.size === 0 && this.#echoes.get(payload) === waiting) this.#echoes.delete(payload);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      waiting.add(wake);
    });
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

/** How long a merge waits to hear its own NOTIFY before it answers anyway. */
const ECHO_TIMEOUT_MS = 1000;

/**
 * Empties every replica's cache when `tx` commits: NOTIFY inside the transaction (PostgreSQL
 * delivers it at commit, never for a rollback), and this process's own cache at once after commit.
 * With `awaitEcho` (PostgreSQL, where other replicas listen), the transaction returns only once
 * this process has heard its own notification (or a second has passed), so the member sees the
 * answer to /link after every listening replica has been told. `reason` must be unique per change.
 */
export async function invalidateOnCommit(
  tx: Tx,
  cache: ActorCache | undefined,
  reason: string,
  awaitEcho: boolean,
): Promise<void> {
  const echo = cache && awaitEcho ? cache.untilHeard(reason, ECHO_TIMEOUT_MS) : undefined;
  await tx.db.$executeRaw`SELECT pg_notify(${IDENTITY_CHANNEL}, ${reason})`;
  if (!cache) return;
  tx.afterCommit(async () => {
    cache.invalidateAll();
    await echo;
  });
}

/** Keeps `cache` in step with the merges committed by every process on `db`. */
export function listenForInvalidations(db: Database, cache: ActorCache): Subscription {
  return db.listen(IDENTITY_CHANNEL, {
    message: (payload) => cache.heard(payload),
    listening: () => cache.hearing(),
    lost: () => cache.deaf(),
  });
}
