// Dividing a bundle's allocation and volume fees among the creators of its datasets (10.6), in
// proportion to each dataset's accepted demonstrations when the bundle launched.

export interface Weighted {
  /** The dataset's factory id: ties between equal remainders go to the lower id. */
  readonly factoryId: number;
  readonly weight: bigint;
}

/** floor(total x w / W) each; the rest one atom each to the largest remainders (ties: lower id). */
export function largestRemainder(total: bigint, parts: readonly Weighted[]): bigint[] {
  const sum = parts.reduce((a, p) => a + p.weight, 0n);
  if (sum === 0n) throw new Error("largestRemainder: the weights sum to zero");
  const floors = parts.map((p) => (total * p.weight) / sum);
  let left = total - floors.reduce((a, b) => a + b, 0n);
  const order = parts
    .map((p, i) => ({ i, remainder: (total * p.weight) % sum, id: p.factoryId }))
    .sort((a, b) => (a.remainder === b.remainder ? a.id - b.id : a.remainder > b.remainder ? -1 : 1));
  for (const { i } of order) {
    if (left === 0n) break;
    floors[i]! += 1n;
    left -= 1n;
  }
  return floors;
}

/** floor(total x w / W) each, and what rounding left over (the protocol's, 10.6). */
export function roundedDown(
  total: bigint,
  parts: readonly Weighted[],
): { parts: bigint[]; remainder: bigint } {
  const sum = parts.reduce((a, p) => a + p.weight, 0n);
  if (sum === 0n) return { parts: parts.map(() => 0n), remainder: total };
  const each = parts.map((p) => (total * p.weight) / sum);
  return { parts: each, remainder: total - each.reduce((a, b) => a + b, 0n) };
}
