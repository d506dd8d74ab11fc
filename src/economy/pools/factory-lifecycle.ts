// A factory's life (docs/economy.md section 2): creation with its pool's terms frozen, tasks added,
// edits, pause/resume/close, and bids with their history. Every change checks, here, that the actor
// is the creator or a moderator, and runs once per key.
import type { Actor } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce } from "#src/core/idempotency.ts";
import type { Tx, TxClient } from "#src/db/database.ts";
import { lockStakeTurn } from "#src/economy/ambassadors/stake-accounts.ts";
import type { FactoryDeps } from "#src/economy/pools/factories.ts";
import { closedError, findFactory, lockOwned } from "#src/economy/pools/factory-access.ts";
import {
  checkBid,
  checkDescription,
  checkLimits,
  checkName,
  checkPremiumFirst,
  checkTask,
  type Limits,
  type TaskInput,
} from "#src/economy/pools/factory-fields.ts";
import { type FactoryView, factoryView } from "#src/economy/pools/factory-views.ts";
import type { PoolTerms } from "#src/economy/pools/pool-math.ts";
import { type FactoryStatus, factoryStatus } from "#src/economy/pools/statuses.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { formatMoney, parseAmount, parsePositiveAmount } from "#src/ledger/amount.ts";
import { DEFAULT_TOKENS } from "#src/ledger/tokens.ts";

/** How a forge factory pays its setup fee, chosen at creation (docs/economy.md section 2). */
export const SETUP_KINDS = ["web2", "web3"] as const;
export type SetupKind = (typeof SETUP_KINDS)[number];

/** The terms a pool created now gets, from the deployment's settings and the creator's kind. */
export function currentTerms(deps: FactoryDeps, kind: SetupKind = "web2"): PoolTerms {
  const fee = kind === "web3" ? deps.config.FORGE_SETUP_FEE_WEB3 : deps.config.FORGE_SETUP_FEE_WEB2;
  const [amount, symbol] = fee.split(/\s+/) as [string, string];
  const setupToken = deps.tokens.get(symbol);
  return {
    policy: deps.config.FEE_POLICY,
    depositFeePercent: deps.config.FORGE_DEPOSIT_FEE_PERCENT,
    setupFeeAtoms: parseAmount(amount, setupToken),
    setupFeeToken: setupToken.symbol,
    rewardFeePercent: deps.config.CLONES_REWARD_FEE_PERCENT,
  };
}

export async function createFactory(
  deps: FactoryDeps,
  request: {
    actor: Actor;
    key: string;
    name: string;
    description?: string;
    token: string;
    bidAtoms: bigint;
    tasks: TaskInput[];
    limits?: Limits;
    /** forge: web2 (setup fee out of the deposit, the default) or web3 (charged separately). */
    kind?: SetupKind;
  },
): Promise<FactoryView> {
  const name = checkName(request.name);
  const description = checkDescription(request.description ?? "");
  const token = deps.tokens.get(request.token);
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
  // No per-farmer-per-task limit given: the deployment's default (section 3), frozen here.
  if (limits.limitPerFarmerTask === undefined)
    limits.limitPerFarmerTask =
      deps.config.LIMIT_PER_FARMER_TASK === 0 ? null : deps.config.LIMIT_PER_FARMER_TASK;
  checkPremiumFirst(limits.minReputation ?? null, limits.premiumHours ?? null);
  const kind = request.kind ?? "web2";
  if (!SETUP_KINDS.includes(kind))
    throw new UserError(
      "invalid_option",
      "kind is web2 (setup fee from the deposit) or web3 (charged separately).",
    );
  const terms = currentTerms(deps, kind);
  const id = await deps.db.transaction(async (tx) => {
    const { result } = await runOnce(
      tx,
      {
        scope: "factory.create",
        key: request.key,
        input: { name, description, token: token.symbol, bid: request.bidAtoms, tasks, limits, kind },
      },
      async () => {
        await requireOwnTokenStake(deps, tx, request.actor, token.symbol);
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
            qualityThreshold: deps.config.QUALITY_THRESHOLD,
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
  return factoryView(deps, deps.db.prisma, id);
}

/** A creator's own token (one the deployment added) needs a VIRAL stake first (section 2). */
async function requireOwnTokenStake(deps: FactoryDeps, tx: Tx, actor: Actor, symbol: string): Promise<void> {
  if (DEFAULT_TOKENS.some((t) => t.symbol === symbol)) return;
  // The stake lock a VIRAL unstake takes too: the unstake sees this factory, or this sees the unstake.
  await lockStakeTurn(tx, actor.userId, "update");
  const viral = deps.tokens.get("VIRAL");
  const needed = parsePositiveAmount(deps.config.OWN_TOKEN_MIN_VIRAL_STAKE, viral);
  const staked = await deps.ledger.balance(tx.db, accounts.userPurpose(actor.userId, "VIRAL", "stake"));
  if (staked.balanceAtoms < needed) {
    throw new UserError(
      "stake_required",
      `A factory paying in ${symbol} (your own token) needs ${formatMoney(needed, viral)} staked; you have ${formatMoney(staked.balanceAtoms, viral)} staked. Stake it with /stake add amount:${deps.config.OWN_TOKEN_MIN_VIRAL_STAKE} token:VIRAL first, or use USDC.`,
    );
  }
}

export async function addTask(
  deps: FactoryDeps,
  request: {
    actor: Actor;
    key: string;
    factoryId: number;
    task: TaskInput;
  },
): Promise<FactoryView> {
  // The request as given (a missing ref stays missing): its default depends on the tasks there
  // are when it first runs, and a replay must match the first run, not today's count.
  const given = { ...checkTask(request.task, 0), ref: request.task.ref?.trim() ?? null };
  await deps.db.transaction(async (tx) => {
    const factory = await lockOwned(tx, request.actor, request.factoryId, "add tasks to");
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
  return factoryView(deps, deps.db.prisma, request.factoryId);
}

export async function editFactory(
  deps: FactoryDeps,
  request: {
    actor: Actor;
    key: string;
    factoryId: number;
    name?: string;
    description?: string;
    limits?: Limits;
  },
): Promise<FactoryView> {
  const data: Record<string, unknown> = {};
  if (request.name !== undefined) data.name = checkName(request.name);
  if (request.description !== undefined) data.description = checkDescription(request.description);
  if (request.limits) Object.assign(data, checkLimits(request.limits));
  if (Object.keys(data).length === 0)
    throw new UserError(
      "missing_option",
      "Say what to change: name, description, a limit or the minimum reputation.",
    );
  await deps.db.transaction(async (tx) => {
    const factory = await lockOwned(tx, request.actor, request.factoryId, "edit");
    await runOnce(
      tx,
      { scope: "factory.edit", key: request.key, input: { id: factory.id, data } },
      async () => {
        if (factoryStatus(factory) === "closed") throw closedError(factory);
        const after = { ...factory, ...data } as typeof factory;
        checkPremiumFirst(after.minReputation, after.premiumHours);
        await tx.db.factory.update({ where: { id: factory.id }, data });
        return true;
      },
    );
  });
  return factoryView(deps, deps.db.prisma, request.factoryId);
}

/** The status each action leads to. */
const STATUS_AFTER = { pause: "paused", resume: "live", close: "closed" } as const satisfies Record<
  "pause" | "resume" | "close",
  FactoryStatus
>;

/** pause (no new submissions), resume, close (for good; the balance can then be withdrawn). */
export async function setStatus(
  deps: FactoryDeps,
  request: {
    actor: Actor;
    key: string;
    factoryId: number;
    action: "pause" | "resume" | "close";
  },
): Promise<FactoryView> {
  await deps.db.transaction(async (tx) => {
    const factory = await lockOwned(tx, request.actor, request.factoryId, `${request.action}`);
    await runOnce(
      tx,
      { scope: "factory.status", key: request.key, input: { id: factory.id, action: request.action } },
      async () => {
        const status = factoryStatus(factory);
        if (status === "closed") throw closedError(factory);
        const next = STATUS_AFTER[request.action];
        if (request.action === "pause" && status === "paused")
          throw new UserError(
            "invalid_state",
            `Factory #${factory.id} is already paused; /factory resume opens it again.`,
          );
        if (request.action === "resume" && status === "live")
          throw new UserError("invalid_state", `Factory #${factory.id} is already live.`);
        await tx.db.factory.update({ where: { id: factory.id }, data: { status: next } });
        return next;
      },
    );
  });
  return factoryView(deps, deps.db.prisma, request.factoryId);
}

/** A new bid applies to new submissions only; every change is kept. */
export async function setBid(
  deps: FactoryDeps,
  request: {
    actor: Actor;
    key: string;
    factoryId: number;
    bidAtoms: bigint;
  },
): Promise<FactoryView> {
  checkBid(request.bidAtoms);
  await deps.db.transaction(async (tx) => {
    const factory = await lockOwned(tx, request.actor, request.factoryId, "change the bid of");
    await runOnce(
      tx,
      { scope: "factory.bid", key: request.key, input: { id: factory.id, bid: request.bidAtoms } },
      async () => {
        if (factoryStatus(factory) === "closed") throw closedError(factory);
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
  return factoryView(deps, deps.db.prisma, request.factoryId);
}

export async function bidHistory(
  db: TxClient,
  factoryId: number,
): Promise<Array<{ bidAtoms: bigint; changedByUserId: number; at: Date }>> {
  await findFactory(db, factoryId);
  const rows = await db.bidChange.findMany({ where: { factoryId }, orderBy: { id: "desc" }, take: 50 });
  return rows.map((r) => ({
    bidAtoms: BigInt(r.bidAtoms.toFixed()),
    changedByUserId: r.changedByUserId,
    at: r.createdAt,
  }));
}
