// "Did you mean /leaderboard?" for a mistyped command or subcommand, on every front end (the
// registry's refusal is what the console, Discord and Telegram all show).

/** Edits (insert, delete, replace, swap two neighbours) between two words: optimal string alignment. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The names `typed` was most likely meant to be: the closest within a distance that grows with its
 * length (one edit up to four letters, two beyond), or those it begins (a cut-short name).
 */
export function closestNames(typed: string, names: readonly string[]): string[] {
  const word = typed.toLowerCase();
  if (word === "") return [];
  const allowed = word.length <= 4 ? 1 : 2;
  const scored = names
    .map((name) => ({ name, distance: editDistance(word, name) }))
    .filter(({ name, distance }) => distance <= allowed || (word.length >= 3 && name.startsWith(word)));
  if (scored.length === 0) return [];
  const best = Math.min(...scored.map((s) => s.distance));
  return scored
    .filter((s) => s.distance === best || s.name.startsWith(word))
    .map((s) => s.name)
    .slice(0, 3);
}
