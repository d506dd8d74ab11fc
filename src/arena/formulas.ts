// The reward rule's formulas (docs/economy.md section 7), each on its own: the acceptance vectors
// test them one by one, and rewards.ts applies them to a whole epoch.
import { Decimal as DecimalBase } from "decimal.js";

/** decimal.js at a fixed precision, rounding toward zero (a computed share never exceeds the exact one). */
export const D = DecimalBase.clone({ precision: 60, rounding: DecimalBase.ROUND_DOWN });
export type Dec = InstanceType<typeof D>;

export const ZERO = new D(0);
export const ONE = new D(1);
export const TWO = new D(2);

/** Step 1: the task's part of the emission. */
export function taskShare(emission: Dec, taskStake: Dec, allStake: Dec): Dec {
  if (allStake.isZero()) return ZERO;
  return emission.times(taskStake.div(allStake));
}

/** Step 2: the nodes' part of R0 (validators get the rest). */
export function nodesShare(r0: Dec, sumT: Dec, sumS: Dec, gamma: Dec): Dec {
  const total = sumT.plus(sumS);
  if (total.isZero()) return ZERO;
  return r0.times(gamma.plus(ONE.minus(gamma.times(TWO)).times(sumT.div(total))));
}

/** Steps 3 and 5: each one's f from its quality q (g_i or h_j) and effective stake, q * t^alpha. */
export function qualityShares(
  pot: Dec,
  members: ReadonlyArray<{ quality: Dec; stake: Dec }>,
  alpha: Dec,
): Dec[] {
  const weights = members.map((m) => (m.quality.isZero() ? ZERO : m.quality.times(powAlpha(m.stake, alpha))));
  const total = weights.reduce((sum, w) => sum.plus(w), ZERO);
  if (total.isZero()) return weights.map(() => ZERO);
  return weights.map((w) => (w.isZero() ? ZERO : pot.times(w.div(total))));
}

function powAlpha(stake: Dec, alpha: Dec): Dec {
  if (alpha.eq(ONE)) return stake;
  if (stake.isZero()) return ZERO;
  return stake.pow(alpha);
}

/** Step 4 (and the validators' twin): what the participant keeps of f; the rest is its delegators'. */
export function keptShare(f: Dec, sigma: Dec, own: Dec, delegated: Dec): Dec {
  const whole = own.plus(delegated);
  if (whole.isZero()) return f;
  return f.times(sigma.plus(ONE.minus(sigma).times(own.div(whole))));
}

/**
 * The consensus score: the smallest score x such that the validators scoring at most x hold at
 * least half of the weight of all validators who scored. Undefined when the weight is zero.
 */
export function weightedMedian(scores: ReadonlyArray<{ score: Dec; weight: Dec }>): Dec | undefined {
  const sorted = [...scores].filter((s) => !s.weight.isZero()).sort((a, b) => a.score.comparedTo(b.score));
  const total = sorted.reduce((sum, s) => sum.plus(s.weight), ZERO);
  if (total.isZero()) return undefined;
  let cumulative = ZERO;
  for (const entry of sorted) {
    cumulative = cumulative.plus(entry.weight);
    if (cumulative.times(TWO).gte(total)) return entry.score;
  }
  return sorted[sorted.length - 1]?.score;
}

/** Ranks by score, best first; equal scores share the better rank (0.9, 0.8, 0.8, 0.7 -> 1, 2, 2, 4). */
export function ranksOf(scores: readonly Dec[]): number[] {
  const order = scores.map((score, index) => ({ score, index })).sort((a, b) => b.score.comparedTo(a.score));
  const ranks = new Array<number>(scores.length);
  for (let i = 0; i < order.length; i++) {
    const entry = order[i]!;
    const previous = order[i - 1];
    ranks[entry.index] = previous?.score.eq(entry.score) ? ranks[previous.index]! : i + 1;
  }
  return ranks;
}
