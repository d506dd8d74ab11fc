// Settlement (docs/economy.md section 3): resolves a submission's reservation exactly once with a
// grade. Below the pool's threshold the whole bid returns to the pool; otherwise the reward (each
// recording on its own merit, however many of the task the farmer sent) is split between farmer,
// fee (ambassadors' commissions out of it) and pool. Reviews reuse pay() for an override's difference.
import { UserError } from "#src/core/errors.ts";
import { subKey } from "#src/core/idempotency.ts";
import type { Reply } from "#src/core/reply.ts";
import type { Tx } from "#src/db/database.ts";
import { COMMISSION_CODES } from "#src/economy/ambassadors/commissions.ts";
import { expireRow } from "#src/economy/pools/expiry.ts";
import { type RewardSplit, splitReward } from "#src/economy/pools/pool-math.ts";
import { awaitsGrade, type SubmissionStatus, submissionStatus } from "#src/economy/pools/statuses.ts";
import type { SubmissionRow } from "#src/economy/pools/submission-reads.ts";
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
  const rows = await tx.db.$queryRaw<Array<{ id: number }>>`
      SELECT id FROM submissions WHERE id = ${submissionId} FOR UPDATE`;
  if (rows.length === 0) return undefined;
  const sub = await tx.db.submission.findUniqueOrThrow({
    where: { id: submissionId },
    include: { factory: true, task: true },
  });
  if (!awaitsGrade(submissionStatus(sub))) return undefined;
  // Only a queued recording can have expired: one waiting for a person keeps its reservation.
  if (submissionStatus(sub) === "queued" && sub.expiresAt.getTime() <= now.getTime()) {
    await expireRow(deps, tx, sub);
    return undefined;
  }
  const view = await pay(deps, tx, sub, grade, { key: options.key, now, alreadyPaidAtoms: 0n });
  await tx.db.submission.update({
    where: { id: sub.id },
    data: {
      status: "settled" satisfies SubmissionStatus,
      score: grade.score,
      grade: grade as never,
      rewardAtoms: view.rewardAtoms.toString(),
      paidGrossAtoms: view.paidGrossAtoms.toString(),
      feeAtoms: view.feeAtoms.toString(),
      farmerAtoms: view.farmerAtoms.toString(),
      refundAtoms: view.refundAtoms.toString(),
      settlements: 1,
      gradedAt: now,
      reviewedByUserId: options.reviewerUserId ?? null,
    },
  });
  const notice = settlementNotice(sub, grade, view, deps.tokens.get(sub.factory.token));
  return { view, notice, farmerUserId: sub.farmerUserId };
}

/** Moves the money of one settlement (or of an override's difference) inside `tx`. */
export async function pay(
  deps: SubmissionDeps,
  tx: Tx,
  sub: SubmissionRow & {
    factory: {
      token: string;
      feePolicy: string;
      rewardFeePercent: string;
      qualityThreshold: number;
      creatorUserId: number;
    };
  },
  grade: Grade,
  how: { key: string; now: Date; alreadyPaidAtoms: bigint; fromPool?: boolean },
): Promise<SettlementView> {
  const { ledger, reputation } = deps;
  const factory = sub.factory;
  const token = factory.token;
  const policy = factory.feePolicy as "clones" | "forge";
  // The farmer's fee tally row: its lock serializes this farmer's settlements, so the cumulative
  // fee is read and written by one settlement at a time.
  await tx.db.$executeRaw`
      INSERT INTO farmer_fee_tallies (farmer_user_id, token, fee_percent)
      VALUES (${sub.farmerUserId}, ${token}, ${factory.rewardFeePercent}) ON CONFLICT DO NOTHING`;
  const [tallyRow] = await tx.db.$queryRaw<Array<{ gross: string; fee: string }>>`
      SELECT gross_atoms::text AS gross, fee_atoms::text AS fee FROM farmer_fee_tallies
      WHERE farmer_user_id = ${sub.farmerUserId} AND token = ${token} AND fee_percent = ${factory.rewardFeePercent}
      FOR UPDATE`;
  const bidAtoms = BigInt(sub.bidAtoms.toFixed());
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
  await tx.db.$executeRaw`
      UPDATE farmer_fee_tallies SET gross_atoms = ${split.tallyAfter.grossAtoms.toString()}::numeric,
        fee_atoms = ${split.tallyAfter.feeAtoms.toString()}::numeric
      WHERE farmer_user_id = ${sub.farmerUserId} AND token = ${token} AND fee_percent = ${factory.rewardFeePercent}`;
  const xp =
    grade.score >= factory.qualityThreshold && !how.fromPool
      ? await reputation.award(tx, sub.farmerUserId, grade.score, how.now)
      : 0n;
  return {
    ...split,
    submissionId: sub.id,
    factoryId: sub.factoryId,
    token,
    bidAtoms,
    score: grade.score,
    commissionAtoms: shared,
    xp,
  };
}
