// Exact amounts in bigint fixed point (10^-24 atom), and their rounding to whole atoms so the lines
// sum exactly to the emission.
import { Decimal as DecimalBase } from "decimal.js";
import { D, type Dec } from "./formulas.ts";

/** Fixed point for the fan-out and the rounding: 10^24 units per atom. */
const SCALE_DIGITS = 24;
export const SCALE = 10n ** BigInt(SCALE_DIGITS);
const SCALE_D = new D(10).pow(SCALE_DIGITS);

export const scaled = (value: Dec): bigint => BigInt(value.times(SCALE_D).toFixed(0, DecimalBase.ROUND_DOWN));

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
