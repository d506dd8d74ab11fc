// The acceptance vectors of docs/economy.md section 7, step by step on the seed's own inputs and as one
// consistent task, plus rank mode with ties.
import { describe, expect, it } from "vitest";
import { D, keptShare, nodesShare, qualityShares, ranksOf, weightedMedian } from "#src/arena/formulas.ts";
import { computeEpochRewards, type EpochInput } from "#src/arena/rewards.ts";
import { roundByLargestRemainder } from "#src/arena/rounding.ts";

const CLONES = 10n ** 9n;
const clones = (text: string) => BigInt(new D(text).times(CLONES.toString()).toFixed(0));
/** Atoms as CLONES rounded to the cent, the precision the spec quotes. */
const cents = (atoms: bigint) => new D(atoms.toString()).div(CLONES.toString()).toFixed(2, D.ROUND_HALF_UP);

describe("the seed's steps on its own inputs", () => {
  it("step 2: sum(t) 6,500, sum(s) 12,000, R0 309,157.68, gamma 0 gives the nodes 108,622.97", () => {
    const nodes = nodesShare(new D("309157.68"), new D(6500), new D(12000), new D(0));
    expect(nodes.toFixed(2, D.ROUND_HALF_UP)).toBe("108622.97");
  });

  it("step 3: nodes 108,623.7, scores 0.501435 / 0.498565, stakes 4,000 / 3,500, alpha 1 gives Node A 58,087.79", () => {
    const [a, b] = qualityShares(
      new D("108623.7"),
      [
        { quality: new D("0.501435"), stake: new D(4000) },
        { quality: new D("0.498565"), stake: new D(3500) },
      ],
      new D(1),
    );
    expect(a!.toFixed(2, D.ROUND_HALF_UP)).toBe("58087.79");
    expect(a!.plus(b!).toFixed(6, D.ROUND_HALF_UP)).toBe("108623.700000");
  });

  it("step 4: f 58,084, sigma 0.4, t_n 3,000, t_d 1,000 gives the node 49,371.40 and its delegators 8,712.60", () => {
    const f = new D(58084);
    const kept = keptShare(f, new D("0.4"), new D(3000), new D(1000));
    expect(kept.toFixed(2)).toBe("49371.40");
    expect(f.minus(kept).toFixed(2)).toBe("8712.60");
  });
});

/** The seed's task: Nodes A (3,000 + 1,000 delegated) and B (3,500), validators 3,000 / 6,000 / 3,000. */
function seedTask(overrides: Partial<EpochInput["params"]> = {}): EpochInput {
  const validatorIds = [3, 4, 5];
  return {
    emissionAtoms: clones("309157.68"),
    params: { gamma: "0", alpha: "1", eps: "1", r: "0.5", mode: "score", ...overrides },
    tasks: [
      {
        id: 1,
        nodes: [
          {
            id: 1,
            userId: 101,
            ownAtoms: clones("3000"),
            sigma: "0.4",
            delegations: [{ userId: 201, atoms: clones("1000") }],
          },
          { id: 2, userId: 102, ownAtoms: clones("3500"), sigma: "0.5", delegations: [] },
        ],
        validators: [
          { id: 3, userId: 103, ownAtoms: clones("3000"), sigma: "0.5", delegations: [] },
          { id: 4, userId: 104, ownAtoms: clones("6000"), sigma: "0.5", delegations: [] },
          { id: 5, userId: 105, ownAtoms: clones("3000"), sigma: "0.5", delegations: [] },
        ],
        scores: validatorIds.flatMap((validatorId) => [
          { validatorId, nodeId: 1, score: "0.501435" },
          { validatorId, nodeId: 2, score: "0.498565" },
        ]),
      },
    ],
  };
}

describe("the seed's task computed consistently (score mode, gamma 0, alpha 1, eps 1)", () => {
  const result = computeEpochRewards(seedTask());
  const task = result.tasks[0]!;
  const [nodeA, nodeB] = task.nodes;

  it("R0 is the whole emission and the nodes get 118,906.80, the validators 190,250.88", () => {
    // The breakdown's exact figures are in atoms (10^-9 CLONES).
    const inClones = (atoms: string) => new D(atoms).div(CLONES.toString()).toFixed(2, D.ROUND_HALF_UP);
    expect(inClones(task.taskShare)).toBe("309157.68");
    expect(inClones(task.nodesShare)).toBe("118906.80");
    expect(inClones(task.validatorsShare)).toBe("190250.88");
  });

  it("Node A earns 63,586.80: keeps 54,048.78, its delegators 9,538.02; Node B 55,320.00", () => {
    expect(cents(nodeA!.ownAtoms + nodeA!.delegatorsAtoms)).toBe("63586.80");
    expect(cents(nodeA!.ownAtoms)).toBe("54048.78");
    expect(cents(nodeA!.delegatorsAtoms)).toBe("9538.02");
    expect(cents(nodeB!.ownAtoms)).toBe("55320.00");
    expect(nodeA!.consensusScore).toBe("0.501435");
    const delegator = result.payouts.find((p) => p.role === "delegator");
    expect(delegator).toMatchObject({ userId: 201, participantId: 1, atoms: nodeA!.delegatorsAtoms });
  });

  it("validators who all agree share by stake: 47,562.72 / 95,125.44 / 47,562.72", () => {
    expect(task.validators.map((v) => cents(v.ownAtoms))).toEqual(["47562.72", "95125.44", "47562.72"]);
    expect(task.validators.map((v) => v.quality)).toEqual(["1", "1", "1"]);
  });

  it("the parts, in atoms, sum exactly to E", () => {
    const sum = result.payouts.reduce((s, p) => s + p.atoms, 0n);
    expect(sum).toBe(clones("309157.68"));
    expect(result.distributedAtoms).toBe(sum);
    expect(result.undistributedAtoms).toBe(0n);
  });
});

describe("rank mode", () => {
  it("scores 0.9, 0.8, 0.8, 0.7 rank 1, 2, 2, 4", () => {
    expect(ranksOf(["0.9", "0.8", "0.8", "0.7"].map((s) => new D(s)))).toEqual([1, 2, 2, 4]);
    expect(ranksOf(["0.7", "0.8", "0.9", "0.8"].map((s) => new D(s)))).toEqual([4, 2, 1, 2]);
  });

  it("pays equal stakes r^(rank-1): with r = 0.5, 1 : 0.5 : 0.5 : 0.125", () => {
    const nodeScores = ["0.9", "0.8", "0.8", "0.7"];
    const result = computeEpochRewards({
      emissionAtoms: 2125n * 1000n,
      params: { gamma: "0", alpha: "1", eps: "1", r: "0.5", mode: "rank" },
      tasks: [
        {
          id: 7,
          nodes: nodeScores.map((_, i) => ({
            id: i + 1,
            userId: i + 1,
            ownAtoms: 100n,
            sigma: "1",
            delegations: [],
          })),
          validators: [{ id: 9, userId: 9, ownAtoms: 400n, sigma: "1", delegations: [] }],
          scores: nodeScores.map((score, i) => ({ validatorId: 9, nodeId: i + 1, score })),
        },
      ],
    });
    const nodes = result.tasks[0]!.nodes;
    expect(nodes.map((n) => n.rank)).toEqual([1, 2, 2, 4]);
    expect(nodes.map((n) => n.quality)).toEqual(["1", "0.5", "0.5", "0.125"]);
    // Nodes get 400/800 of 2,125,000 = 1,062,500, split 1 : 0.5 : 0.5 : 0.125 (of 2.125).
    expect(nodes.map((n) => n.ownAtoms)).toEqual([500000n, 250000n, 250000n, 62500n]);
    expect(result.tasks[0]!.validators[0]!.ownAtoms).toBe(1062500n);
  });
});

describe("the consensus score and step 6", () => {
  it("is the weighted median: the smallest score holding at least half the weight", () => {
    const m = (pairs: Array<[string, number]>) =>
      weightedMedian(
        pairs.map(([score, weight]) => ({ score: new D(score), weight: new D(weight) })),
      )?.toString();
    expect(
      m([
        ["0.2", 1],
        ["0.9", 1],
      ]),
    ).toBe("0.2");
    expect(
      m([
        ["0.2", 1],
        ["0.9", 2],
      ]),
    ).toBe("0.9");
    expect(
      m([
        ["0.1", 3],
        ["0.5", 1],
        ["0.9", 2],
      ]),
    ).toBe("0.1");
    expect(m([["0.5", 0]])).toBeUndefined();
  });

  it("a validator who skipped a submission counts a deviation of 1 for it", () => {
    const input = seedTask();
    input.tasks[0]!.scores = input.tasks[0]!.scores.filter((s) => !(s.validatorId === 5 && s.nodeId === 2));
    const result = computeEpochRewards(input);
    expect(result.tasks[0]!.validators.map((v) => v.quality)).toEqual(["1", "1", "0.5"]);
    expect(result.payouts.reduce((s, p) => s + p.atoms, 0n)).toBe(input.emissionAtoms);
  });

  it("keeps in emission the nodes' share when no node was scored, and says so", () => {
    const input = seedTask();
    input.tasks[0]!.scores = [];
    const result = computeEpochRewards(input);
    const task = result.tasks[0]!;
    // Without scores no validator has h > 0 either: the whole task share stays.
    expect(task.unassignedAtoms).toBe(input.emissionAtoms);
    expect(result.undistributedAtoms).toBe(input.emissionAtoms);
    expect(result.distributedAtoms).toBe(0n);
  });

  it("with nothing staked anywhere, the emission stays whole", () => {
    const result = computeEpochRewards({ ...seedTask(), tasks: [] });
    expect(result.undistributedAtoms).toBe(clones("309157.68"));
  });

  it("largest remainder: ties go to the earlier line, and the sum is the total", () => {
    const third = 10n ** 24n / 3n;
    expect(roundByLargestRemainder([third, third, third], 1n)).toEqual([1n, 0n, 0n]);
    expect(roundByLargestRemainder([third * 2n, third * 2n, third * 2n], 2n)).toEqual([1n, 1n, 0n]);
  });
});
