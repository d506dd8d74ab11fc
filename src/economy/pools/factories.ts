// Factories and their pools (docs/economy.md sections 2 and 3): creation with the fee policy frozen,
// edits, pause/resume/close, bids and their history, funding under either policy with a preview,
// and withdrawal of the unreserved balance. Every change checks, here, that the actor is the
// creator or a moderator; every money movement goes through the ledger in one transaction.
import type { PoolsConfig } from "#src/config/pools.ts";
import type { Clock } from "#src/core/clock.ts";
import type { Actor } from "#src/core/context.ts";
import { forbidden, UserError } from "#src/core/errors.ts";
import { runOnce, subKey } from "#src/core/idempotency.ts";
import type { Database, Tx, TxClient } from "#src/db/database.ts";
import { COMMISSION_CODES, type CommissionPolicy } from "#src/economy/ambassadors/commissions.ts";
import { lockAsParticipant } from "#src/economy/ambassadors/participation-lock.ts";
import { type FundingBreakdown, fundingBreakdown, type PoolTerms } from "#src/economy/pools/pool-math.ts";
import { premiumUntil, reputationBar } from "#src/economy/pools/premium.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { formatMoney, parseAmount, parsePositiveAmount, type TokenInfo } from "#src/ledger/amount.ts";
import type { Ledger, LedgerOp } from "#src/ledger/ledger.ts";
import { DEFAULT_TOKENS, type TokenRegistry } from "#src/ledger/tokens.ts";

export const POOL_CODES = {
  fund: "pool.fund",
  fee: "pool.fee",
  setupFee: "pool.setup_fee",
  withdraw: "pool.withdraw",
  reserve: "pool.reserve",
} as const;

export type FactoryStatus = "live" | "paused" | "out_of_funds" | "closed";

export interface TaskInput {
  title: string;
  app: string;
  objectives: string[];
  /** The recorder's task_id; task_<n> when not given. */
  ref?: string;
}

export interface Limits {
  limitPerFarmerTask?: number | null;
  limitPerDay?: number | null;
  limitTotal?: number | null;
  minReputation?: number | null;
  /** Premium first: hours after the first funding before the reputation bar lifts (null: never). */
  premiumHours?: number | null;
}

export interface FactoryView {
  id: number;
  creatorUserId: number;
  name: string;
  description: string;
  token: string;
  bidAtoms: bigint;
  status: FactoryStatus;
  terms: PoolTerms;
  setupFeePaid: boolean;
  limits: Required<Limits>;
  /** The reputation a farmer needs now to see and enter it (null: open to all). */
  reputationBar: number | null;
  /** When a premium-first factory opens to everyone (null: not premium first, or not funded yet). */
  premiumUntil: Date | null;
  tasks: Array<{ id: number; ref: string; title: string; app: string; objectives: string[] }>;
  balanceAtoms: bigint;
  reservedAtoms: bigint;
  availableAtoms: bigint;
  /** Demonstrations the unreserved balance pays for at the current bid. */
  fundedDemonstrations: bigint;
  received: number;
  paid: number;
}

export const NAME_MAX = 80;
export const DESCRIPTION_MAX = 500;
export const TASK_TITLE_MAX = 120;
const OBJECTIVES_MAX = 10;
/** A premium-first head start is at most 30 days. */
export const PREMIUM_HOURS_MAX = 720;

type FactoryRow = Awaited<ReturnType<TxClient["factory"]["findUniqueOrThrow"]>>;

export class Factories {
  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly tokens: TokenRegistry,
    private readonly commissions: () => CommissionPolicy,
    private readonly config: PoolsConfig,
    private readonly clock: Clock,
  ) {}

  /** The terms a pool created now gets, from the deployment's settings. */
  currentTerms(): PoolTerms {
    const [amount, symbol] = this.config.FORGE_SETUP_FEE.split(/\s+/) as [string, string];
    const setupToken = this.tokens.get(symbol);
    return {
      policy: this.config.FEE_POLICY,
      depositFeePercent: this.config.FORGE_DEPOSIT_FEE_PERCENT,
      setupFeeAtoms: parseAmount(amount, setupToken),
      setupFeeToken: setupToken.symbol,
      rewardFeePercent: this.config.CLONES_REWARD_FEE_PERCENT,
    };
  }

  async create(request: {
    actor: Actor;
    key: string;
    name: string;
    description?: string;
    token: string;
    bidAtoms: bigint;
    tasks: TaskInput[];
    limits?: Limits;
  }): Promise<FactoryView> {
    const name = checkName(request.name);
    const description = checkDescription(request.description ?? "");
    const token = this.tokens.get(request.token);
    checkBid(request.bidAtoms);
    if (request.tasks.length === 0)
      throw new UserError(
        "missing_option",
        "A factory needs at least one task: give its title, app and objectives.",
      );
    const tasks = request.tasks.map((task, index) => checkTask(task, index));
    if (new Set(tasks.map((t) => t.ref)).size !== tasks.length)
      throw new UserError("invalid_option", "Two tasks share a reference; give each its own.");
    const limits = checkLimits(request.limits ?? {});
    checkPremiumFirst(limits.minReputation ?? null, limits.premiumHours ?? null);
    const terms = this.currentTerms();
    const id = await this.db.transaction(async (tx) => {
      const { result } = await runOnce(
        tx,
        {
          scope: "factory.create",
          key: request.key,
          input: { name, description, token: token.symbol, bid: request.bidAtoms, tasks, limits },
        },
        async () => {
          await this.requireOwnTokenStake(tx, request.actor, token.symbol);
          const factory = await tx.db.factory.create({
            data: {
              createdAt: tx.now,
              creatorUserId: request.actor.userId,
              name,
              description,
              token: token.symbol,
              bidAtoms: request.bidAtoms.toString(),
              feePolicy: terms.policy,
              depositFeePercent: terms.depositFeePercent,
              setupFeeAtoms: terms.setupFeeAtoms.toString(),
              setupFeeToken: terms.setupFeeToken,
              rewardFeePercent: terms.rewardFeePercent,
              qualityThreshold: this.config.QUALITY_THRESHOLD,
              ...limits,
              tasks: {
                create: tasks.map((t) => ({
                  ref: t.ref,
                  title: t.title,
                  app: t.app,
                  objectives: t.objectives,
                })),
              },
              bids: {
                create: {
                  bidAtoms: request.bidAtoms.toString(),
                  changedByUserId: request.actor.userId,
                  createdAt: tx.now,
                },
              },
            },
          });
          return factory.id;
        },
      );
      return result;
    });
    return this.view(this.db.prisma, id);
  }

  /** A creator's own token (one the deployment added) needs a VIRAL stake first (section 2). */
  private async requireOwnTokenStake(tx: Tx, actor: Actor, symbol: string): Promise<void> {
    if (DEFAULT_TOKENS.some((t) => t.symbol === symbol)) return;
    const viral = this.tokens.get("VIRAL");
    const needed = parsePositiveAmount(this.config.OWN_TOKEN_MIN_VIRAL_STAKE, viral);
    const staked = await this.ledger.balance(tx.db, accounts.userPurpose(actor.userId, "VIRAL", "stake"));
    if (staked.balanceAtoms < needed) {
      throw new UserError(
        "stake_required",
        `A factory paying in ${symbol} (your own token) needs ${formatMoney(needed, viral)} staked; you have ${formatMoney(staked.balanceAtoms, viral)} staked. Stake VIRAL first, or use USDC.`,
      );
    }
  }

  async addTask(request: {
    actor: Actor;
    key: string;
    factoryId: number;
    task: TaskInput;
  }): Promise<FactoryView> {
    // The request as given (a missing ref stays missing): its default depends on the tasks there
    // are when it first runs, and a replay must match the first run, not today's count.
    const given = { ...checkTask(request.task, 0), ref: request.task.ref?.trim() ?? null };
    await this.db.transaction(async (tx) => {
      const factory = await this.lockOwned(tx, request.actor, request.factoryId, "add tasks to");
      await runOnce(
        tx,
        { scope: "factory.task", key: request.key, input: { id: factory.id, task: given } },
        async () => {
          const count = await tx.db.factoryTask.count({ where: { factoryId: factory.id } });
          const task = checkTask(request.task, count);
          const taken = await tx.db.factoryTask.findUnique({
            where: { factoryId_ref: { factoryId: factory.id, ref: task.ref } },
          });
          if (taken)
            throw new UserError(
              "invalid_option",
              `Task reference ${task.ref} is taken in this factory; choose another.`,
            );
          await tx.db.factoryTask.create({
            data: {
              factoryId: factory.id,
              ref: task.ref,
              title: task.title,
              app: task.app,
              objectives: task.objectives,
            },
          });
          return true;
        },
      );
    });
    return this.view(this.db.prisma, request.factoryId);
  }

  async edit(request: {
    actor: Actor;
    key: string;
    factoryId: number;
    name?: string;
    description?: string;
    limits?: Limits;
  }): Promise<FactoryView> {
    const data: Record<string, unknown> = {};
    if (request.name !== undefined) data.name = checkName(request.name);
    if (request.description !== undefined) data.description = checkDescription(request.description);
    if (request.limits) Object.assign(data, checkLimits(request.limits));
    if (Object.keys(data).length === 0)
      throw new UserError(
        "missing_option",
        "Say what to change: name, description, a limit or the minimum reputation.",
      );
    await this.db.transaction(async (tx) => {
      const factory = await this.lockOwned(tx, request.actor, request.factoryId, "edit");
      await runOnce(
        tx,
        { scope: "factory.edit", key: request.key, input: { id: factory.id, data } },
        async () => {
          if (factory.status === "closed") throw closedError(factory);
          const after = { ...factory, ...data } as typeof factory;
          checkPremiumFirst(after.minReputation, after.premiumHours);
          await tx.db.factory.update({ where: { id: factory.id }, data });
          return true;
        },
      );
    });
    return this.view(this.db.prisma, request.factoryId);
  }

  /** pause (no new submissions), resume, close (for good; the balance can then be withdrawn). */
  async setStatus(request: {
    actor: Actor;
    key: string;
    factoryId: number;
    action: "pause" | "resume" | "close";
  }): Promise<FactoryView> {
    await this.db.transaction(async (tx) => {
      const factory = await this.lockOwned(tx, request.actor, request.factoryId, `${request.action}`);
      await runOnce(
        tx,
        { scope: "factory.status", key: request.key, input: { id: factory.id, action: request.action } },
        async () => {
          if (factory.status === "closed") throw closedError(factory);
          const next = { pause: "paused", resume: "live", close: "closed" }[request.action];
          if (request.action === "pause" && factory.status === "paused")
            throw new UserError(
              "invalid_state",
              `Factory #${factory.id} is already paused; /factory resume opens it again.`,
            );
          if (request.action === "resume" && factory.status === "live")
            throw new UserError("invalid_state", `Factory #${factory.id} is already live.`);
          await tx.db.factory.update({ where: { id: factory.id }, data: { status: next } });
          return next;
        },
      );
    });
    return this.view(this.db.prisma, request.factoryId);
  }

  /** A new bid applies to new submissions only; every change is kept. */
  async setBid(request: {
    actor: Actor;
    key: string;
    factoryId: number;
    bidAtoms: bigint;
  }): Promise<FactoryView> {
    checkBid(request.bidAtoms);
    await this.db.transaction(async (tx) => {
      const factory = await this.lockOwned(tx, request.actor, request.factoryId, "change the bid of");
      await runOnce(
        tx,
        { scope: "factory.bid", key: request.key, input: { id: factory.id, bid: request.bidAtoms } },
        async () => {
          if (factory.status === "closed") throw closedError(factory);
          await tx.db.factory.update({
            where: { id: factory.id },
            data: { bidAtoms: request.bidAtoms.toString() },
          });
          await tx.db.bidChange.create({
            data: {
              factoryId: factory.id,
              bidAtoms: request.bidAtoms.toString(),
              changedByUserId: request.actor.userId,
              createdAt: tx.now,
            },
          });
          return true;
        },
      );
    });
    return this.view(this.db.prisma, request.factoryId);
  }

  async bidHistory(
    db: TxClient,
    factoryId: number,
  ): Promise<Array<{ bidAtoms: bigint; changedByUserId: number; at: Date }>> {
    await this.find(db, factoryId);
    const rows = await db.bidChange.findMany({ where: { factoryId }, orderBy: { id: "desc" }, take: 50 });
    return rows.map((r) => ({
      bidAtoms: BigInt(r.bidAtoms.toFixed()),
      changedByUserId: r.changedByUserId,
      at: r.createdAt,
    }));
  }

  /** What funding `amountAtoms` would do, for the confirmation step. */
  async fundPreview(
    db: TxClient,
    request: { actor: Actor; factoryId: number; amountAtoms: bigint },
  ): Promise<{ factory: FactoryView; breakdown: FundingBreakdown }> {
    const factory = await this.view(db, request.factoryId);
    requireOwner(request.actor, factory, "fund");
    if (factory.status === "closed") throw closedError(factory);
    const breakdown = fundingBreakdown(
      factory.terms,
      factory.token,
      request.amountAtoms,
      !factory.setupFeePaid,
    );
    checkBreakdown(breakdown, this.tokens.get(factory.token));
    // Offer to confirm only what the member's balances cover now (the deposit, and a setup fee
    // charged in another token).
    const needs = new Map([[factory.token, breakdown.depositAtoms]]);
    const separate = breakdown.setupFeeSeparate;
    if (separate) needs.set(separate.token, (needs.get(separate.token) ?? 0n) + separate.atoms);
    try {
      for (const [token, atoms] of needs)
        await this.ledger.requireAvailable(db, accounts.user(request.actor.userId, token), atoms);
    } catch (error) {
      throw fundingError(error, breakdown, factory.token, this.tokens);
    }
    return { factory, breakdown };
  }

  /** Moves a deposit from the actor's balance into the pool, fees to the platform (and ambassadors). */
  async fund(request: {
    actor: Actor;
    key: string;
    factoryId: number;
    amountAtoms: bigint;
  }): Promise<{ breakdown: FundingBreakdown; factory: FactoryView }> {
    if (request.amountAtoms <= 0n)
      throw new UserError("invalid_amount", "The amount must be more than zero.");
    const breakdown = await this.db.transaction(async (tx) => {
      const row = await this.lockOwned(tx, request.actor, request.factoryId, "fund");
      const { result } = await runOnce(
        tx,
        { scope: "pool.fund", key: request.key, input: { id: row.id, amount: request.amountAtoms } },
        async () => {
          if (row.status === "closed") throw closedError(row);
          // A funding is the creator's (and the funder's) participation: see participation-lock.ts.
          for (const userId of new Set([row.creatorUserId, request.actor.userId]))
            await lockAsParticipant(tx, userId);
          const terms = termsOf(row);
          const b = fundingBreakdown(terms, row.token, request.amountAtoms, !row.setupFeePaid);
          checkBreakdown(b, this.tokens.get(row.token));
          const meta = { factoryId: row.id };
          const from = accounts.user(request.actor.userId, row.token);
          const ops: LedgerOp[] = [];
          const op = (n: string, o: Omit<Extract<LedgerOp, { kind: "transfer" }>, "kind" | "key">) =>
            ops.push({ kind: "transfer", key: subKey("pool.fund", request.key, n), ...o });
          if (b.setupFeeSeparate) {
            op("setup", {
              debit: accounts.user(request.actor.userId, b.setupFeeSeparate.token),
              credit: accounts.fees(b.setupFeeSeparate.token),
              token: b.setupFeeSeparate.token,
              amountAtoms: b.setupFeeSeparate.atoms,
              code: POOL_CODES.setupFee,
              meta,
            });
          }
          if (b.setupFeeFromDepositAtoms > 0n) {
            op("setup", {
              debit: from,
              credit: accounts.fees(row.token),
              token: row.token,
              amountAtoms: b.setupFeeFromDepositAtoms,
              code: POOL_CODES.setupFee,
              meta,
            });
          }
          if (b.platformFeeAtoms > 0n) {
            const commissions = await this.commissions().onDeposit(tx, {
              token: row.token,
              creatorUserId: row.creatorUserId,
              depositAtoms: request.amountAtoms,
              feeAtoms: b.platformFeeAtoms,
            });
            let shared = 0n;
            for (const [i, c] of commissions.entries()) {
              if (c.amountAtoms <= 0n) continue;
              shared += c.amountAtoms;
              op(`commission.${i}`, {
                debit: from,
                credit: accounts.user(c.userId, row.token),
                token: row.token,
                amountAtoms: c.amountAtoms,
                code: COMMISSION_CODES[c.role],
                meta: { ...meta, tier: c.tier },
              });
            }
            if (shared > b.platformFeeAtoms) throw new Error("commissions exceed the deposit fee");
            if (b.platformFeeAtoms - shared > 0n) {
              op("fee", {
                debit: from,
                credit: accounts.fees(row.token),
                token: row.token,
                amountAtoms: b.platformFeeAtoms - shared,
                code: POOL_CODES.fee,
                meta,
              });
            }
          }
          op("pool", {
            debit: from,
            credit: accounts.pool(row.id, row.token),
            token: row.token,
            amountAtoms: b.poolAtoms,
            code: POOL_CODES.fund,
            meta,
          });
          try {
            await this.ledger.execute(tx, ops);
          } catch (error) {
            throw fundingError(error, b, row.token, this.tokens);
          }
          const paidSetup = b.setupFeeFromDepositAtoms > 0n || b.setupFeeSeparate !== undefined;
          if (paidSetup || row.firstFundedAt === null)
            await tx.db.factory.update({
              where: { id: row.id },
              data: {
                ...(paidSetup ? { setupFeePaid: true } : {}),
                // A premium-first window starts now (src/economy/pools/premium.ts).
                ...(row.firstFundedAt === null ? { firstFundedAt: this.clock.now() } : {}),
              },
            });
          return b;
        },
      );
      return result;
    });
    return { breakdown, factory: await this.view(this.db.prisma, request.factoryId) };
  }

  /** The creator takes back the unreserved balance of a paused or closed pool. */
  async withdraw(request: {
    actor: Actor;
    key: string;
    factoryId: number;
    /** Everything unreserved when not given. */
    amountAtoms?: bigint;
  }): Promise<{ amountAtoms: bigint; factory: FactoryView }> {
    const amount = await this.db.transaction(async (tx) => {
      const row = await this.lockOwned(tx, request.actor, request.factoryId, "withdraw from");
      const { result } = await runOnce(
        tx,
        {
          scope: "pool.withdraw",
          key: request.key,
          input: { id: row.id, amount: request.amountAtoms ?? null },
        },
        async () => {
          const pool = accounts.pool(row.id, row.token);
          const { availableAtoms } = await this.ledger.balance(tx.db, pool);
          const amountAtoms = poolWithdrawalAtoms(
            { id: row.id, live: row.status === "live" },
            availableAtoms,
            request.amountAtoms,
            this.tokens.get(row.token),
          );
          await this.ledger.transfer(tx, {
            key: subKey("pool.withdraw", request.key),
            debit: pool,
            credit: accounts.user(row.creatorUserId, row.token),
            token: row.token,
            amountAtoms,
            code: POOL_CODES.withdraw,
            meta: { factoryId: row.id, byUserId: request.actor.userId },
          });
          return amountAtoms;
        },
      );
      return result;
    });
    return { amountAtoms: amount, factory: await this.view(this.db.prisma, request.factoryId) };
  }

  async find(db: TxClient, factoryId: number): Promise<FactoryRow> {
    if (!Number.isSafeInteger(factoryId) || factoryId <= 0)
      throw new UserError("invalid_option", "A factory is named by its number, e.g. factory:3.");
    const row = await db.factory.findUnique({ where: { id: factoryId } });
    if (!row)
      throw new UserError("not_found", `There is no factory #${factoryId}. /factory list shows them.`);
    return row;
  }

  /** Locks the factory row for a change and checks the actor may make it. */
  async lockOwned(tx: Tx, actor: Actor, factoryId: number, what: string): Promise<FactoryRow> {
    await this.find(tx.db, factoryId);
    await tx.db.$queryRaw`SELECT id FROM factories WHERE id = ${factoryId} FOR UPDATE`;
    const row = await tx.db.factory.findUniqueOrThrow({ where: { id: factoryId } });
    requireOwner(actor, row, what);
    return row;
  }

  async view(db: TxClient, factoryId: number): Promise<FactoryView> {
    const row = await this.find(db, factoryId);
    const [view] = await this.views(db, [row]);
    return view!;
  }

  async views(db: TxClient, rows: FactoryRow[]): Promise<FactoryView[]> {
    if (rows.length === 0) return [];
    const now = this.clock.now();
    const ids = rows.map((r) => r.id);
    const tasks = await db.factoryTask.findMany({
      where: { factoryId: { in: ids } },
      orderBy: { id: "asc" },
    });
    const counts = await db.$queryRawUnsafe<Array<{ factory_id: number; received: number; paid: number }>>(
      `SELECT factory_id, COUNT(*)::int AS received,
              COUNT(*) FILTER (WHERE status = 'settled' AND paid_gross_atoms > 0)::int AS paid
       FROM submissions WHERE factory_id = ANY($1::int[]) GROUP BY factory_id`,
      ids,
    );
    const out: FactoryView[] = [];
    for (const row of rows) {
      const balance = await this.ledger.balance(db, accounts.pool(row.id, row.token));
      const bidAtoms = BigInt(row.bidAtoms.toFixed());
      const count = counts.find((c) => c.factory_id === row.id);
      const status: FactoryStatus =
        row.status === "live" && balance.availableAtoms < bidAtoms
          ? "out_of_funds"
          : (row.status as FactoryStatus);
      out.push({
        id: row.id,
        creatorUserId: row.creatorUserId,
        name: row.name,
        description: row.description,
        token: row.token,
        bidAtoms,
        status,
        terms: termsOf(row),
        setupFeePaid: row.setupFeePaid,
        limits: {
          limitPerFarmerTask: row.limitPerFarmerTask,
          limitPerDay: row.limitPerDay,
          limitTotal: row.limitTotal,
          minReputation: row.minReputation,
          premiumHours: row.premiumHours,
        },
        reputationBar: reputationBar(row, now),
        premiumUntil: premiumUntil(row),
        tasks: tasks
          .filter((t) => t.factoryId === row.id)
          .map((t) => ({
            id: t.id,
            ref: t.ref,
            title: t.title,
            app: t.app,
            objectives: t.objectives as string[],
          })),
        balanceAtoms: balance.balanceAtoms,
        reservedAtoms: balance.pendingAtoms,
        availableAtoms: balance.availableAtoms,
        fundedDemonstrations: bidAtoms > 0n ? balance.availableAtoms / bidAtoms : 0n,
        received: count?.received ?? 0,
        paid: count?.paid ?? 0,
      });
    }
    return out;
  }

  /** Factories, newest first: all, one creator's, or by status. */
  async list(
    db: TxClient,
    filter: { creatorUserId?: number; status?: FactoryStatus } = {},
  ): Promise<FactoryView[]> {
    const rows = await db.factory.findMany({
      where: filter.creatorUserId === undefined ? {} : { creatorUserId: filter.creatorUserId },
      orderBy: { id: "desc" },
      take: 200,
    });
    const views = await this.views(db, rows);
    return filter.status ? views.filter((v) => v.status === filter.status) : views;
  }

  /** The board farmers check: live pools with money, by bid (highest first), premium ones only above their bar. */
  async board(db: TxClient, reputation: number): Promise<FactoryView[]> {
    const rows = await db.factory.findMany({ where: { status: "live" }, orderBy: { id: "asc" } });
    const views = await this.views(db, rows);
    return views
      .filter((v) => v.status === "live" && (v.reputationBar ?? 0) <= reputation)
      .sort((a, b) => (a.bidAtoms === b.bidAtoms ? a.id - b.id : a.bidAtoms > b.bidAtoms ? -1 : 1));
  }
}

export function termsOf(row: FactoryRow): PoolTerms {
  return {
    policy: row.feePolicy as PoolTerms["policy"],
    depositFeePercent: row.depositFeePercent,
    setupFeeAtoms: BigInt(row.setupFeeAtoms.toFixed()),
    setupFeeToken: row.setupFeeToken,
    rewardFeePercent: row.rewardFeePercent,
  };
}

export function requireOwner(
  actor: Actor,
  factory: { id: number; creatorUserId: number },
  what: string,
): void {
  if (actor.userId === factory.creatorUserId || actor.isModerator) return;
  throw forbidden(`Only factory #${factory.id}'s creator or a moderator can ${what} it.`);
}

const closedError = (factory: { id: number }) =>
  new UserError("factory_closed", `Factory #${factory.id} is closed; nothing about it can change any more.`);

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new UserError("missing_option", "Give the factory a name.");
  if (trimmed.length > NAME_MAX)
    throw new UserError("invalid_option", `A name is at most ${NAME_MAX} characters.`);
  return trimmed;
}

function checkDescription(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length > DESCRIPTION_MAX)
    throw new UserError("invalid_option", `A description is at most ${DESCRIPTION_MAX} characters.`);
  return trimmed;
}

function checkBid(bidAtoms: bigint): void {
  if (bidAtoms <= 0n) throw new UserError("invalid_amount", "The bid must be more than zero, e.g. bid:0.2.");
}

function checkTask(task: TaskInput, index: number): Required<TaskInput> {
  const title = task.title.trim();
  const app = task.app.trim();
  if (!title || !app) throw new UserError("missing_option", "A task needs a title and an app.");
  if (title.length > TASK_TITLE_MAX)
    throw new UserError("invalid_option", `A task title is at most ${TASK_TITLE_MAX} characters.`);
  const objectives = task.objectives.map((o) => o.trim()).filter(Boolean);
  if (objectives.length === 0)
    throw new UserError(
      "missing_option",
      'A task needs objectives, separated by ";", e.g. objectives:"Open the app; Add to cart".',
    );
  if (objectives.length > OBJECTIVES_MAX)
    throw new UserError("invalid_option", `A task has at most ${OBJECTIVES_MAX} objectives.`);
  const ref = (task.ref ?? `task_${index + 1}`).trim();
  if (!/^[\w.-]{1,64}$/.test(ref))
    throw new UserError("invalid_option", "A task reference is letters, digits, _ . or -, e.g. task_2.");
  return { title, app, objectives, ref };
}

function checkLimits(limits: Limits): Limits {
  const out: Limits = {};
  for (const key of ["limitPerFarmerTask", "limitPerDay", "limitTotal"] as const) {
    const value = limits[key];
    if (value === undefined) continue;
    if (value !== null && (!Number.isSafeInteger(value) || value < 0))
      throw new UserError("invalid_option", "A limit is a whole number of uploads (0 removes it).");
    out[key] = value === 0 ? null : value;
  }
  if (limits.minReputation !== undefined) {
    const value = limits.minReputation;
    if (value !== null && (!Number.isInteger(value) || value < 0 || value > 100))
      throw new UserError("invalid_option", "The minimum reputation is 0 to 100 (0 removes it).");
    out.minReputation = value === 0 ? null : value;
  }
  if (limits.premiumHours !== undefined) {
    const value = limits.premiumHours;
    if (value !== null && (!Number.isInteger(value) || value < 0 || value > PREMIUM_HOURS_MAX))
      throw new UserError(
        "invalid_option",
        `Premium first lasts 1 to ${PREMIUM_HOURS_MAX} hours (0 keeps the factory premium for good).`,
      );
    out.premiumHours = value === 0 ? null : value;
  }
  return out;
}

function checkPremiumFirst(minReputation: number | null, premiumHours: number | null): void {
  if (premiumHours !== null && minReputation === null)
    throw new UserError(
      "invalid_option",
      "premium_hours gives farmers above the minimum reputation a head start, so it needs min_reputation too (e.g. min_reputation:70 premium_hours:24); premium_hours:0 drops the head start.",
    );
}

/**
 * What a creator may take back from a pool (everything unreserved when no amount is asked for);
 * refuses a live pool, an empty one, or more than is unreserved. The preview asks it too.
 */
export function poolWithdrawalAtoms(
  factory: { id: number; live: boolean },
  availableAtoms: bigint,
  requestedAtoms: bigint | undefined,
  token: TokenInfo,
): bigint {
  if (factory.live)
    throw new UserError(
      "invalid_state",
      `Pause or close factory #${factory.id} first (/factory pause); then withdraw.`,
    );
  const amountAtoms = requestedAtoms ?? availableAtoms;
  if (amountAtoms <= 0n)
    throw new UserError("insufficient_funds", `Factory #${factory.id} has nothing unreserved to withdraw.`);
  if (amountAtoms > availableAtoms)
    throw new UserError(
      "insufficient_funds",
      `Factory #${factory.id} has ${formatMoney(availableAtoms, token)} unreserved; reserved bids stay until they are graded or expire.`,
    );
  return amountAtoms;
}

function checkBreakdown(b: FundingBreakdown, token: { symbol: string; decimals: number }): void {
  if (b.depositAtoms <= 0n) throw new UserError("invalid_amount", "The amount must be more than zero.");
  if (b.poolAtoms <= 0n)
    throw new UserError(
      "invalid_amount",
      `After the fees nothing would reach the pool: deposit more than ${formatMoney(b.platformFeeAtoms + b.setupFeeFromDepositAtoms, token)}.`,
    );
}

function fundingError(error: unknown, b: FundingBreakdown, symbol: string, tokens: TokenRegistry): unknown {
  if (error instanceof UserError && error.code === "insufficient_funds") {
    const token = tokens.get(symbol);
    const sep = b.setupFeeSeparate;
    const need = sep
      ? `${formatMoney(b.depositAtoms, token)} and ${formatMoney(sep.atoms, tokens.get(sep.token))} for the setup fee`
      : formatMoney(b.depositAtoms, token);
    return new UserError(
      "insufficient_funds",
      `${error.message} Funding needs ${need}; nothing was moved.`,
      error.details,
    );
  }
  return error;
}
