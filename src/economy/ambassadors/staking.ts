// Staking CLONES for ambassador tiers (docs/economy.md section 6), and VIRAL for a creator's own
// token (section 2). A member's stake lives in their `stake` account of that token; unstaking moves
// it to their `cooldown` account, where a CLONES stake still counts for the tier, until the release
// job returns it to their balance `cooldownDays` later. Tiers are measured against the CLONES supply
// left after burns (section 5: the XP boost burns CLONES). The VIRAL a creator's own-token pools need
// stays locked while any such pool is open (OwnTokens.lockedViral).
//
// Locking: every read of a tier that decides money (commissions at settlement) and every change of
// a stake first locks the member's stake and cooldown account rows in id order, FOR SHARE to read
// and FOR UPDATE to change. A settlement and an unstake therefore serialize: whichever locks first
// commits before the other reads, so a commission is always paid at the tier the stake supports
// when the settlement commits. Both take these locks before the ledger's own (main, escrow...), so
// the two never wait on each other in a cycle.
//
// Fairness: lockStakeTurn (stake-accounts.ts) queues a member's stake changes behind waiting ones.
import { DAY } from "#src/core/clock.ts";
import type { Actor } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce, subKey } from "#src/core/idempotency.ts";
import type { Database, Tx, TxClient } from "#src/db/database.ts";
import {
  MAX_TIER,
  OWN_TOKEN_STAKE_TOKEN,
  STAKE_TOKEN,
  type StakeToken,
  tierFor,
  tierThreshold,
} from "#src/economy/ambassadors/tiers.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { formatMoney } from "#src/ledger/amount.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import {
  type CoolingUnstake,
  cooldownAccount,
  lockStakeTurn,
  STAKE_CODES,
  type StakeAmounts,
  type StakeChange,
  type StakeStatus,
  stakeAccount,
} from "./stake-accounts.ts";

/**
 * How much of a member's VIRAL stake must stay (their own-token pools are open), and why; the
 * own-token service answers it (src/economy/ambassadors/own-tokens.ts).
 */
export type ViralLock = (tx: Tx, userId: number) => Promise<{ lockedAtoms: bigint; why: string } | undefined>;

export interface StakingOptions {
  /** Days an unstake cools down; 0 returns it at once. */
  cooldownDays: number;
  /** The CLONES supply in whole tokens (CLONES_SUPPLY), before any burn. */
  supplyTokens: bigint;
}

export class Staking {
  /** The CLONES supply before burns (CLONES_SUPPLY in atoms). */
  readonly supplyAtoms: bigint;
  /** Set by the own-token service: the part of a VIRAL stake its pools hold in place. */
  viralLock: ViralLock = async () => undefined;

  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly options: StakingOptions,
  ) {
    const decimals = ledger.tokens.get(STAKE_TOKEN).decimals;
    this.supplyAtoms = options.supplyTokens * 10n ** BigInt(decimals);
  }

  get cooldownDays(): number {
    return this.options.cooldownDays;
  }

  /** The tier a stake earns against the supply before burns (see supplyNow for the one used). */
  tierOf(countedAtoms: bigint, supplyAtoms = this.supplyAtoms): number {
    return tierFor(countedAtoms, supplyAtoms);
  }

  /** A tier's threshold against the supply before burns: never below the one in force. */
  thresholdOf(tier: number, supplyAtoms = this.supplyAtoms): bigint {
    return tierThreshold(supplyAtoms, tier);
  }

  /**
   * The CLONES supply the tiers follow (docs/economy.md section 5): CLONES_SUPPLY less the burn
   * account's balance. Burns only grow, so thresholds only fall and no tier is lost to a burn.
   */
  async supplyNow(db: TxClient): Promise<bigint> {
    const burned = (await this.ledger.balance(db, accounts.burn(STAKE_TOKEN))).balanceAtoms;
    const left = this.supplyAtoms - (burned > 0n ? burned : 0n);
    return left > 0n ? left : 1n;
  }

  /**
   * The stakes of `userIds` as they stand now, their account rows locked until the transaction
   * ends: FOR SHARE (settlement: reads a tier that decides money) or FOR UPDATE (changing a stake).
   * Accounts that do not exist yet are a zero stake.
   */
  async lockStakes(tx: Tx, userIds: number[], mode: "share" | "update"): Promise<Map<number, StakeAmounts>> {
    const owners = [...new Set(userIds)].map(String);
    const result = new Map<number, StakeAmounts>();
    if (owners.length === 0) return result;
    const supply = await this.supplyNow(tx.db);
    for (const id of owners) result.set(Number(id), this.amounts(0n, 0n, supply));
    for (const id of [...new Set(userIds)].sort((a, b) => a - b)) await lockStakeTurn(tx, id, mode);
    const lock = mode === "share" ? "FOR SHARE" : "FOR UPDATE";
    const rows = await tx.db.$queryRawUnsafe<Array<{ owner_id: string; purpose: string; balance: string }>>(
      `SELECT owner_id, purpose, balance::text AS balance FROM accounts
       WHERE owner_type = 'user' AND owner_id = ANY($1::text[]) AND token = $2 AND purpose IN ('stake', 'cooldown')
       ORDER BY id ${lock}`,
      owners,
      STAKE_TOKEN,
    );
    const sums = new Map<number, { staked: bigint; cooling: bigint }>();
    for (const row of rows) {
      const userId = Number(row.owner_id);
      const sum = sums.get(userId) ?? { staked: 0n, cooling: 0n };
      if (row.purpose === "stake") sum.staked += BigInt(row.balance);
      else sum.cooling += BigInt(row.balance);
      sums.set(userId, sum);
    }
    for (const [userId, sum] of sums) result.set(userId, this.amounts(sum.staked, sum.cooling, supply));
    return result;
  }

  /** A member's stake without locking (views). */
  async amountsOf(db: TxClient, userId: number): Promise<StakeAmounts> {
    const held = await this.ledger.balancesOf(db, "user", String(userId));
    const of = (purpose: string) =>
      held.find((a) => a.token === STAKE_TOKEN && a.purpose === purpose)?.balanceAtoms ?? 0n;
    return this.amounts(of("stake"), of("cooldown"), await this.supplyNow(db));
  }

  private amounts(stakedAtoms: bigint, coolingAtoms: bigint, supplyAtoms: bigint): StakeAmounts {
    const countedAtoms = stakedAtoms + coolingAtoms;
    return { stakedAtoms, coolingAtoms, countedAtoms, tier: this.tierOf(countedAtoms, supplyAtoms) };
  }

  /**
   * Creates the member's stake and cooldown accounts if needed (of `token`, and CLONES for the
   * tier), then locks them FOR UPDATE.
   */
  private async lockOwn(tx: Tx, userId: number, token: StakeToken = STAKE_TOKEN): Promise<StakeAmounts> {
    await this.ledger.accountId(tx, stakeAccount(userId));
    await this.ledger.accountId(tx, cooldownAccount(userId));
    if (token !== STAKE_TOKEN) {
      await this.ledger.accountId(tx, stakeAccount(userId, token));
      await this.ledger.accountId(tx, cooldownAccount(userId, token));
    }
    return (await this.lockStakes(tx, [userId], "update")).get(userId)!;
  }

  /** A member's VIRAL stake (no tier: it backs their own token), read inside a locked change. */
  private async viralAmounts(db: TxClient, userId: number): Promise<StakeAmounts> {
    const staked = (await this.ledger.balance(db, stakeAccount(userId, OWN_TOKEN_STAKE_TOKEN))).balanceAtoms;
    const cooling = (await this.ledger.balance(db, cooldownAccount(userId, OWN_TOKEN_STAKE_TOKEN)))
      .balanceAtoms;
    return { stakedAtoms: staked, coolingAtoms: cooling, countedAtoms: staked + cooling, tier: 0 };
  }

  private async after(tx: Tx, userId: number, token: StakeToken): Promise<StakeAmounts> {
    return token === STAKE_TOKEN
      ? (await this.lockStakes(tx, [userId], "update")).get(userId)!
      : this.viralAmounts(tx.db, userId);
  }

  /** Moves CLONES (or VIRAL) from the member's balance into their stake. */
  async add(request: {
    actor: Actor;
    key: string;
    amountAtoms: bigint;
    token?: StakeToken;
  }): Promise<StakeChange> {
    const { actor, key, amountAtoms } = request;
    const token = request.token ?? STAKE_TOKEN;
    if (amountAtoms <= 0n)
      throw new UserError("invalid_amount", "Stake an amount above zero, e.g. amount:1000.");
    // The token joins the idempotency input only when it is not the default, so a replay of a
    // CLONES stake made before VIRAL existed still matches its first run.
    const input =
      token === STAKE_TOKEN
        ? { userId: actor.userId, amountAtoms }
        : { userId: actor.userId, amountAtoms, token };
    const { result } = await this.db.transaction((tx) =>
      runOnce(tx, { scope: "stake.add", key, input }, async () => {
        await this.lockOwn(tx, actor.userId, token);
        await this.ledger.transfer(tx, {
          key: subKey("stake.add", key),
          debit: accounts.user(actor.userId, token),
          credit: stakeAccount(actor.userId, token),
          token,
          amountAtoms,
          code: STAKE_CODES.add,
        });
        return { amountAtoms, after: await this.after(tx, actor.userId, token) };
      }),
    );
    return result;
  }

  /**
   * Starts unstaking: the amount moves to the cooldown account (still counted for the tier) and
   * returns to the balance once released; with no cooldown it returns at once.
   */
  async remove(request: {
    actor: Actor;
    key: string;
    amountAtoms: bigint;
    now: Date;
    token?: StakeToken;
  }): Promise<StakeChange> {
    const { actor, key, amountAtoms, now } = request;
    const token = request.token ?? STAKE_TOKEN;
    if (amountAtoms <= 0n)
      throw new UserError("invalid_amount", "Unstake an amount above zero, e.g. amount:1000.");
    const input =
      token === STAKE_TOKEN
        ? { userId: actor.userId, amountAtoms }
        : { userId: actor.userId, amountAtoms, token };
    const { result } = await this.db.transaction((tx) =>
      runOnce(tx, { scope: "stake.remove", key, input }, async () => {
        const clones = await this.lockOwn(tx, actor.userId, token);
        const before = token === STAKE_TOKEN ? clones : await this.viralAmounts(tx.db, actor.userId);
        const info = this.ledger.tokens.get(token);
        if (before.stakedAtoms < amountAtoms) {
          throw new UserError(
            "insufficient_stake",
            `You have ${formatMoney(before.stakedAtoms, info)} staked (not counting what is already cooling down); ` +
              `unstake at most that. /stake status shows it.`,
            { stakedAtoms: before.stakedAtoms.toString(), neededAtoms: amountAtoms.toString() },
          );
        }
        if (token === OWN_TOKEN_STAKE_TOKEN) {
          // Taken under the member's stake lock, which /factory create in an own token takes too.
          const lock = await this.viralLock(tx, actor.userId);
          if (lock && before.stakedAtoms - amountAtoms < lock.lockedAtoms) {
            const free = before.stakedAtoms > lock.lockedAtoms ? before.stakedAtoms - lock.lockedAtoms : 0n;
            throw new UserError(
              "stake_locked",
              `${formatMoney(lock.lockedAtoms, info)} of your VIRAL stake is locked: ${lock.why} You can unstake ${formatMoney(free, info)} now; close those factories (/factory close) to free the rest.`,
              { lockedAtoms: lock.lockedAtoms.toString(), freeAtoms: free.toString() },
            );
          }
        }
        const immediate = this.options.cooldownDays === 0;
        const releaseAt = new Date(now.getTime() + this.options.cooldownDays * DAY);
        const unstake = await tx.db.unstake.create({
          data: {
            userId: actor.userId,
            token,
            amount: amountAtoms.toString(),
            requestedAt: now,
            releaseAt,
            releasedAt: immediate ? now : null,
          },
        });
        await this.ledger.transfer(tx, {
          key: subKey("stake.remove", key),
          debit: stakeAccount(actor.userId, token),
          credit: immediate ? accounts.user(actor.userId, token) : cooldownAccount(actor.userId, token),
          token,
          amountAtoms,
          code: immediate ? STAKE_CODES.release : STAKE_CODES.unstake,
          meta: { unstakeId: unstake.id },
        });
        const after = await this.after(tx, actor.userId, token);
        return immediate
          ? { amountAtoms, after, unstakeId: unstake.id }
          : { amountAtoms, after, releaseAt, unstakeId: unstake.id };
      }),
    );
    return result;
  }

  /**
   * Takes cooling unstakes back into the stake (/stake cancel): one by id, or every one still
   * cooling. Each row is locked and marked in the same transaction as its ledger transfer, whose
   * key is the unstake's, so racing the release job it is either released or cancelled, never both.
   */
  async cancel(request: { actor: Actor; key: string; unstakeId?: number; now: Date }): Promise<{
    cancelled: CoolingUnstake[];
    after: StakeAmounts;
  }> {
    const { actor, key, unstakeId, now } = request;
    const { result } = await this.db.transaction((tx) =>
      runOnce(tx, { scope: "stake.cancel", key, input: { userId: actor.userId, unstakeId } }, async () => {
        if (unstakeId !== undefined) {
          const row = await tx.db.unstake.findUnique({ where: { id: unstakeId } });
          if (!row || row.userId !== actor.userId)
            throw new UserError(
              "unknown_unstake",
              `You have no unstake #${unstakeId}. /stake status lists yours with their numbers.`,
            );
          if (row.releasedAt || row.cancelledAt)
            throw new UserError(
              "invalid_state",
              `Unstake #${unstakeId} is no longer cooling down: it was ${row.cancelledAt ? "cancelled" : "released to your balance"} already.`,
            );
        }
        const rows = await tx.db.$queryRaw<
          Array<{ id: number; token: StakeToken; amount: string; requested_at: Date; release_at: Date }>
        >`
          SELECT id, token, amount::text AS amount, requested_at, release_at FROM unstakes
          WHERE user_id = ${actor.userId} AND released_at IS NULL AND cancelled_at IS NULL
            AND (${unstakeId ?? null}::int IS NULL OR id = ${unstakeId ?? null}::int)
          ORDER BY id FOR UPDATE`;
        if (rows.length === 0)
          throw new UserError(
            "nothing_cooling",
            "Nothing of yours is cooling down: there is no unstake to cancel.",
          );
        // Unstake rows first, then the accounts: the order the release job locks them in.
        await this.lockOwn(tx, actor.userId, OWN_TOKEN_STAKE_TOKEN);
        const cancelled: CoolingUnstake[] = [];
        for (const row of rows) {
          const amountAtoms = BigInt(row.amount);
          await this.ledger.transfer(tx, {
            key: subKey("stake.cancel", row.id),
            debit: cooldownAccount(actor.userId, row.token),
            credit: stakeAccount(actor.userId, row.token),
            token: row.token,
            amountAtoms,
            code: STAKE_CODES.cancel,
            meta: { unstakeId: row.id },
          });
          await tx.db.unstake.update({ where: { id: row.id }, data: { cancelledAt: now } });
          cancelled.push({
            id: row.id,
            token: row.token,
            amountAtoms,
            requestedAt: row.requested_at,
            releaseAt: row.release_at,
          });
        }
        const after = (await this.lockStakes(tx, [actor.userId], "update")).get(actor.userId)!;
        return { cancelled, after };
      }),
    );
    return result;
  }

  /** What /stake status shows. */
  async status(db: TxClient, userId: number): Promise<StakeStatus> {
    const amounts = await this.amountsOf(db, userId);
    const supplyAtoms = await this.supplyNow(db);
    const viral = await this.viralAmounts(db, userId);
    const rows = await db.unstake.findMany({
      where: { userId, releasedAt: null, cancelledAt: null },
      orderBy: { releaseAt: "asc" },
    });
    const nextTier = amounts.tier < MAX_TIER ? amounts.tier + 1 : undefined;
    const next =
      nextTier === undefined
        ? undefined
        : (() => {
            const thresholdAtoms = this.thresholdOf(nextTier, supplyAtoms);
            return { tier: nextTier, thresholdAtoms, missingAtoms: thresholdAtoms - amounts.countedAtoms };
          })();
    return {
      ...amounts,
      thresholdAtoms: this.thresholdOf(amounts.tier, supplyAtoms),
      next,
      cooling: rows.map((r) => ({
        id: r.id,
        token: r.token as StakeToken,
        amountAtoms: BigInt(r.amount.toFixed()),
        requestedAt: r.requestedAt,
        releaseAt: r.releaseAt,
      })),
      supplyAtoms,
      viral: { stakedAtoms: viral.stakedAtoms, coolingAtoms: viral.coolingAtoms },
    };
  }

  /**
   * Returns matured unstakes to their owners' balances, each exactly once: the unstake row is
   * locked and marked in the same transaction as its ledger transfer, whose key is the unstake's.
   * Stops before the next unstake once `signal` is aborted (the job's timeout): those released are
   * whole, and the next run releases the rest.
   */
  async releaseDue(
    now: Date,
    { limit = 500, signal }: { limit?: number; signal?: AbortSignal } = {},
  ): Promise<{ released: number; atoms: bigint; byToken: Map<StakeToken, bigint> }> {
    const due = await this.db.prisma.unstake.findMany({
      where: { releasedAt: null, cancelledAt: null, releaseAt: { lte: now } },
      orderBy: { id: "asc" },
      take: limit,
      select: { id: true },
    });
    let released = 0;
    let atoms = 0n;
    const byToken = new Map<StakeToken, bigint>();
    for (const { id } of due) {
      signal?.throwIfAborted();
      const amount = await this.db.transaction(async (tx) => {
        const [row] = await tx.db.$queryRaw<Array<{ user_id: number; token: StakeToken; amount: string }>>`
          SELECT user_id, token, amount::text AS amount FROM unstakes
          WHERE id = ${id} AND released_at IS NULL AND cancelled_at IS NULL FOR UPDATE`;
        if (!row) return undefined; // another process released it first, or its owner cancelled it
        await this.lockOwn(tx, row.user_id, row.token);
        const amountAtoms = BigInt(row.amount);
        await this.ledger.transfer(tx, {
          key: subKey("stake.release", id),
          debit: cooldownAccount(row.user_id, row.token),
          credit: accounts.user(row.user_id, row.token),
          token: row.token,
          amountAtoms,
          code: STAKE_CODES.release,
          meta: { unstakeId: id },
        });
        await tx.db.unstake.update({ where: { id }, data: { releasedAt: now } });
        return { token: row.token, amountAtoms };
      });
      if (amount) {
        released++;
        if (amount.token === STAKE_TOKEN) atoms += amount.amountAtoms;
        byToken.set(amount.token, (byToken.get(amount.token) ?? 0n) + amount.amountAtoms);
      }
    }
    return { released, atoms, byToken };
  }
}
