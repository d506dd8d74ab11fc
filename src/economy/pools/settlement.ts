// Settlement (docs/economy.md section 3): resolves a submission's reservation exactly once with a
// grade. Below the pool's threshold the whole bid returns to the pool; otherwise the reward (each
// recording on its own merit, however many of the task the farmer sent) is split between farmer,
// fee (ambassadors' commissions out of it) and pool. Reviews reuse pay() for an override's difference.
import { UserError } from "#src/core/errors.ts";
import { subKey } from "#src/core/idempotency.ts";
import type { Reply } from "#src/core/reply.ts";
import type { Tx } from "#src/db/database.ts";
import { Prisma } from "#src/db/generated/client.ts";
import { COMMISSION_CODES } from "#src/economy/ambassadors/commissions.ts";
import { expireRow } from "#src/economy/pools/expiry.ts";
import { type RewardSplit, splitReward } from "#src/economy/pools/pool-math.ts";
import { lockSettlingSubmission, type SettlingSubmission } from "#src/economy/pools/settling-submission.ts";
import { awaitsGrade, type SubmissionStatus } from "#src/economy/pools/statuses.ts";
import { settlementNotice } from "#src/economy/pools/submission-wording.ts";
import type { SubmissionDeps } from "#src/economy/pools/submissions.ts";
import type { Grade } from "#src/grading/types.ts";
import { type AccountRef, accounts } from "#src/ledger/accounts.ts";
import type { LedgerOp } from "#src/ledger/ledger.ts";

export const PAYOUT_CODES = {
  farmer: "payout.farmer",
  fee: "payout.fee",
  refund: "payout.refund",
} as const;

export interface SettlementView extends RewardSplit {
  submissionId: number;
  factoryId: number;
  token: string;
  bidAtoms: bigint;
  score: number;
  commissionAtoms: bigint;
  xp: bigint;
}

/**
 * Resolves a submission's reservation exactly once with a grade: below the threshold the whole
 * bid returns to the pool; otherwise the reward is split between farmer, fee (ambassadors' commissions out of it) and pool.
 */
export async function settle(
  deps: SubmissionDeps,
  submissionId: number,
  grade: Grade,
  options: { key: string; reviewerUserId?: number },
): Promise<SettlementView | undefined> {
  const done = await deps.db.transaction((tx) => settleTx(deps, tx, submissionId, grade, options));
  if (done) await deps.notifier.notifyUser(done.farmerUserId, done.notice);
  return done?.view;
}

/** settle() inside the caller's transaction; the caller sends the notice after commit. */
export async function settleTx(
  deps: SubmissionDeps,
  tx: Tx,
  submissionId: number,
  grade: Grade,
  options: { key: string; reviewerUserId?: number },
): Promise<{ view: SettlementView; notice: Reply; farmerUserId: number } | undefined> {
  const now = deps.clock.now();
  const sub = await lockSettlingSubmission(tx, submissionId);
  if (!sub || !awaitsGrade(sub.status)) return undefined;
  // Only a queued recording can have expired: one waiting for a person keeps its reservation.
  if (sub.status === "queued" && sub.expiresAt.getTime() <= now.getTime()) {
    await expireRow(deps, tx, sub);
    return undefined;
  }
  const { view, tally } = await pay(deps, tx, sub, grade, { key: options.key, now, alreadyPaidAtoms: 0n });
  // One statement writes the fee tally and the row, raw so the row (and its payload) does not
  // come back to be parsed again.
  await tx.db.$executeRaw`
    WITH tally AS (${tallyUpdate(tally)})
    UPDATE submissions SET status = ${"settled" satisfies SubmissionStatus}, score = ${grade.score},
      grade = ${JSON.stringify(grade)}::jsonb, reward_atoms = ${view.rewardAtoms.toString()}::numeric,
      paid_gross_atoms = ${view.paidGrossAtoms.toString()}::numeric, fee_atoms = ${view.feeAtoms.toString()}::numeric,
      farmer_atoms = ${view.farmerAtoms.toString()}::numeric, refund_atoms = ${view.refundAtoms.toString()}::numeric,
      settlements = 1, graded_at = ${now}, reviewed_by_user_id = ${options.reviewerUserId ?? null}
    WHERE id = ${sub.id}`;
  const notice = settlementNotice(sub, grade, view, deps.tokens.get(sub.factory.token));
  return { view, notice, farmerUserId: sub.farmerUserId };
}

/** The farmer's fee tally after a payment, which pay()'s caller writes (tallyUpdate, writeTally). */
export interface FeeTallyWrite {
  farmerUserId: number;
  token: string;
  feePercent: string;
  after: { grossAtoms: bigint; feeAtoms: bigint };
}

/** The UPDATE of a fee tally, for a caller to fold into its own statement. */
export function tallyUpdate(tally: FeeTallyWrite): Prisma.Sql {
  return Prisma.sql`
    UPDATE farmer_fee_tallies SET gross_atoms = ${tally.after.grossAtoms.toString()}::numeric,
      fee_atoms = ${tally.after.feeAtoms.toString()}::numeric
    WHERE farmer_user_id = ${tally.farmerUserId} AND token = ${tally.token} AND fee_percent = ${tally.feePercent}`;
}

export async function writeTally(tx: Tx, tally: FeeTallyWrite): Promise<void> {
  await tx.db.$executeRaw`${tallyUpdate(tally)}`;
}

/**
 * Moves the money of one settlement (or of an override's difference) inside `tx`, with the fee
 * tally locked; the caller writes the tally it returns before the transaction ends.
 */
export async function pay(
  deps: SubmissionDeps,
  tx: Tx,
  sub: Pick<SettlingSubmission, "id" | "factoryId" | "farmerUserId" | "bidAtoms" | "reservationId"> & {
    factory: Omit<SettlingSubmission["factory"], "name">;
  },
  grade: Grade,
  how: { key: string; now: Date; alreadyPaidAtoms: bigint; fromPool?: boolean },
): Promise<{ view: SettlementView; tally: FeeTallyWrite }> {
  const { ledger, reputation } = deps;
  const factory = sub.factory;
  const token = factory.token;
  const policy = factory.feePolicy as "clones" | "forge";
  // The farmer's fee tally row: its lock serializes this farmer's settlements, so the cumulative
  // fee is read and written by one settlement at a time. Created if missing and locked in one
  // statement: the no-op DO UPDATE takes the row lock and returns the latest committed tally.
  const [tallyRow] = await tx.db.$queryRaw<Array<{ gross: string; fee: string }>>`
      INSERT INTO farmer_fee_tallies AS t (farmer_user_id, token, fee_percent)
      VALUES (${sub.farmerUserId}, ${token}, ${factory.rewardFeePercent})
      ON CONFLICT (farmer_user_id, token, fee_percent) DO UPDATE SET gross_atoms = t.gross_atoms
      RETURNING gross_atoms::text AS gross, fee_atoms::text AS fee`;
  const bidAtoms = sub.bidAtoms;
  const split = splitReward({
    policy,
    bidAtoms,
    score: grade.score,
    threshold: factory.qualityThreshold,
    alreadyPaidAtoms: how.alreadyPaidAtoms,
    rewardFeePercent: factory.rewardFeePercent,
    tally: { grossAtoms: BigInt(tallyRow!.gross), feeAtoms: BigInt(tallyRow!.fee) },
  });
  const commissions =
    split.paidGrossAtoms > 0n
      ? await deps.commissions().onReward(tx, {
          token,
          policy,
          farmerUserId: sub.farmerUserId,
          creatorUserId: factory.creatorUserId,
          grossAtoms: split.paidGrossAtoms,
          feeAtoms: split.feeAtoms,
        })
      : [];
  const shared = commissions.reduce((sum, c) => sum + (c.amountAtoms > 0n ? c.amountAtoms : 0n), 0n);
  if (shared > split.feeAtoms) throw new Error(`commissions (${shared}) exceed the fee (${split.feeAtoms})`);
  const meta = { factoryId: sub.factoryId, submissionId: sub.id };
  const escrow = accounts.escrow(token);
  const pool = accounts.pool(sub.factoryId, token);
  // A settlement draws from the reservation; an override's difference is paid from the pool.
  const source = how.fromPool ? pool : escrow;
  const ops: LedgerOp[] = [];
  const move = (
    n: string,
    credit: AccountRef,
    amountAtoms: bigint,
    code: string,
    extra = {},
    memo?: string,
  ) => {
    if (amountAtoms > 0n)
      ops.push({
        kind: "transfer",
        key: subKey(how.key, n),
        debit: source,
        credit,
        token,
        amountAtoms,
        code,
        ...(memo ? { memo } : {}),
        meta: { ...meta, ...extra },
      });
  };
  if (!how.fromPool) {
    if (split.paidGrossAtoms === 0n) {
      ops.push({
        kind: "void",
        key: subKey(how.key, "void"),
        pendingId: sub.reservationId!,
        code: PAYOUT_CODES.refund,
      });
    } else {
      ops.push({ kind: "post", key: subKey(how.key, "post"), pendingId: sub.reservationId!, meta });
    }
  }
  move("farmer", accounts.user(sub.farmerUserId, token), split.farmerAtoms, PAYOUT_CODES.farmer);
  for (const [i, c] of commissions.entries())
    move(
      `commission.${i}`,
      accounts.user(c.userId, token),
      c.amountAtoms,
      COMMISSION_CODES[c.role],
      { tier: c.tier },
      `on a reward for submission #${sub.id}`,
    );
  move("fee", accounts.fees(token), split.feeAtoms - shared, PAYOUT_CODES.fee);
  if (!how.fromPool && split.paidGrossAtoms > 0n)
    move("refund", pool, split.refundAtoms, PAYOUT_CODES.refund);
  try {
    await ledger.execute(tx, ops);
  } catch (error) {
    if (how.fromPool && error instanceof UserError && error.code === "insufficient_funds")
      throw new UserError(
        "out_of_funds",
        `Factory #${sub.factoryId}'s pool cannot pay the difference now (${error.message}); fund it, then score again.`,
      );
    throw error;
  }
  const xp =
    grade.score >= factory.qualityThreshold && !how.fromPool
      ? await reputation.award(tx, sub.farmerUserId, grade.score, how.now)
      : 0n;
  const { tallyAfter, ...paid } = split;
  return {
    view: {
      ...paid,
      submissionId: sub.id,
      factoryId: sub.factoryId,
      token,
      bidAtoms,
      score: grade.score,
      commissionAtoms: shared,
      xp,
    },
    tally: { farmerUserId: sub.farmerUserId, token, feePercent: factory.rewardFeePercent, after: tallyAfter },
  };
}
