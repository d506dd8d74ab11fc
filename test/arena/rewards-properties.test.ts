// Properties of the reward rule on random networks: exact sums, scale invariance, monotonicity in
// rank, and pro-rata delegator payments.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { D } from "#src/arena/formulas.ts";
import {
  computeEpochRewards,
  type EpochInput,
  type EpochRewards,
  type ParticipantInput,
  type TaskInput,
} from "#src/arena/rewards.ts";

const stakeAtoms = fc.bigInt({ min: 1n, max: 10n ** 13n });
const sigma = fc.constantFrom("0", "0.25", "0.4", "0.5", "0.999999999", "1");
const score = fc.integer({ min: 0, max: 1000 }).map((n) => (n / 1000).toString());

/** A random network: user ids are unique per participant; delegators come from a shared crowd. */
const network = (opts: { alpha?: string; mode?: "rank" | "score" } = {}) =>
  fc
    .record({
      emissionAtoms: fc.bigInt({ min: 0n, max: 10n ** 18n }),
      gamma: fc.constantFrom("0", "0.1", "0.25", "0.5"),
      alpha: opts.alpha ? fc.constant(opts.alpha) : fc.constantFrom("1", "0.5", "2"),
      eps: fc.constantFrom("1", "0.5", "0"),
      r: fc.constantFrom("0.8", "0.5", "1"),
      mode: opts.mode ? fc.constant(opts.mode) : fc.constantFrom("rank" as const, "score" as const),
      tasks: fc.array(
        fc.record({
          nodes: fc.array(
            fc.record({
              own: stakeAtoms,
              sigma,
              delegations: fc.uniqueArray(
                fc.record({ userId: fc.integer({ min: 1, max: 40 }), atoms: stakeAtoms }),
                {
                  maxLength: 4,
                  selector: (d) => d.userId,
                },
              ),
            }),
            { minLength: 1, maxLength: 5 },
          ),
          validators: fc.array(
            fc.record({
              own: stakeAtoms,
              sigma,
              delegations: fc.uniqueArray(
                fc.record({ userId: fc.integer({ min: 1, max: 40 }), atoms: stakeAtoms }),
                {
                  maxLength: 3,
                  selector: (d) => d.userId,
                },
              ),
            }),
            { minLength: 1, maxLength: 4 },
          ),
          // scores[v][n]: undefined means not scored.
          scores: fc.array(
            fc.array(fc.option(score, { nil: undefined, freq: 4 }), { minLength: 5, maxLength: 5 }),
            {
              minLength: 4,
              maxLength: 4,
            },
          ),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    })
    .map((raw): EpochInput => {
      let nextId = 1;
      const tasks = raw.tasks.map((t, ti): TaskInput => {
        const participant = (p: (typeof t.nodes)[number]): ParticipantInput => {
          const id = nextId++;
          return { id, userId: 1000 + id, ownAtoms: p.own, sigma: p.sigma, delegations: p.delegations };
        };
        const nodes = t.nodes.map(participant);
        const validators = t.validators.map(participant);
        const scores = validators.flatMap((v, vi) =>
          nodes.flatMap((n, ni) => {
            const s = t.scores[vi]?.[ni];
            return s === undefined ? [] : [{ validatorId: v.id, nodeId: n.id, score: s }];
          }),
        );
        return { id: ti + 1, nodes, validators, scores };
      });
      return {
        emissionAtoms: raw.emissionAtoms,
        params: { gamma: raw.gamma, alpha: raw.alpha, eps: raw.eps, r: raw.r, mode: raw.mode },
        tasks,
      };
    });

const total = (atoms: bigint[]) => atoms.reduce((s, a) => s + a, 0n);

/**
 * E rebuilt from the result's parts, each summed on its own: every payout line, every task's
 * unassigned atoms, and the whole emission when nothing is staked anywhere (read from the input,
 * not from the result). Not from distributedAtoms or undistributedAtoms: those are E minus each
 * other by construction.
 */
function partsOfE(input: EpochInput, result: EpochRewards): bigint {
  const staked = total(
    input.tasks.flatMap((t) =>
      [...t.nodes, ...t.validators].flatMap((p) => [p.ownAtoms, ...p.delegations.map((d) => d.atoms)]),
    ),
  );
  const nobodyStaked = staked === 0n ? input.emissionAtoms : 0n;
  return (
    total(result.payouts.map((p) => p.atoms)) +
    total(result.tasks.map((t) => t.unassignedAtoms)) +
    nobodyStaked
  );
}

describe("the reward rule on random networks", () => {
  it("pays out exactly E: the payouts plus the unassigned remainders, no negative line", () => {
    fc.assert(
      fc.property(network(), (input) => {
        const result = computeEpochRewards(input);
        expect(partsOfE(input, result)).toBe(input.emissionAtoms);
        // Before rounding too: the exact shares f and the unassigned pots cover E, nothing lost.
        const exact = result.tasks.reduce(
          (sum, t) => [...t.nodes, ...t.validators].reduce((s, b) => s.plus(b.share), sum).plus(t.unassigned),
          new D(0),
        );
        expect(exact.minus(input.emissionAtoms.toString()).abs().lt(1)).toBe(true);
        // Each part in atoms is its exact figure rounded (one atom at most either way), so no part
        // can hand its atoms to another and still sum to E.
        const near = (atoms: bigint, exactText: string) =>
          new D(atoms.toString()).minus(exactText).abs().lt(1);
        for (const t of result.tasks) {
          expect(near(t.unassignedAtoms, t.unassigned)).toBe(true);
          for (const b of [...t.nodes, ...t.validators]) expect(near(b.ownAtoms, b.own)).toBe(true);
        }
        // The totals the epoch report shows agree with the parts.
        expect(total(result.payouts.map((p) => p.atoms))).toBe(result.distributedAtoms);
        expect(total(result.tasks.map((t) => t.unassignedAtoms))).toBe(result.undistributedAtoms);
        for (const p of result.payouts) expect(p.atoms >= 0n).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("the sum of the parts misses E when a part is dropped", () => {
    fc.assert(
      fc.property(network(), (input) => {
        const result = computeEpochRewards(input);
        const paidLine = result.payouts.findIndex((p) => p.atoms > 0n);
        if (paidLine >= 0) {
          const withoutLine = { ...result, payouts: result.payouts.filter((_, i) => i !== paidLine) };
          expect(partsOfE(input, withoutLine)).toBeLessThan(input.emissionAtoms);
        }
        const unassigned = result.tasks.findIndex((t) => t.unassignedAtoms > 0n);
        if (unassigned >= 0) {
          const withoutTask = { ...result, tasks: result.tasks.filter((_, i) => i !== unassigned) };
          expect(partsOfE(input, withoutTask)).toBeLessThan(input.emissionAtoms);
        }
      }),
      { numRuns: 50 },
    );
  });

  it("doubling every stake changes no share (alpha 1)", () => {
    fc.assert(
      fc.property(network({ alpha: "1" }), (input) => {
        const doubled: EpochInput = {
          ...input,
          tasks: input.tasks.map((t) => {
            const twice = (p: ParticipantInput): ParticipantInput => ({
              ...p,
              ownAtoms: p.ownAtoms * 2n,
              delegations: p.delegations.map((d) => ({ ...d, atoms: d.atoms * 2n })),
            });
            return { ...t, nodes: t.nodes.map(twice), validators: t.validators.map(twice) };
          }),
        };
        const a = computeEpochRewards(input);
        const b = computeEpochRewards(doubled);
        expect(b.payouts).toEqual(a.payouts);
        expect(b.undistributedAtoms).toBe(a.undistributedAtoms);
      }),
      { numRuns: 150 },
    );
  });

  it("a node's reward does not fall when its rank improves", () => {
    fc.assert(
      fc.property(network({ mode: "rank" }), fc.nat(), (input, pick) => {
        const task = input.tasks[0]!;
        const node = task.nodes[pick % task.nodes.length]!;
        // The node gets the best score from every validator who scored it: its rank can only improve.
        const better: EpochInput = {
          ...input,
          tasks: [
            { ...task, scores: task.scores.map((s) => (s.nodeId === node.id ? { ...s, score: "1" } : s)) },
            ...input.tasks.slice(1),
          ],
        };
        const find = (r: ReturnType<typeof computeEpochRewards>) =>
          r.tasks[0]!.nodes.find((n) => n.participantId === node.id)!;
        const before = find(computeEpochRewards(input));
        const after = find(computeEpochRewards(better));
        expect((after.rank ?? Infinity) <= (before.rank ?? Infinity)).toBe(true);
        expect(new D(after.share).gte(before.share)).toBe(true);
        // In atoms: what the node keeps never falls below its exact part before, rounded down; with
        // its delegators, rounding each payee's line down loses at most one atom per line.
        const floor = (x: string) => BigInt(new D(x).toFixed(0, D.ROUND_DOWN));
        expect(after.ownAtoms >= floor(before.own)).toBe(true);
        const lines = BigInt(1 + node.delegations.length);
        expect(after.ownAtoms + after.delegatorsAtoms >= floor(before.share) - (lines - 1n)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("pays a node's or validator's delegators pro rata to their delegation", () => {
    fc.assert(
      fc.property(network(), (input) => {
        const result = computeEpochRewards(input);
        const participants = input.tasks.flatMap((t) => [...t.nodes, ...t.validators]);
        const breakdowns = new Map(
          result.tasks.flatMap((t) => [...t.nodes, ...t.validators]).map((b) => [b.participantId, b]),
        );
        for (const p of participants) {
          if (p.delegations.length === 0) continue;
          const pool = new D(breakdowns.get(p.id)!.delegators);
          const delegated = p.delegations.reduce((s, d) => s + d.atoms, 0n);
          const paid = result.payouts.filter((x) => x.role === "delegator" && x.participantId === p.id);
          expect(paid.length).toBe(p.delegations.length);
          expect(total(paid.map((x) => x.atoms))).toBe(breakdowns.get(p.id)!.delegatorsAtoms);
          for (const d of p.delegations) {
            const exact = pool.times(d.atoms.toString()).div(delegated.toString());
            const atoms = paid.find((x) => x.userId === d.userId)!.atoms;
            // Within one atom of the exact pro-rata share...
            expect(new D(atoms.toString()).minus(exact).abs().lt(1)).toBe(true);
            // ...and a larger delegation never gets less.
            for (const e of p.delegations)
              if (e.atoms > d.atoms)
                expect(paid.find((x) => x.userId === e.userId)!.atoms >= atoms).toBe(true);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
