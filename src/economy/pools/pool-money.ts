// A factory's pool money (docs/economy.md section 3): funding under either fee policy, with the
// preview the confirmation step shows, and the creator's withdrawal of the unreserved balance of a
// paused or closed pool. Every movement goes through the ledger in one transaction.
import type { Actor } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce, subKey } from "#src/core/idempotency.ts";
import type { TxClient } from "#src/db/database.ts";
import { COMMISSION_CODES } from "#src/economy/ambassadors/commissions.ts";
import { lockAsParticipant } from "#src/economy/ambassadors/participation-lock.ts";
import type { FactoryDeps } from "#src/economy/pools/factories.ts";
import { closedError, lockOwned, requireOwner } from "#src/economy/pools/factory-access.ts";
import { type FactoryView, factoryView, termsOf } from "#src/economy/pools/factory-views.ts";
import { type FundingBreakdown, fundingBreakdown } from "#src/economy/pools/pool-math.ts";
import { factoryStatus } from "#src/economy/pools/statuses.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { formatMoney, type TokenInfo } from "#src/ledger/amount.ts";
import type { LedgerOp } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";

export const POOL_CODES = {
  fund: "pool.fund",
  fee: "pool.fee",
  setupFee: "pool.setup_fee",
  withdraw: "pool.withdraw",
  reserve: "pool.reserve",
} as const;

/** What funding `amountAtoms` would do, for the confirmation step. */
export async function fundPreview(
  deps: FactoryDeps,
  db: TxClient,
  request: { actor: Actor; factoryId: number; amountAtoms: bigint },
): Promise<{ factory: FactoryView; breakdown: FundingBreakdown }> {
  const factory = await factoryView(deps, db, request.factoryId);
  requireOwner(request.actor, factory, "fund");
  if (factory.status === "closed") throw closedError(factory);
  const breakdown = fundingBreakdown(
    factory.terms,
    factory.token,
    request.amountAtoms,
    !factory.setupFeePaid,
  );
  checkBreakdown(breakdown, deps.tokens.get(factory.token));
  // Offer to confirm only what the member's balances cover now: the deposit, and a setup fee
  // charged in another token (web3), which the preview names on its own when it is what is short.
  const separate = breakdown.setupFeeSeparate;
  const needs = new Map([[factory.token, breakdown.depositAtoms]]);
  if (separate) needs.set(separate.token, (needs.get(separate.token) ?? 0n) + separate.atoms);
  try {
    await deps.ledger.requireAvailable(
      db,
      accounts.user(request.actor.userId, factory.token),
      needs.get(factory.token)!,
    );
  } catch (error) {
    throw fundingError(error, breakdown, factory.token, deps.tokens);
  }
  if (separate && separate.token !== factory.token) {
    const feeToken = deps.tokens.get(separate.token);
    const { availableAtoms } = await deps.ledger.balance(
      db,
      accounts.user(request.actor.userId, separate.token),
    );
    if (availableAtoms < separate.atoms)
      throw new UserError(
        "insufficient_funds",
        `Factory #${factory.id} is a web3 factory: its one-time setup fee, ${formatMoney(separate.atoms, feeToken)}, is charged separately from your ${separate.token} balance, which has ${formatMoney(availableAtoms < 0n ? 0n : availableAtoms, feeToken)} available. Add ${separate.token} first (/deposit), then fund again; nothing was moved.`,
      );
  }
  return { factory, breakdown };
}

/** Moves a deposit from the actor's balance into the pool, fees to the platform (and ambassadors). */
export async function fundPool(
  deps: FactoryDeps,
  request: {
    actor: Actor;
    key: string;
    factoryId: number;
    amountAtoms: bigint;
  },
): Promise<{ breakdown: FundingBreakdown; factory: FactoryView }> {
  if (request.amountAtoms <= 0n) throw new UserError("invalid_amount", "The amount must be more than zero.");
  const breakdown = await deps.db.transaction(async (tx) => {
    const row = await lockOwned(tx, request.actor, request.factoryId, "fund");
    const { result } = await runOnce(
      tx,
      { scope: "pool.fund", key: request.key, input: { id: row.id, amount: request.amountAtoms } },
      async () => {
        if (factoryStatus(row) === "closed") throw closedError(row);
        // A funding is the creator's (and the funder's) participation: see participation-lock.ts.
        for (const userId of new Set([row.creatorUserId, request.actor.userId]))
          await lockAsParticipant(tx, userId);
        const terms = termsOf(row);
        const b = fundingBreakdown(terms, row.token, request.amountAtoms, !row.setupFeePaid);
        checkBreakdown(b, deps.tokens.get(row.token));
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
          const commissions = await deps.commissions().onDeposit(tx, {
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
              memo: `on a deposit into factory #${row.id}`,
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
          await deps.ledger.execute(tx, ops);
        } catch (error) {
          throw fundingError(error, b, row.token, deps.tokens);
        }
        const paidSetup = b.setupFeeFromDepositAtoms > 0n || b.setupFeeSeparate !== undefined;
        if (paidSetup || row.firstFundedAt === null)
          await tx.db.factory.update({
            where: { id: row.id },
            data: {
              ...(paidSetup ? { setupFeePaid: true } : {}),
              // A premium-first window starts now (src/economy/pools/premium.ts).
              ...(row.firstFundedAt === null ? { firstFundedAt: deps.clock.now() } : {}),
            },
          });
        return b;
      },
    );
    return result;
  });
  return { breakdown, factory: await factoryView(deps, deps.db.prisma, request.factoryId) };
}

/** The creator takes back the unreserved balance of a paused or closed pool. */
export async function withdrawFromPool(
  deps: FactoryDeps,
  request: {
    actor: Actor;
    key: string;
    factoryId: number;
    /** Everything unreserved when not given. */
    amountAtoms?: bigint;
  },
): Promise<{ amountAtoms: bigint; factory: FactoryView }> {
  const amount = await deps.db.transaction(async (tx) => {
    const row = await lockOwned(tx, request.actor, request.factoryId, "withdraw from");
    const { result } = await runOnce(
      tx,
      {
        scope: "pool.withdraw",
        key: request.key,
        input: { id: row.id, amount: request.amountAtoms ?? null },
      },
      async () => {
        const pool = accounts.pool(row.id, row.token);
        const { availableAtoms } = await deps.ledger.balance(tx.db, pool);
        const amountAtoms = poolWithdrawalAtoms(
          { id: row.id, live: factoryStatus(row) === "live" },
          availableAtoms,
          request.amountAtoms,
          deps.tokens.get(row.token),
        );
        await deps.ledger.transfer(tx, {
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
  return { amountAtoms: amount, factory: await factoryView(deps, deps.db.prisma, request.factoryId) };
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
