// What a farmer is told about a submission after it was queued: its settlement (score, the
// reward's split, XP), a hand-over to a person, an expiry. Kept apart from the money so the
// wording can change without touching a settlement.

import { formatCount } from "#src/core/counts.ts";
import { literal } from "#src/core/markup.ts";
import type { Reply } from "#src/core/reply.ts";
import type { SettlementView } from "#src/economy/pools/settlement.ts";
import type { SubmissionStatus } from "#src/economy/pools/statuses.ts";
import type { Grade } from "#src/grading/types.ts";
import { decimalString, formatMoney, type TokenInfo } from "#src/ledger/amount.ts";

/** The grader could not score it: a person will, while the bid stays reserved. */
export function manualReviewNotice(submissionId: number, reason: string): Reply {
  return {
    title: `Submission #${submissionId}: waiting for a reviewer`,
    text: `Your demonstration needs a person to score it (${reason}). Its bid stays reserved for you until a reviewer scores it, however long that takes.`,
    data: { submissionId, status: "manual_review" satisfies SubmissionStatus },
  };
}

/** No grade came in time: the bid went back to the pool. */
export function expiredNotice(submissionId: number, ttlHours: number): Reply {
  return {
    title: `Submission #${submissionId} expired`,
    text: `Submission #${submissionId} was not graded within ${ttlHours} hours; its bid went back to the pool and nothing was paid. You may submit the recording again.`,
    data: { submissionId, status: "expired" satisfies SubmissionStatus },
  };
}

/**
 * The grader's reasons as one sentence: each without its own closing punctuation, joined by "; ",
 * ended by one full stop (never ".;" or "..").
 */
export function whyText(reasons: readonly string[]): string {
  const parts = reasons
    .slice(0, 4)
    .map((r) => r.trim().replace(/[\s.;,]+$/u, ""))
    .filter(Boolean);
  return parts.length > 0 ? `${parts.join("; ")}.` : "";
}

export function settlementNotice(
  sub: {
    id: number;
    factoryId: number;
    factory: { name: string; feePolicy: string; rewardFeePercent: string; qualityThreshold: number };
    task: { title: string };
  },
  grade: Grade,
  r: SettlementView,
  token: TokenInfo,
): Reply {
  const m = (atoms: bigint) => formatMoney(atoms, token);
  const head = `Submission #${sub.id} to factory #${sub.factoryId} "${literal(sub.factory.name)}" (task "${literal(sub.task.title)}") scored ${grade.score}/100 — outcome ${grade.breakdown.outcome}/60, process ${grade.breakdown.process}/30, efficiency ${grade.breakdown.efficiency}/10.`;
  const reasons = whyText(grade.reasons) ? `\nWhy: ${literal(whyText(grade.reasons))}` : "";
  let money: string;
  if (r.rewardAtoms === 0n) {
    money = `Below the pool's threshold of ${sub.factory.qualityThreshold}: nothing is paid, and the reserved ${m(r.bidAtoms)} returns to the pool.`;
  } else {
    const lines = [`Reward: bid ${m(r.bidAtoms)} × ${grade.score}% = ${m(r.rewardAtoms)}.`];
    if (sub.factory.feePolicy === "clones")
      lines.push(
        `Platform fee ${sub.factory.rewardFeePercent}%: ${m(r.feeAtoms)}` +
          (r.commissionAtoms > 0n ? ` (${m(r.commissionAtoms)} of it to ambassadors' commissions).` : "."),
      );
    lines.push(`You receive **${m(r.farmerAtoms)}**; ${m(r.refundAtoms)} returns to the pool.`);
    if (r.xp > 0n) lines.push(`+${formatCount(r.xp)} XP.`);
    money = lines.join(" ");
  }
  return {
    title: `Submission #${sub.id} graded: ${grade.score}/100`,
    text: `${head}${reasons}\n${money}`,
    tone: r.farmerAtoms > 0n ? "success" : "warning",
    data: {
      submissionId: sub.id,
      score: grade.score,
      // Decimals of the token, as every reply carries them (atoms are for the ledger).
      token: token.symbol,
      reward: decimalString(r.rewardAtoms, token),
      fee: decimalString(r.feeAtoms, token),
      commissions: decimalString(r.commissionAtoms, token),
      farmer: decimalString(r.farmerAtoms, token),
      refund: decimalString(r.refundAtoms, token),
    },
  };
}
