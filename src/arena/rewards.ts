// The arena's reward rule (docs/economy.md section 7), as a pure function of one epoch's snapshot. Exact:
// every share is computed with decimal.js at 60 significant digits; each payee's share is then
// turned into atoms by rounding down, and the atoms rounding left over go to the largest fractional
// remainders (ties: the earlier line in snapshot order), so the lines sum exactly to E. A share no
// one can receive (step 6) is a line of its own that stays in the emission account.
//
// Speed: the per-participant part (a few thousand nodes and validators) is done in Decimal; the
// delegator fan-out (possibly 100,000s of lines) is done in bigint fixed point at 10^-24 atom, and
// the rounding works on those bigints, so no Decimal is allocated per delegation.
import { Decimal as DecimalBase } from "decimal.js";

/** decimal.js at a fixed precision, rounding toward zero (a computed share never exceeds the exact one). */
export const D = DecimalBase.clone({ precision: 60, rounding: DecimalBase.ROUND_DOWN });
export type Dec = InstanceType<typeof D>;

export type ScoreMode = "rank" | "score";

export interface ArenaParams {
  /** The fixed part of the node/validator split, 0..0.5. */
  gamma: string;
  /** The influence of stake, t^alpha. */
  alpha: string;
  /** How much of delegated stake counts in the effective stake, 0..1. */
  eps: string;
  /** The geometric ratio of rank mode, g = r^(rank - 1). */
  r: string;
  mode: ScoreMode;
}

export interface DelegationInput {
  userId: number;
  atoms: bigint;
}

export interface ParticipantInput {
  /** A stable id (the participant row): orders lines and breaks rounding ties. */
  id: number;
  userId: number;
  ownAtoms: bigint;
  /** The share the participant keeps of its delegators' part, 0..1 (the user sees 1 - sigma). */
  sigma: string;
  delegations: DelegationInput[];
}

export interface ScoreInput {
  validatorId: number;
  nodeId: number;
  /** 0..1 as decimal text. */
  score: string;
}

export interface TaskInput {
  id: number;
  nodes: ParticipantInput[];
  validators: ParticipantInput[];
  /** The validators' scores of this epoch's submissions; a node without any earns nothing. */
  scores: ScoreInput[];
}

export interface EpochInput {
  emissionAtoms: bigint;
  params: ArenaParams;
  tasks: TaskInput[];
}

export type RewardRole = "node" | "validator" | "delegator";

export interface ParticipantBreakdown {
  participantId: number;
  userId: number;
  role: "node" | "validator";
  ownStakeAtoms: bigint;
  delegatedAtoms: bigint;
  /** t_i or s_j: own + eps * delegated. */
  effectiveStake: string;
  /** Nodes: the weighted median of the validators' scores (absent when unscored). */
  consensusScore?: string;
  /** Nodes in rank mode: 1 is best, equal scores share the better rank. */
  rank?: number;
  /** Nodes: g_i. Validators: h_j. */
  quality: string;
  /** f_i / f_j: the participant's and its delegators' share together, exact. */
  share: string;
  /** What the participant keeps, exact, and in atoms after rounding. */
  own: string;
  ownAtoms: bigint;
  /** What its delegators get together, exact, and in atoms after rounding. */
  delegators: string;
  delegatorsAtoms: bigint;
}

export interface TaskBreakdown {
  taskId: number;
  /** Everything staked in the task, own and delegated, in full. */
  stakeAtoms: bigint;
  /** R0: the task's part of E. */
  taskShare: string;
  nodesShare: string;
  validatorsShare: string;
  /** Step 6: what no one in this task can receive, exact and in atoms. */
  unassigned: string;
  unassignedAtoms: bigint;
  nodes: ParticipantBreakdown[];
  validators: ParticipantBreakdown[];
}

export interface Payout {
  taskId: number;
  role: RewardRole;
  /** The node or validator the money is earned through. */
  participantId: number;
  userId: number;
  atoms: bigint;
}

export interface EpochRewards {
  emissionAtoms: bigint;
  /** Paid to participants and delegators. */
  distributedAtoms: bigint;
  /** Step 6: stays in the emission account. */
  undistributedAtoms: bigint;
  tasks: TaskBreakdown[];
  /** One line per payee and way of earning, in snapshot order; zero-atom lines included. */
  payouts: Payout[];
}

// ---- The steps, each on its own (the acceptance vectors test them one by one) ----

const ZERO = new D(0);
const ONE = new D(1);
const TWO = new D(2);

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

// ---- The whole epoch ----

/** Fixed point for the fan-out and the rounding: 10^24 units per atom. */
const SCALE_DIGITS = 24;
const SCALE = 10n ** BigInt(SCALE_DIGITS);
const SCALE_D = new D(10).pow(SCALE_DIGITS);

const scaled = (value: Dec): bigint => BigInt(value.times(SCALE_D).toFixed(0, DecimalBase.ROUND_DOWN));
const dec = (atoms: bigint): Dec => new D(atoms.toString());

/** One payee line before rounding: the exact amount in units of 10^-24 atom. */
interface Line {
  units: bigint;
  payout?: Payout;
  /** Where the rounded atoms are reported in the breakdown. */
  report?: { breakdown: ParticipantBreakdown; part: "own" | "delegators" } | { task: TaskBreakdown };
}

export function computeEpochRewards(input: EpochInput): EpochRewards {
  const params = {
    gamma: new D(input.params.gamma),
    alpha: new D(input.params.alpha),
    eps: new D(input.params.eps),
    r: new D(input.params.r),
    mode: input.params.mode,
  };
  const emission = dec(input.emissionAtoms);
  const lines: Line[] = [];
  const tasks: TaskBreakdown[] = [];

  const prepared = input.tasks.map((task) => {
    const prepare = (p: ParticipantInput) => {
      let delegated = 0n;
      for (const d of p.delegations) delegated += d.atoms;
      return { p, delegated, effective: dec(p.ownAtoms).plus(params.eps.times(dec(delegated))) };
    };
    const nodes = task.nodes.map(prepare);
    const validators = task.validators.map(prepare);
    let stake = 0n;
    for (const x of [...nodes, ...validators]) stake += x.p.ownAtoms + x.delegated;
    return { task, nodes, validators, stake };
  });
  let allStake = 0n;
  for (const t of prepared) allStake += t.stake;

  for (const { task, nodes, validators, stake } of prepared) {
    const r0 = taskShare(emission, dec(stake), dec(allStake));
    const sumT = nodes.reduce((s, n) => s.plus(n.effective), ZERO);
    const sumS = validators.reduce((s, v) => s.plus(v.effective), ZERO);
    const nodesPot = nodesShare(r0, sumT, sumS, params.gamma);
    const validatorsPot = r0.minus(nodesPot);

    // Consensus: the weighted median of each node's scores, weights s_j.
    const validatorWeight = new Map(validators.map((v) => [v.p.id, v.effective]));
    const byNode = new Map<number, Array<{ validatorId: number; score: Dec }>>();
    for (const s of task.scores) {
      if (!validatorWeight.has(s.validatorId)) continue;
      let list = byNode.get(s.nodeId);
      if (!list) {
        list = [];
        byNode.set(s.nodeId, list);
      }
      list.push({ validatorId: s.validatorId, score: new D(s.score) });
    }
    const consensus = new Map<number, Dec>();
    for (const n of nodes) {
      const list = byNode.get(n.p.id);
      if (!list) continue;
      const c = weightedMedian(
        list.map((s) => ({ score: s.score, weight: validatorWeight.get(s.validatorId)! })),
      );
      if (c !== undefined) consensus.set(n.p.id, c);
    }

    // Node quality g_i: r^(rank - 1) among the scored nodes, or c_i itself in score mode.
    const scored = nodes.filter((n) => consensus.has(n.p.id));
    const ranks = ranksOf(scored.map((n) => consensus.get(n.p.id)!));
    const rankOf = new Map(scored.map((n, i) => [n.p.id, ranks[i]!]));
    const powers = new Map<number, Dec>();
    const nodeQuality = (id: number): Dec => {
      const c = consensus.get(id);
      if (c === undefined) return ZERO;
      if (params.mode === "score") return c;
      const rank = rankOf.get(id)!;
      let g = powers.get(rank);
      if (!g) {
        g = params.r.pow(rank - 1);
        powers.set(rank, g);
      }
      return g;
    };
    const gs = nodes.map((n) => nodeQuality(n.p.id));
    const fNodes = qualityShares(
      nodesPot,
      nodes.map((n, i) => ({ quality: gs[i]!, stake: n.effective })),
      params.alpha,
    );

    // Validator quality h_j = 1 - mean |x_ji - c_i| over the scored submissions (unscored: 1).
    const scoredCount = consensus.size;
    const deviations = new Map<number, Dec>(validators.map((v) => [v.p.id, ZERO]));
    const seen = new Map<number, number>();
    for (const [nodeId, list] of byNode) {
      const c = consensus.get(nodeId);
      if (c === undefined) continue;
      for (const s of list) {
        deviations.set(s.validatorId, deviations.get(s.validatorId)!.plus(s.score.minus(c).abs()));
        seen.set(s.validatorId, (seen.get(s.validatorId) ?? 0) + 1);
      }
    }
    const hs = validators.map((v) => {
      if (scoredCount === 0) return ZERO;
      const missing = scoredCount - (seen.get(v.p.id) ?? 0);
      const total = deviations.get(v.p.id)!.plus(missing);
      return ONE.minus(total.div(scoredCount));
    });
    const fValidators = qualityShares(
      validatorsPot,
      validators.map((v, i) => ({ quality: hs[i]!, stake: v.effective })),
      params.alpha,
    );

    let unassigned = ZERO;
    if (fNodes.every((f) => f.isZero())) unassigned = unassigned.plus(nodesPot);
    if (fValidators.every((f) => f.isZero())) unassigned = unassigned.plus(validatorsPot);
    const breakdown: TaskBreakdown = {
      taskId: task.id,
      stakeAtoms: stake,
      taskShare: r0.toString(),
      nodesShare: nodesPot.toString(),
      validatorsShare: validatorsPot.toString(),
      unassigned: unassigned.toString(),
      unassignedAtoms: 0n,
      nodes: [],
      validators: [],
    };
    tasks.push(breakdown);

    const emit = (
      role: "node" | "validator",
      x: (typeof nodes)[number],
      f: Dec,
      quality: Dec,
      extra: Pick<ParticipantBreakdown, "consensusScore" | "rank">,
    ) => {
      const kept = keptShare(f, new D(x.p.sigma), dec(x.p.ownAtoms), dec(x.delegated));
      const pool = f.minus(kept);
      const b: ParticipantBreakdown = {
        participantId: x.p.id,
        userId: x.p.userId,
        role,
        ownStakeAtoms: x.p.ownAtoms,
        delegatedAtoms: x.delegated,
        effectiveStake: x.effective.toString(),
        ...extra,
        quality: quality.toString(),
        share: f.toString(),
        own: kept.toString(),
        ownAtoms: 0n,
        delegators: pool.toString(),
        delegatorsAtoms: 0n,
      };
      (role === "node" ? breakdown.nodes : breakdown.validators).push(b);
      lines.push({
        units: scaled(kept),
        payout: { taskId: task.id, role, participantId: x.p.id, userId: x.p.userId, atoms: 0n },
        report: { breakdown: b, part: "own" },
      });
      if (x.delegated === 0n) return;
      // Pro rata to each delegator's delegation, in bigint fixed point; one line per delegator.
      const poolUnits = scaled(pool);
      const perUser = new Map<number, bigint>();
      for (const d of x.p.delegations) perUser.set(d.userId, (perUser.get(d.userId) ?? 0n) + d.atoms);
      const userIds = [...perUser.keys()].sort((a, b) => a - b);
      for (const userId of userIds) {
        lines.push({
          units: (poolUnits * perUser.get(userId)!) / x.delegated,
          payout: { taskId: task.id, role: "delegator", participantId: x.p.id, userId, atoms: 0n },
          report: { breakdown: b, part: "delegators" },
        });
      }
    };
    nodes.forEach((n, i) => {
      const c = consensus.get(n.p.id);
      emit("node", n, fNodes[i]!, gs[i]!, {
        ...(c !== undefined ? { consensusScore: c.toString() } : {}),
        ...(c !== undefined && params.mode === "rank" ? { rank: rankOf.get(n.p.id)! } : {}),
      });
    });
    validators.forEach((v, i) => {
      emit("validator", v, fValidators[i]!, hs[i]!, {});
    });
    if (!unassigned.isZero()) lines.push({ units: scaled(unassigned), report: { task: breakdown } });
  }
  // Nothing staked anywhere: the whole emission has no one to go to.
  if (allStake === 0n && input.emissionAtoms > 0n) {
    lines.push({ units: input.emissionAtoms * SCALE });
  }

  const atoms = roundByLargestRemainder(
    lines.map((l) => l.units),
    input.emissionAtoms,
  );
  let distributed = 0n;
  const payouts: Payout[] = [];
  lines.forEach((line, i) => {
    const a = atoms[i]!;
    if (line.payout) {
      line.payout.atoms = a;
      distributed += a;
      payouts.push(line.payout);
    }
    const report = line.report;
    if (!report) return;
    if ("task" in report) report.task.unassignedAtoms += a;
    else if (report.part === "own") report.breakdown.ownAtoms += a;
    else report.breakdown.delegatorsAtoms += a;
  });
  return {
    emissionAtoms: input.emissionAtoms,
    distributedAtoms: distributed,
    undistributedAtoms: input.emissionAtoms - distributed,
    tasks,
    payouts,
  };
}

/**
 * Rounds each exact amount (in units of 10^-24 atom) down to atoms, then gives the atoms left to
 * reach `total` one each to the largest remainders, ties to the earlier line. Exact amounts that
 * overshoot `total` by rounding take atoms back from the smallest remainders.
 */
export function roundByLargestRemainder(units: readonly bigint[], total: bigint): bigint[] {
  const atoms = new Array<bigint>(units.length);
  const remainders = new Array<bigint>(units.length);
  let sum = 0n;
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!;
    atoms[i] = u / SCALE;
    remainders[i] = u % SCALE;
    sum += atoms[i]!;
  }
  let left = total - sum;
  if (left === 0n || units.length === 0) return atoms;
  // Sorted by the remainder as a float first (fast), by the exact bigint only where floats tie.
  const approx = new Float64Array(units.length);
  for (let i = 0; i < units.length; i++) approx[i] = Number(remainders[i]!);
  const order = Array.from({ length: units.length }, (_, i) => i);
  order.sort((a, b) => {
    const byFloat = approx[b]! - approx[a]!;
    if (byFloat !== 0) return byFloat;
    const ra = remainders[a]!;
    const rb = remainders[b]!;
    return ra > rb ? -1 : ra < rb ? 1 : a - b;
  });
  if (left > 0n) {
    for (let k = 0; left > 0n; k = (k + 1) % order.length, left--) atoms[order[k]!]! += 1n;
  } else {
    for (let k = order.length - 1; left < 0n; k = k === 0 ? order.length - 1 : k - 1) {
      const i = order[k]!;
      if (atoms[i]! > 0n) {
        atoms[i]! -= 1n;
        left++;
      }
    }
  }
  return atoms;
}
