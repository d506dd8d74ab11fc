// People and their platform accounts (after Koishi and the Vercel Chat SDK): an internal user with
// bindings (platform, platformUserId). /link joins one person's accounts across platforms with a
// one-time code shown on one platform and entered on the other.
import { createHash, randomInt } from "node:crypto";
import type { Platform } from "#src/config.ts";
import type { PlatformUser } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { subKey } from "#src/core/idempotency.ts";
import type { UserRef } from "#src/core/spec.ts";
import type { Database, Tx, TxClient } from "#src/db/database.ts";
import { isUniqueViolation } from "#src/db/errors.ts";
import { accounts } from "#src/ledger/accounts.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import { type ActorCache, invalidateOnCommit } from "./actor-cache.ts";
import { type MergeHookName, MOVED_BY_UPDATE, REQUIRED_HOOKS, type UserColumn } from "./user-columns.ts";

/**
 * Moves a feature's per-user records when two users become one; runs inside the merge. Which
 * columns it answers for is written in src/identity/user-columns.ts under its name.
 */
export type MergeHook = (tx: Tx, from: number, into: number, now: Date) => Promise<void>;

export interface IdentityOptions {
  /** platform:id pairs that are moderators wherever they link (MODERATORS). */
  moderators: ReadonlyArray<{ platform: Platform; id: string }>;
  linkCodeTtlSeconds: number;
  /** Remembers who is behind each platform account between commands (absent: look up every time). */
  cache?: ActorCache;
}

/** Who is asking, as every command needs to know: the user, and whether they are a moderator. */
export interface ActorIdentity extends UserRef {
  isModerator: boolean;
}

interface ActorRow {
  user_id: number;
  display_name: string;
  username: string | null;
  is_moderator: boolean;
}

// The user behind one platform account and whether any account linked to them is a configured
// moderator ($3/$4: the moderators' platforms and ids, side by side): one statement, on the driver.
const ACTOR_SQL = `
  SELECT u.id AS user_id, u.display_name, pa.username,
    EXISTS (
      SELECT 1 FROM platform_accounts m
      JOIN unnest($3::text[], $4::text[]) AS moderator(platform, platform_user_id)
        ON moderator.platform = m.platform AND moderator.platform_user_id = m.platform_user_id
      WHERE m.user_id = pa.user_id
    ) AS is_moderator
  FROM platform_accounts pa JOIN users u ON u.id = pa.user_id
  WHERE pa.platform = $1 AND pa.platform_user_id = $2`;

const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

const hashCode = (code: string) => createHash("sha256").update(normalizeCode(code)).digest("hex");
const normalizeCode = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, "");

export const PLATFORM_NAMES: Record<Platform, string> = {
  discord: "Discord",
  telegram: "Telegram",
  console: "the console",
};

export class Identity {
  readonly #mergeHooks = new Map<MergeHookName, MergeHook>();
  readonly #moderators: Set<string>;

  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly options: IdentityOptions,
  ) {
    this.#moderators = new Set(options.moderators.map((m) => `${m.platform}:${m.id}`));
  }

  /** Makes someone a moderator for this process's lifetime (the console's --moderators). */
  addModerator(platform: Platform, id: string): void {
    this.#moderators.add(`${platform}:${id}`);
    this.options.cache?.invalidateAll();
  }

  /** How many platform accounts this process remembers now (none while it cannot hear merges). */
  get rememberedActors(): number {
    return this.options.cache?.size ?? 0;
  }

  /** Forgets every remembered actor in this process (tests measure the cold path with it). */
  forgetActors(): void {
    this.options.cache?.invalidateAll();
  }

  onMerge(name: MergeHookName, hook: MergeHook): void {
    if (this.#mergeHooks.has(name)) throw new Error(`merge hook ${name} registered twice`);
    this.#mergeHooks.set(name, hook);
  }

  /** The internal user behind a platform account, created on first contact. */
  async ensureUser(who: PlatformUser): Promise<UserRef> {
    const { userId, displayName } = await this.actorOf(who);
    return { userId, displayName };
  }

  /**
   * Who is asking: the user behind the account (created on first contact) and whether they are a
   * moderator. One statement for a known member, none while the cache remembers them.
   */
  async actorOf(who: PlatformUser): Promise<ActorIdentity> {
    const key = `${who.platform}:${who.id}`;
    const cache = this.options.cache;
    const cached = await cache?.current(key);
    if (cached && (who.username === undefined || cached.username === who.username)) {
      return { userId: cached.userId, displayName: cached.displayName, isModerator: cached.isModerator };
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const generation = cache?.generation() ?? 0;
      const [row] = await this.db.statement<ActorRow>(ACTOR_SQL, [
        who.platform,
        who.id,
        ...this.#moderatorColumns(),
      ]);
      if (row) {
        let username = row.username;
        if (who.username !== undefined && username !== who.username) {
          await this.db.prisma.platformAccount.update({
            where: { platform_platformUserId: { platform: who.platform, platformUserId: who.id } },
            data: { username: who.username },
          });
          username = who.username;
        }
        const actor = {
          userId: Number(row.user_id),
          displayName: row.display_name,
          isModerator: row.is_moderator === true,
        };
        cache?.store(key, { ...actor, username }, generation);
        return actor;
      }
      await this.#createUser(who);
    }
    throw new Error(`could not create the user for ${who.platform}:${who.id}`);
  }

  /** A new user with this one platform account; a twin event that created it first is no error. */
  async #createUser(who: PlatformUser): Promise<void> {
    try {
      const createdAt = this.db.clock.now();
      await this.db.prisma.user.create({
        data: {
          displayName: who.displayName,
          createdAt,
          platformAccounts: {
            create: {
              platform: who.platform,
              platformUserId: who.id,
              username: who.username ?? null,
              createdAt,
            },
          },
        },
      });
    } catch (error) {
      // Two first events from the same person at once: the other one created it; read it back.
      if (!isUniqueViolation(error)) throw error;
    }
  }

  /** The configured moderators as two parallel arrays (platforms, ids), for ACTOR_SQL. */
  #moderatorColumns(): [string[], string[]] {
    const platforms: string[] = [];
    const ids: string[] = [];
    for (const m of this.#moderators) {
      const at = m.indexOf(":");
      platforms.push(m.slice(0, at));
      ids.push(m.slice(at + 1));
    }
    return [platforms, ids];
  }

  /** The user a platform account belongs to, if it has used the bot. */
  async findByPlatformId(
    db: TxClient,
    platform: Platform,
    platformUserId: string,
  ): Promise<UserRef | undefined> {
    const found = await db.platformAccount.findUnique({
      where: { platform_platformUserId: { platform, platformUserId } },
      select: { user: { select: { id: true, displayName: true } } },
    });
    return found ? { userId: found.user.id, displayName: found.user.displayName } : undefined;
  }

  /** The user with this @username on this platform, if any (case-insensitive). */
  async findByUsername(db: TxClient, platform: Platform, username: string): Promise<UserRef | undefined> {
    const found = await db.platformAccount.findFirst({
      where: { platform, username: { equals: username, mode: "insensitive" } },
      select: { user: { select: { id: true, displayName: true } } },
      orderBy: { id: "asc" },
    });
    return found ? { userId: found.user.id, displayName: found.user.displayName } : undefined;
  }

  async displayName(db: TxClient, userId: number): Promise<string> {
    const user = await db.user.findUnique({ where: { id: userId }, select: { displayName: true } });
    return user?.displayName ?? `user ${userId}`;
  }

  /** Whether any of the user's linked platform accounts is a configured moderator. */
  async isModerator(db: TxClient, userId: number): Promise<boolean> {
    if (this.#moderators.size === 0) return false;
    const bindings = await db.platformAccount.findMany({
      where: { userId },
      select: { platform: true, platformUserId: true },
    });
    return bindings.some((b) => this.#moderators.has(`${b.platform}:${b.platformUserId}`));
  }

  /** Every user one of whose linked platform accounts is a configured moderator. */
  async moderatorUserIds(db: TxClient): Promise<number[]> {
    if (this.#moderators.size === 0) return [];
    const pairs = [...this.#moderators].map((m) => {
      const at = m.indexOf(":");
      return { platform: m.slice(0, at), platformUserId: m.slice(at + 1) };
    });
    const rows = await db.platformAccount.findMany({
      where: { OR: pairs },
      select: { userId: true },
      orderBy: { userId: "asc" },
    });
    return [...new Set(rows.map((r) => r.userId))];
  }

  async platformsOf(
    db: TxClient,
    userId: number,
  ): Promise<Array<{ platform: Platform; username: string | null }>> {
    const rows = await db.platformAccount.findMany({
      where: { userId },
      select: { platform: true, username: true },
      orderBy: { id: "asc" },
    });
    return rows.map((r) => ({ platform: r.platform as Platform, username: r.username }));
  }

  /** A new one-time code for `userId`, replacing any unused one. */
  async createLinkCode(
    tx: Tx,
    userId: number,
    platform: Platform,
    now: Date,
  ): Promise<{ code: string; expiresAt: Date }> {
    let raw = "";
    for (let i = 0; i < 8; i++) raw += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
    const code = `${raw.slice(0, 4)}-${raw.slice(4)}`;
    const expiresAt = new Date(now.getTime() + this.options.linkCodeTtlSeconds * 1000);
    await tx.db.linkCode.deleteMany({ where: { userId, usedAt: null } });
    await tx.db.linkCode.create({ data: { code: hashCode(code), userId, platform, expiresAt } });
    return { code, expiresAt };
  }

  /**
   * Joins the user entering `code` to the user who was shown it: the enterer's
   * platform accounts, balances and records move to the code's owner, who remains.
   */
  async redeemLinkCode(
    tx: Tx,
    enteringUserId: number,
    code: string,
    now: Date,
  ): Promise<{ intoUserId: number }> {
    const row = await tx.db.linkCode.findUnique({ where: { code: hashCode(code) } });
    if (!row || row.usedAt) {
      throw new UserError(
        "invalid_link_code",
        "That link code is not valid. Run /link on your other platform to get a new one.",
      );
    }
    if (row.expiresAt.getTime() <= now.getTime()) {
      throw new UserError(
        "invalid_link_code",
        "That link code has expired. Run /link on your other platform to get a new one.",
      );
    }
    const into = row.userId;
    const from = enteringUserId;
    if (into === from) throw new UserError("already_linked", "These accounts are already linked.");
    const fromPlatforms = new Set((await this.platformsOf(tx.db, from)).map((p) => p.platform));
    const shared = (await this.platformsOf(tx.db, into)).find((p) => fromPlatforms.has(p.platform));
    if (shared) {
      throw new UserError(
        "link_same_platform",
        `Both accounts are on ${PLATFORM_NAMES[shared.platform]}. Link accounts from different platforms: show the code on one, enter it on the other.`,
      );
    }
    await tx.db.linkCode.update({ where: { code: row.code }, data: { usedAt: now } });
    await this.mergeUsers(tx, from, into, code, now);
    return { intoUserId: into };
  }

  /**
   * Everything that names `from` moves to `into` (src/identity/user-columns.ts says how, column by
   * column), then the balances. Rows first: a settlement holding a submission's lock finishes
   * before its farmer moves, so the balances read afterwards include what it paid.
   */
  private async mergeUsers(tx: Tx, from: number, into: number, key: string, now: Date): Promise<void> {
    const missing = [...REQUIRED_HOOKS].filter((name) => !this.#mergeHooks.has(name));
    if (missing.length > 0) throw new Error(`merge hooks not registered: ${missing.join(", ")}`);
    const pending = (await this.ledger.balancesOf(tx.db, "user", String(from))).find(
      (a) => a.pendingAtoms > 0n,
    );
    if (pending) {
      throw new UserError(
        "link_pending",
        `This account has ${pending.token} reserved by an open operation; link once it has settled.`,
      );
    }
    for (const column of MOVED_BY_UPDATE) await moveColumn(tx, column, from, into);
    for (const hook of this.#mergeHooks.values()) await hook(tx, from, into, now);
    const held = await this.ledger.balancesOf(tx.db, "user", String(from));
    const moves = held
      .filter((a) => a.balanceAtoms > 0n)
      .map((a) => ({
        kind: "transfer" as const,
        key: subKey("link", key, a.accountId),
        debit: a.accountId,
        credit: accounts.userPurpose(into, a.token, a.purpose),
        token: a.token,
        amountAtoms: a.balanceAtoms,
        code: "identity.merge",
        memo: `accounts linked: user ${from} joined user ${into}`,
      }));
    await this.ledger.execute(tx, moves);
    await tx.db.user.update({ where: { id: from }, data: { mergedIntoId: into } });
    // `from`'s accounts now belong to `into` (and may make them a moderator): every replica forgets.
    // (Announced even without a cache here: other replicas may keep one.)
    const others = this.db.kind === "postgres";
    await invalidateOnCommit(tx, this.options.cache, `merged ${from} into ${into}`, others);
  }
}

type UpdateManyDelegate = {
  updateMany(args: { where: Record<string, number>; data: Record<string, number> }): Promise<unknown>;
};

/** Points every row of one user column naming `from` at `into`, through the model's delegate. */
async function moveColumn(tx: Tx, column: UserColumn, from: number, into: number): Promise<void> {
  const [model, field] = column.split(".") as [string, string];
  const delegate = (tx.db as unknown as Record<string, UpdateManyDelegate | undefined>)[
    model.charAt(0).toLowerCase() + model.slice(1)
  ];
  if (!delegate) throw new Error(`no Prisma model behind ${column}`);
  await delegate.updateMany({ where: { [field]: from }, data: { [field]: into } });
}
