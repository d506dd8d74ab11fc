// The arena's reward rule (docs/economy.md section 7), as a pure function of one epoch's snapshot. Exact:
// every share is computed with decimal.js at 60 significant digits; each payee's share is then
// turned into atoms by rounding down, and the atoms rounding left over go to the largest fractional
// remainders (ties: the earlier line in snapshot order), so the lines sum exactly to E. A share no
// one can receive (step 6) is a line of its own that stays in the emission account.
//
// Speed: the per-participant part (a few thousand nodes and validators) is done in Decimal; the
// delegator fan-out (possibly 100,000s of lines) is done in bigint fixed point at 10^-24 atom, and
// the rounding works on those bigints, so no Decimal is allocated per delegation.
// The formulas of each step are in formulas.ts; the fixed point and the rounding in rounding.ts.
import {
  D,
  type Dec,
  keptShare,
  nodesShare,
  ONE,
  qualityShares,
  ranksOf,
  taskShare,
  weightedMedian,
  ZERO,
} from "./formulas.ts";
import { roundByLargestRemainder, SCALE, scaled } from "./rounding.ts";

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

export type { RewardRole } from "./types.ts";

import type { RewardRole } from "./types.ts";

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

// ---- The whole epoch ----

const dec = (atoms: bigint): Dec => new D(atoms.toString());

/** One payee line before rounding: the exact amount in units of 10^-24 atom. */
interface Line {
  units: bigint;
  payout?: Payout;
  /** Where the rounded atoms are reported in the breakdown. */
  report?: { breakdown: ParticipantBreakdown; part: "own" | "delegators" } | { task: TaskBreakdown };
}

type Params = ReturnType<typeof readParams>;

/** A node or validator with its delegations summed and its effective stake (t_i or s_j). */
interface Staker {
  p: ParticipantInput;
  delegated: bigint;
  effective: Dec;
}

interface StakedTask {
  task: TaskInput;
  nodes: Staker[];
  validators: Staker[];
  /** Everything staked in the task, own and delegated, in full. */
  stake: bigint;
}

/** What the validators' scores say about the nodes: each node's scores and its consensus score. */
interface Consensus {
  validatorWeight: Map<number, Dec>;
  byNode: Map<number, Array<{ validatorId: number; score: Dec }>>;
  consensus: Map<number, Dec>;
}

/**
 * The epoch's rewards: step 1 shares E across the tasks by stake, each task goes through steps 2
 * to 6 (rewardTask), and the exact lines are rounded to atoms last, all at once.
 */
export function computeEpochRewards(input: EpochInput): EpochRewards {
  const params = readParams(input.params);
  const emission = dec(input.emissionAtoms);
  const staked = input.tasks.map((task) => stakesOf(task, params.eps));
  let allStake = 0n;
  for (const t of staked) allStake += t.stake;
  const lines: Line[] = [];
  const tasks = staked.map((task) => {
    // Step 1: the task's part of E.
    const r0 = taskShare(emission, dec(task.stake), dec(allStake));
    return rewardTask(task, r0, params, lines);
  });
  // Step 6 for the whole epoch: nothing staked anywhere, so the emission has no one to go to.
  if (allStake === 0n && input.emissionAtoms > 0n) {
    lines.push({ units: input.emissionAtoms * SCALE });
  }
  return roundLines(lines, input.emissionAtoms, tasks);
}

function readParams(params: ArenaParams) {
  return {
    gamma: new D(params.gamma),
    alpha: new D(params.alpha),
    eps: new D(params.eps),
    r: new D(params.r),
    mode: params.mode,
  };
}

function stakesOf(task: TaskInput, eps: Dec): StakedTask {
  const prepare = (p: ParticipantInput): Staker => {
    let delegated = 0n;
    for (const d of p.delegations) delegated += d.atoms;
    return { p, delegated, effective: dec(p.ownAtoms).plus(eps.times(dec(delegated))) };
  };
  const nodes = task.nodes.map(prepare);
  const validators = task.validators.map(prepare);
  let stake = 0n;
  for (const x of [...nodes, ...validators]) stake += x.p.ownAtoms + x.delegated;
  return { task, nodes, validators, stake };
}

/** Steps 2 to 6 for one task whose R0 is `r0`: its breakdown, and its payee lines added to `lines`. */
function rewardTask(staked: StakedTask, r0: Dec, params: Params, lines: Line[]): TaskBreakdown {
  const { task, nodes, validators, stake } = staked;
  const { nodesPot, validatorsPot } = splitNodesAndValidators(staked, r0, params.gamma);
  const scores = consensusOf(staked);
  const amongNodes = shareAmongNodes(nodes, scores, nodesPot, params);
  const amongValidators = shareAmongValidators(validators, scores, validatorsPot, params.alpha);
  const unassigned = unassignedOf(nodesPot, amongNodes.f, validatorsPot, amongValidators.f);
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
  nodes.forEach((n, i) => {
    const c = scores.consensus.get(n.p.id);
    keepAndShare(breakdown, "node", n, amongNodes.f[i]!, amongNodes.gs[i]!, lines, {
      ...(c !== undefined ? { consensusScore: c.toString() } : {}),
      ...(c !== undefined && params.mode === "rank" ? { rank: amongNodes.rankOf.get(n.p.id)! } : {}),
    });
  });
  validators.forEach((v, i) => {
    keepAndShare(breakdown, "validator", v, amongValidators.f[i]!, amongValidators.hs[i]!, lines, {});
  });
  if (!unassigned.isZero()) lines.push({ units: scaled(unassigned), report: { task: breakdown } });
  return breakdown;
}

/** Step 2: the task's R0 split between its nodes and its validators. */
function splitNodesAndValidators(staked: StakedTask, r0: Dec, gamma: Dec) {
  const sumT = staked.nodes.reduce((s, n) => s.plus(n.effective), ZERO);
  const sumS = staked.validators.reduce((s, v) => s.plus(v.effective), ZERO);
  const nodesPot = nodesShare(r0, sumT, sumS, gamma);
  return { nodesPot, validatorsPot: r0.minus(nodesPot) };
}

/** Consensus: the weighted median of each node's scores, weights s_j. */
function consensusOf({ task, nodes, validators }: StakedTask): Consensus {
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
  return { validatorWeight, byNode, consensus };
}

/** Step 3: node quality g_i, r^(rank - 1) among the scored nodes or c_i itself in score mode, and f_i. */
function shareAmongNodes(nodes: Staker[], { consensus }: Consensus, nodesPot: Dec, params: Params) {
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
  const f = qualityShares(
    nodesPot,
    nodes.map((n, i) => ({ quality: gs[i]!, stake: n.effective })),
    params.alpha,
  );
  return { gs, f, rankOf };
}

/** Step 5: validator quality h_j = 1 - mean |x_ji - c_i| over the scored submissions (unscored: 1), and f_j. */
function shareAmongValidators(
  validators: Staker[],
  { byNode, consensus }: Consensus,
  validatorsPot: Dec,
  alpha: Dec,
) {
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
  const f = qualityShares(
    validatorsPot,
    validators.map((v, i) => ({ quality: hs[i]!, stake: v.effective })),
    alpha,
  );
  return { hs, f };
}

/** Step 6 for one task: a pot no node (or no validator) can receive. */
function unassignedOf(nodesPot: Dec, fNodes: Dec[], validatorsPot: Dec, fValidators: Dec[]): Dec {
  let unassigned = ZERO;
  if (fNodes.every((f) => f.isZero())) unassigned = unassigned.plus(nodesPot);
  if (fValidators.every((f) => f.isZero())) unassigned = unassigned.plus(validatorsPot);
  return unassigned;
}

/**
 * Step 4 (and the validators' twin): what the participant keeps of its f, and its delegators' rest
 * shared pro rata to each one's delegation. Adds its breakdown to the task's and its lines.
 */
function keepAndShare(
  breakdown: TaskBreakdown,
  role: "node" | "validator",
  x: Staker,
  f: Dec,
  quality: Dec,
  lines: Line[],
  extra: Pick<ParticipantBreakdown, "consensusScore" | "rank">,
): void {
  const taskId = breakdown.taskId;
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
    payout: { taskId, role, participantId: x.p.id, userId: x.p.userId, atoms: 0n },
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
      payout: { taskId, role: "delegator", participantId: x.p.id, userId, atoms: 0n },
      report: { breakdown: b, part: "delegators" },
    });
  }
}

/** The exact lines rounded to atoms that sum to E, reported back into the payouts and breakdowns. */
function roundLines(lines: Line[], emissionAtoms: bigint, tasks: TaskBreakdown[]): EpochRewards {
  const atoms = roundByLargestRemainder(
    lines.map((l) => l.units),
    emissionAtoms,
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
    emissionAtoms,
    distributedAtoms: distributed,
    undistributedAtoms: emissionAtoms - distributed,
    tasks,
    payouts,
  };
}
