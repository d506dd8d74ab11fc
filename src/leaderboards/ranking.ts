// Ranking rules, the same for every board: higher values first; equal values share a rank and the
// next rank skips ("1, 1, 3"); among equals the order is stable by id (numerically for numeric ids).
import { Decimal } from "decimal.js";

export type Score = bigint | Decimal;

export interface Scored<T = unknown> {
  id: string;
  score: Score;
  item: T;
}

export interface Ranked<T = unknown> extends Scored<T> {
  rank: number;
}

function compareScores(a: Score, b: Score): number {
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  return new Decimal(a.toString()).comparedTo(new Decimal(b.toString()));
}

export function compareIds(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function rank<T>(entries: ReadonlyArray<Scored<T>>): Array<Ranked<T>> {
  const sorted = [...entries].sort((a, b) => compareScores(b.score, a.score) || compareIds(a.id, b.id));
  const ranked: Array<Ranked<T>> = [];
  sorted.forEach((entry, i) => {
    const previous = ranked[i - 1];
    const same = previous !== undefined && compareScores(previous.score, entry.score) === 0;
    ranked.push({ ...entry, rank: same ? previous.rank : i + 1 });
  });
  return ranked;
}

/**
 * The first `limit` ranked, and the viewer's own entry when it is not among them. The viewer is one
 * id, or several (a creator's factories): then their best-ranked entry is theirs.
 */
export function topWithViewer<T>(
  ranked: ReadonlyArray<Ranked<T>>,
  limit: number,
  viewer: string | ReadonlySet<string> | undefined,
): { top: Array<Ranked<T>>; viewer?: Ranked<T> } {
  const top = ranked.slice(0, limit);
  if (viewer === undefined) return { top };
  const mine = typeof viewer === "string" ? (id: string) => id === viewer : (id: string) => viewer.has(id);
  if (top.some((r) => mine(r.id))) return { top };
  const own = ranked.find((r) => mine(r.id));
  return own ? { top, viewer: own } : { top };
}
