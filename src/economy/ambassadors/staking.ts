// Staking CLONES for ambassador tiers (docs/economy.md section 6). A member's stake lives in their
// `stake` account; unstaking moves it to their `cooldown` account, where it still counts for the
// tier, until the release job returns it to their balance `cooldownDays` later.
//
// Locking: every read of a tier that decides money (commissions at settlement) and every change of
// a stake first locks the member's stake and cooldown account rows in id order, FOR SHARE to read
// and FOR UPDATE to change. A settlement and an unstake therefore serialize: whichever locks first
// commits before the other reads, so a commission is always paid at the tier the stake supports
// when the settlement commits. Both take these locks before the ledger's own (main, escrow...), so
// the two never wait on each other in a cycle.
//
// Fairness: before the rows, each member's stake lock, a transaction-scoped advisory lock (shared
// to read, exclusive to change), taken in user id order. Row locks alone starve a writer: a new
// FOR SHARE joins the current readers without queueing behind a waiting FOR UPDATE, so a steady
// stream of settlements kept an unstake waiting until the stream ended (29 s). Advisory locks
// queue: once an unstake waits, later settlements wait behind it, and it runs as soon as the
// settlements already holding the stake commit.
import { DAY } from "#src/core/clock.ts";
import type { Actor } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce, subKey } from "#src/core/idempotency.ts";
import type { Database, Tx, TxClient } from "#src/db/database.ts";
import { MAX_TIER, STAKE_TOKEN, tierFor, tierThreshold } from "#src/economy/ambassadors/tiers.ts";
import { type AccountKey, accounts } from "#src/ledger/accounts.ts";
import { formatMoney } from "#src/ledger/amount.ts";
import type { Ledger } from "#src/ledger/ledger.ts";

export const STAKE_CODES = {
  add: "stake.add",
  unstake: "stake.unstake",
  release: "stake.release",
  cancel: "stake.cancel",
} as const;

export const stakeAccount = (userId: number): AccountKey =>
  accounts.userPurpose(userId, STAKE_TOKEN, "stake");
export const cooldownAccount = (userId: number): AccountKey =>
  accounts.userPurpose(userId, STAKE_TOKEN, "cooldown");

export interface StakingOptions {
  /** Days an unstake cools down; 0 returns it at once. */
  cooldownDays: number;
  /** The CLONES supply in whole tokens (CLONES_SUPPLY). */
  supplyTokens: bigint;
}

export interface StakeAmounts {
  /** Staked and not leaving. */
  stakedAtoms: bigint;
  /** Leaving: in the cooldown account until released. */
  coolingAtoms: bigint;
  /** What the tier counts: staked + cooling. */
  countedAtoms: bigint;
  tier: number;
}

export interface CoolingUnstake {
  id: number;
  amountAtoms: bigint;
  requestedAt: Date;
  releaseAt: Date;
}

export interface StakeStatus extends StakeAmounts {
  /** The next tier and the stake it needs (undefined at the top tier). */
  next?: { tier: number; thresholdAtoms: bigint; missingAtoms: bigint };
  /** The current tier's threshold (0 at tier 0). */
  thresholdAtoms: bigint;
  cooling: CoolingUnstake[];
  supplyAtoms: bigint;
}

export interface StakeChange {
  amountAtoms: bigint;
  after: StakeAmounts;
  /** For an unstake that cools down: when it returns. */
  releaseAt?: Date;
  unstakeId?: number;
}

/** The advisory lock space of stake locks (the other key is the member's id). */
const STAKE_LOCK_SPACE = 5_060_503;

/** Waits its turn for a member's stake, in arrival order (see "Fairness" above). */
async function lockStakeTurn(tx: Tx, userId: number, mode: "share" | "update"): Promise<void> {
  if (mode === "share")
    await tx.db.$executeRaw`SELECT pg_advisory_xact_lock_shared(${STAKE_LOCK_SPACE}::int, ${userId}::int)`;
  else await tx.db.$executeRaw`SELECT pg_advisory_xact_lock(${STAKE_LOCK_SPACE}::int, ${userId}::int)`;
}

export class Staking {
  readonly supplyAtoms: bigint;

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

  tierOf(countedAtoms: bigint): number {
    return tierFor(countedAtoms, this.supplyAtoms);
  }

  thresholdOf(tier: number): bigint {
    return tierThreshold(this.supplyAtoms, tier);
  }

  /**
   * The stakes of `userIds` as they stand now, their account rows locked until the transaction
   * ends: FOR SHARE (settlement: reads a tier that decides money) or FOR UPDATE (changing a stake).
   * Accounts that do not exist yet are a zero stake.
   */
  async lockStakes(tx: Tx, userIds: number[], mode: "share" | "update"): Promise<Map<number, StakeAmounts>> {
    const owners = [...new Set(userIds)].map(String);
    const result = new Map<number, StakeAmounts>();
    for (const id of owners) result.set(Number(id), this.amounts(0n, 0n));
    if (owners.length === 0) return result;
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
    for (const [userId, sum] of sums) result.set(userId, this.amounts(sum.staked, sum.cooling));
    return result;
  }

  /** A member's stake without locking (views). */
  async amountsOf(db: TxClient, userId: number): Promise<StakeAmounts> {
    const held = await this.ledger.balancesOf(db, "user", String(userId));
    const of = (purpose: string) =>
      held.find((a) => a.token === STAKE_TOKEN && a.purpose === purpose)?.balanceAtoms ?? 0n;
    return this.amounts(of("stake"), of("cooldown"));
  }

  private amounts(stakedAtoms: bigint, coolingAtoms: bigint): StakeAmounts {
    const countedAtoms = stakedAtoms + coolingAtoms;
    return { stakedAtoms, coolingAtoms, countedAtoms, tier: this.tierOf(countedAtoms) };
  }

  /** Creates the member's stake and cooldown accounts if needed, then locks them FOR UPDATE. */
  private async lockOwn(tx: Tx, userId: number): Promise<StakeAmounts> {
    await this.ledger.accountId(tx, stakeAccount(userId));
    await this.ledger.accountId(tx, cooldownAccount(userId));
    return (await this.lockStakes(tx, [userId], "update")).get(userId)!;
  }

  /** Moves CLONES from the member's balance into their stake. */
  async add(request: { actor: Actor; key: string; amountAtoms: bigint }): Promise<StakeChange> {
    const { actor, key, amountAtoms } = request;
    if (amountAtoms <= 0n)
      throw new UserError("invalid_amount", "Stake an amount above zero, e.g. amount:1000.");
    const { result } = await this.db.transaction((tx) =>
      runOnce(tx, { scope: "stake.add", key, input: { userId: actor.userId, amountAtoms } }, async () => {
        await this.lockOwn(tx, actor.userId);
        await this.ledger.transfer(tx, {
          key: subKey("stake.add", key),
          debit: accounts.user(actor.userId, STAKE_TOKEN),
          credit: stakeAccount(actor.userId),
          token: STAKE_TOKEN,
          amountAtoms,
          code: STAKE_CODES.add,
        });
        const after = (await this.lockStakes(tx, [actor.userId], "update")).get(actor.userId)!;
        return { amountAtoms, after };
      }),
    );
    return result;
  }

  /**
   * Starts unstaking: the amount moves to the cooldown account (still counted for the tier) and
   * returns to the balance once released; with no cooldown it returns at once.
   */
  async remove(request: { actor: Actor; key: string; amountAtoms: bigint; now: Date }): Promise<StakeChange> {
    const { actor, key, amountAtoms, now } = request;
    if (amountAtoms <= 0n)
      throw new UserError("invalid_amount", "Unstake an amount above zero, e.g. amount:1000.");
    const { result } = await this.db.transaction((tx) =>
      runOnce(tx, { scope: "stake.remove", key, input: { userId: actor.userId, amountAtoms } }, async () => {
        const before = await this.lockOwn(tx, actor.userId);
        if (before.stakedAtoms < amountAtoms) {
          const token = this.ledger.tokens.get(STAKE_TOKEN);
          throw new UserError(
            "insufficient_stake",
            `You have ${formatMoney(before.stakedAtoms, token)} staked (not counting what is already cooling down); ` +
              `unstake at most that. /stake status shows it.`,
            { stakedAtoms: before.stakedAtoms.toString(), neededAtoms: amountAtoms.toString() },
          );
        }
        const immediate = this.options.cooldownDays === 0;
        const releaseAt = new Date(now.getTime() + this.options.cooldownDays * DAY);
        const unstake = await tx.db.unstake.create({
          data: {
            userId: actor.userId,
            amount: amountAtoms.toString(),
            requestedAt: now,
            releaseAt,
            releasedAt: immediate ? now : null,
          },
        });
        await this.ledger.transfer(tx, {
          key: subKey("stake.remove", key),
          debit: stakeAccount(actor.userId),
          credit: immediate ? accounts.user(actor.userId, STAKE_TOKEN) : cooldownAccount(actor.userId),
          token: STAKE_TOKEN,
          amountAtoms,
          code: immediate ? STAKE_CODES.release : STAKE_CODES.unstake,
          meta: { unstakeId: unstake.id },
        });
        const after = (await this.lockStakes(tx, [actor.userId], "update")).get(actor.userId)!;
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
          Array<{ id: number; amount: string; requested_at: Date; release_at: Date }>
        >`
          SELECT id, amount::text AS amount, requested_at, release_at FROM unstakes
          WHERE user_id = ${actor.userId} AND released_at IS NULL AND cancelled_at IS NULL
            AND (${unstakeId ?? null}::int IS NULL OR id = ${unstakeId ?? null}::int)
          ORDER BY id FOR UPDATE`;
        if (rows.length === 0)
          throw new UserError(
            "nothing_cooling",
            "Nothing of yours is cooling down: there is no unstake to cancel.",
          );
        // Unstake rows first, then the accounts: the order the release job locks them in.
        await this.lockOwn(tx, actor.userId);
        const cancelled: CoolingUnstake[] = [];
        for (const row of rows) {
          const amountAtoms = BigInt(row.amount);
          await this.ledger.transfer(tx, {
            key: subKey("stake.cancel", row.id),
            debit: cooldownAccount(actor.userId),
            credit: stakeAccount(actor.userId),
            token: STAKE_TOKEN,
            amountAtoms,
            code: STAKE_CODES.cancel,
            meta: { unstakeId: row.id },
          });
          await tx.db.unstake.update({ where: { id: row.id }, data: { cancelledAt: now } });
          cancelled.push({
            id: row.id,
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
    const rows = await db.unstake.findMany({
      where: { userId, releasedAt: null, cancelledAt: null },
      orderBy: { releaseAt: "asc" },
    });
    const nextTier = amounts.tier < MAX_TIER ? amounts.tier + 1 : undefined;
    const next =
      nextTier === undefined
        ? undefined
        : (() => {
            const thresholdAtoms = this.thresholdOf(nextTier);
            return { tier: nextTier, thresholdAtoms, missingAtoms: thresholdAtoms - amounts.countedAtoms };
          })();
    return {
      ...amounts,
      thresholdAtoms: this.thresholdOf(amounts.tier),
      next,
      cooling: rows.map((r) => ({
        id: r.id,
        amountAtoms: BigInt(r.amount.toFixed()),
        requestedAt: r.requestedAt,
        releaseAt: r.releaseAt,
      })),
      supplyAtoms: this.supplyAtoms,
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
  ): Promise<{ released: number; atoms: bigint }> {
    const due = await this.db.prisma.unstake.findMany({
      where: { releasedAt: null, cancelledAt: null, releaseAt: { lte: now } },
      orderBy: { id: "asc" },
      take: limit,
      select: { id: true },
    });
    let released = 0;
    let atoms = 0n;
    for (const { id } of due) {
      signal?.throwIfAborted();
      const amount = await this.db.transaction(async (tx) => {
        const [row] = await tx.db.$queryRaw<Array<{ user_id: number; amount: string }>>`
          SELECT user_id, amount::text AS amount FROM unstakes
          WHERE id = ${id} AND released_at IS NULL AND cancelled_at IS NULL FOR UPDATE`;
        if (!row) return 0n; // another process released it first, or its owner cancelled it
        await this.lockOwn(tx, row.user_id);
        const amountAtoms = BigInt(row.amount);
        await this.ledger.transfer(tx, {
          key: subKey("stake.release", id),
          debit: cooldownAccount(row.user_id),
          credit: accounts.user(row.user_id, STAKE_TOKEN),
          token: STAKE_TOKEN,
          amountAtoms,
          code: STAKE_CODES.release,
          meta: { unstakeId: id },
        });
        await tx.db.unstake.update({ where: { id }, data: { releasedAt: now } });
        return amountAtoms;
      });
      if (amount > 0n) {
        released++;
        atoms += amount;
      }
    }
    return { released, atoms };
  }
}
