// How counts read in replies: grouped thousands like money, and a noun in the singular or plural
// (never "demonstration(s)").

/** A count as members read it: "12,345" (money already groups its thousands; counts do too). */
export function formatCount(n: bigint | number): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "1 demonstration", "0 demonstrations", "12,345 demonstrations" (English plurals by adding s). */
export function countOf(n: bigint | number, noun: string, plural = `${noun}s`): string {
  return `${formatCount(n)} ${n.toString() === "1" ? noun : plural}`;
}
