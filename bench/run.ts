// `npm run bench [-- --only ledger,settlement] [--quick] [--db pglite|postgres]`: runs every bench/*.bench.ts suite (ledger,
// console, settlement, ...: each file registers itself by being here), prints
// the table and writes bench/results.json.
import { readdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { goalMet, goalText } from "./goals.ts";
import { type BenchRow, type BenchSuite, benchContext } from "./harness.ts";

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    quick: { type: "boolean", default: false },
    db: { type: "string" },
  },
});
const only = values.only?.split(",").map((s) => s.trim());
const dir = new URL(".", import.meta.url).pathname;
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .sort();
const suites: BenchSuite[] = [];
for (const file of files) suites.push(((await import(join(dir, file))) as { default: BenchSuite }).default);

const ctx = await benchContext(values.quick, {
  pglite: values.db !== "postgres",
  postgres: values.db !== "pglite",
});
if (!ctx.postgres && values.db !== "pglite")
  process.stderr.write("PostgreSQL is not reachable: its cases are skipped.\n");
const rows: BenchRow[] = [];
for (const suite of suites) {
  if (only && !only.includes(suite.name)) continue;
  process.stderr.write(`${suite.name}: ${suite.description}\n`);
  rows.push(...(await suite.run(ctx)));
}

const fmt = (n: number | undefined, digits = 1) =>
  n === undefined ? "" : n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(digits);
const table = [
  ["suite", "case", "db", "value", "unit", "ceiling", "ratio", "peak MiB", "goal", "met", "notes"],
  ...rows.map((r) => [
    r.suite,
    r.case,
    r.database ?? "",
    fmt(r.value),
    r.unit,
    fmt(r.ceiling),
    r.ratio === undefined ? "" : r.ratio.toFixed(3),
    fmt(r.peakRssMiB, 0),
    goalText(r),
    metText(goalMet(r)),
    r.notes ?? "",
  ]),
];
function metText(met: boolean | undefined): string {
  return met === undefined ? "" : met ? "yes" : "no";
}
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
console.log(line(table[0]!));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of table.slice(1)) console.log(line(row));

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
writeFileSync(
  join(dir, "results.json"),
  `${JSON.stringify({ at: new Date().toISOString(), machine, quick: values.quick, rows: rows.map(withGoalMet) }, null, 2)}\n`,
);
/** A row as written to results.json: its goal in words beside the conditions, and whether it is met. */
function withGoalMet(row: BenchRow) {
  return row.goal ? { ...row, goal: { ...row.goal, text: goalText(row) }, goalMet: goalMet(row) } : row;
}
process.stderr.write(`Wrote bench/results.json (${rows.length} rows).\n`);
process.exit(0);
