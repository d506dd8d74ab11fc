// A small settlement on the real ledger, standing in for the pools feature's payouts while it is
// built: fund a pool, reserve a bid for a submission, and settle it the way docs/economy.md sections 3
// and 6 say (gross = floor(bid x q / 100), fee 10% of gross rounded down under the clones policy,
// commissions out of the fee through services.commissions, the protocol keeps the rest), all in
// one transaction. Plus helpers to make members, stake them to a tier and refer them.
import type { Actor } from "#src/core/context.ts";
import { runOnce } from "#src/core/idempotency.ts";
import { COMMISSION_CODES, type Commission, type FeePolicy } from "#src/economy/ambassadors/commissions.ts";
import { STAKE_TOKEN } from "#src/economy/ambassadors/tiers.ts";
import { type AccountKey, accounts } from "#src/ledger/accounts.ts";
import type { Services } from "#src/services.ts";

let nextKey = 0;
export const uniqueKey = (label: string) => `${label}-${++nextKey}-${process.pid}`;

export async function member(services: Services, name: string): Promise<Actor> {
  const ref = await services.identity.ensureUser({
    platform: "console",
    id: name,
    username: name,
    displayName: name,
  });
  return {
    userId: ref.userId,
    displayName: ref.displayName,
    isModerator: false,
    platform: "console",
    platformUserId: name,
  };
}

/** Money from outside into a member's balance (a moderator's credit, on the ledger). */
export async function grant(services: Services, userId: number, token: string, atoms: bigint): Promise<void> {
  await services.db.transaction((tx) =>
    services.ledger.transfer(tx, {
      key: uniqueKey("grant"),
      debit: accounts.world(token),
      credit: accounts.user(userId, token),
      token,
      amountAtoms: atoms,
      code: "admin.credit",
    }),
  );
}

/** Stakes exactly `atoms` CLONES more for the member. */
export async function stake(services: Services, who: Actor, atoms: bigint): Promise<void> {
  if (atoms <= 0n) return;
  await grant(services, who.userId, STAKE_TOKEN, atoms);
  await services.staking.add({ actor: who, key: uniqueKey("stake"), amountAtoms: atoms });
}

/** Stakes the exact threshold of `tier` (0: nothing). */
export async function stakeToTier(services: Services, who: Actor, tier: number): Promise<void> {
  await stake(services, who, services.staking.thresholdOf(tier));
}

export async function refer(services: Services, referred: Actor, ambassador: Actor): Promise<void> {
  const code = await services.referrals.codeOf(ambassador.userId);
  await services.referrals.use({ actor: referred, key: uniqueKey("use"), code, now: services.clock.now() });
}

let nextPool = 1000;

/** A creator's pool holding `atoms` (funded with the ledger code pool.fund). */
export async function fundPool(
  services: Services,
  creator: Actor,
  token: string,
  atoms: bigint,
): Promise<number> {
  const poolId = ++nextPool;
  await grant(services, creator.userId, token, atoms);
  await services.db.transaction((tx) =>
    services.ledger.transfer(tx, {
      key: uniqueKey("fund"),
      debit: accounts.user(creator.userId, token),
      credit: accounts.pool(poolId, token),
      token,
      amountAtoms: atoms,
      code: "pool.fund",
      meta: { creatorUserId: creator.userId },
    }),
  );
  return poolId;
}

export interface Settled {
  grossAtoms: bigint;
  feeAtoms: bigint;
  farmerAtoms: bigint;
  refundAtoms: bigint;
  commissions: Commission[];
  protocolAtoms: bigint;
}

export interface SubmissionRequest {
  poolId: number;
  creator: Actor;
  farmer: Actor;
  token: string;
  bidAtoms: bigint;
  quality: number;
  policy?: FeePolicy;
}

export interface Reservation extends SubmissionRequest {
  key: string;
  pendingId: bigint;
}

/** A farmer's submission: the bid reserved from the pool (ledger code pool.reserve). */
export async function reserveSubmission(
  services: Services,
  request: SubmissionRequest,
): Promise<Reservation> {
  const key = uniqueKey("submission");
  const reservation = await services.db.transaction((tx) =>
    services.ledger.reserve(tx, {
      key: `${key}|reserve`,
      debit: accounts.pool(request.poolId, request.token),
      credit: accounts.escrow(request.token),
      token: request.token,
      amountAtoms: request.bidAtoms,
      code: "pool.reserve",
      meta: { farmerUserId: request.farmer.userId, creatorUserId: request.creator.userId },
    }),
  );
  return { ...request, key, pendingId: reservation.id };
}

/**
 * Settles a reservation at its quality, once per reservation key (a replay returns the first
 * result), in one transaction: post the gross, pay farmer, commissions and protocol from escrow.
 */
export async function settleSubmission(
  services: Services,
  r: Reservation,
  /** Runs inside the settlement transaction once the commissions are decided (for races). */
  beforeCommit?: () => Promise<void>,
): Promise<Settled> {
  const { token, bidAtoms, quality, farmer, creator } = r;
  const policy = r.policy ?? "clones";
  const escrow = accounts.escrow(token);
  const { result } = await services.db.transaction((tx) =>
    runOnce(tx, { scope: "test.settle", key: r.key, input: { pendingId: r.pendingId } }, async () => {
      const grossAtoms = quality >= 50 ? (bidAtoms * BigInt(quality)) / 100n : 0n;
      const feeAtoms = policy === "clones" ? grossAtoms / 10n : 0n;
      const commissions = await services.commissions.onReward(tx, {
        token,
        policy,
        farmerUserId: farmer.userId,
        creatorUserId: creator.userId,
        grossAtoms,
        feeAtoms,
      });
      const shared = commissions.reduce((sum, c) => sum + c.amountAtoms, 0n);
      const protocolAtoms = feeAtoms - shared;
      const farmerAtoms = grossAtoms - feeAtoms;
      const from = (to: AccountKey, amountAtoms: bigint, code: string, suffix: string, meta = {}) =>
        amountAtoms > 0n
          ? [
              {
                kind: "transfer" as const,
                key: `${r.key}|${suffix}`,
                debit: escrow,
                credit: to,
                token,
                amountAtoms,
                code,
                meta,
              },
            ]
          : [];
      await services.ledger.execute(tx, [
        grossAtoms > 0n
          ? {
              kind: "post",
              key: `${r.key}|post`,
              pendingId: r.pendingId,
              amountAtoms: grossAtoms,
              code: "pool.payout",
            }
          : { kind: "void", key: `${r.key}|void`, pendingId: r.pendingId, code: "pool.refund" },
        ...from(accounts.user(farmer.userId, token), farmerAtoms, "payout.farmer", "farmer"),
        ...commissions.flatMap((c, i) =>
          from(accounts.user(c.userId, token), c.amountAtoms, COMMISSION_CODES[c.role], `commission-${i}`, {
            tier: c.tier,
          }),
        ),
        ...from(accounts.fees(token), protocolAtoms, "payout.fee", "fee"),
      ]);
      await beforeCommit?.();
      return {
        grossAtoms,
        feeAtoms,
        farmerAtoms,
        refundAtoms: bidAtoms - grossAtoms,
        commissions,
        protocolAtoms,
      };
    }),
  );
  return result;
}

/** Reserves `bid` from the pool for a farmer's submission, then settles it at quality `q`. */
export async function submitAndSettle(services: Services, request: SubmissionRequest): Promise<Settled> {
  return settleSubmission(services, await reserveSubmission(services, request));
}
